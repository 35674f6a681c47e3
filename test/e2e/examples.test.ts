/**
 * Every program in examples/ runs against the real apiserver, with the harness kubeconfig as
 * `KUBECONFIG` and a namespace of its own as the current context's namespace.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { adminClient, testCluster, useTestNamespace } from "../support/cluster.js";

const repo = resolve(import.meta.dirname, "../..");
const namespace = useTestNamespace("examples");
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubegen-examples-"));
  // The harness kubeconfig, with the current context pointed at this file's namespace.
  const config = parse(await readFile(testCluster().kubeconfig, "utf8")) as {
    "current-context": string;
    contexts: { name: string; context: { namespace?: string } }[];
  };
  const current = testCluster().contexts.admin || config["current-context"];
  config["current-context"] = current;
  for (const c of config.contexts) if (c.name === current) c.context.namespace = namespace();
  kubeconfig = join(dir, "kubeconfig");
  await writeFile(kubeconfig, stringify(config));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function runExample(name: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    join(repo, "node_modules/.bin/tsx"),
    [join(repo, "examples", name)],
    {
      cwd: repo,
      env: { ...process.env, KUBECONFIG: kubeconfig },
      timeout: 60_000,
    },
  );
  return stdout;
}

describe("examples", () => {
  it("clientset-pods.ts lists pods and handles NotFound", async () => {
    const out = await runExample("clientset-pods.ts");
    expect(out).toMatch(/^There are \d+ pods in the cluster$/m);
    expect(out).toContain("Pod example-xxxxx not found in default namespace");
  });

  it("watch-configmaps.ts sees its own changes", async () => {
    const out = await runExample("watch-configmaps.ts");
    expect(out.trim().split("\n")).toEqual([
      'ADDED watched {"step":"1"}',
      'MODIFIED watched {"step":"2"}',
      'DELETED watched {"step":"2"}',
    ]);
  });

  it("server-side-apply.ts applies twice as one field manager", async () => {
    const out = await runExample("server-side-apply.ts");
    expect(out).toContain('data: {"color":"green"}');
    expect(out).toContain("managers: kubegen-example/Apply");
  });

  it("rest-client-pods.ts lists pods through the request builder", async () => {
    expect(await runExample("rest-client-pods.ts")).toMatch(
      new RegExp(`^status 200: \\d+ pods in namespace ${namespace()}$`, "m"),
    );
  });

  it("dynamic-pods.ts creates a pod and reads it back as a typed Pod", async () => {
    expect(await runExample("dynamic-pods.ts")).toContain("dynamic-example: registry.invalid/app:1");
  });

  it("metadata-client.ts reads a Secret as metadata only", async () => {
    expect((await runExample("metadata-client.ts")).trim().split("\n")).toEqual([
      'PartialObjectMetadata metadata-example without data, labels {"app":"example"}',
      '"app=example,rotated" matches: true',
      "PartialObjectMetadataList: metadata-example",
    ]);
  });

  it("discovery.ts prints name, group and version of every resource", async () => {
    const out = await runExample("discovery.ts");
    expect(out).toContain("name: pods, group: , version: v1");
    expect(out).toContain("name: deployments, group: apps, version: v1");
  });

  it("workqueue.ts processes each queued ConfigMap once, retrying the one that fails", async () => {
    expect((await runExample("workqueue.ts")).trim().split("\n")).toEqual([
      "queued-a done after 0 retries",
      "queued-b done after 1 retries",
      "queued-c done after 0 retries",
    ]);
  });

  it("controller.ts derives a ConfigMap per source while leading, retrying one failure", async () => {
    expect((await runExample("controller.ts")).trim().split("\n")).toEqual([
      "source-a-derived: keys=2 sha256=5f13efef7cdd owner=ConfigMap/source-a",
      "source-b-derived: keys=2 sha256=5c8115f228e7 owner=ConfigMap/source-b",
      "source-c-derived: keys=0 sha256=4f53cda18c2b owner=ConfigMap/source-c",
      "retried: source-a (simulated transient error)",
      "event Normal Derived ConfigMap/source-a: wrote source-a-derived: keys=2 sha256=5f13efef7cdd",
      "event Normal Derived ConfigMap/source-b: wrote source-b-derived: keys=1 sha256=1af7f381a194",
      "event Normal Derived ConfigMap/source-b: wrote source-b-derived: keys=2 sha256=5c8115f228e7",
      "event Normal Derived ConfigMap/source-c: wrote source-c-derived: keys=0 sha256=4f53cda18c2b",
      "released lease: true",
    ]);
    // Its Events outlive it; its ConfigMaps and Lease do not.
    const client = await adminClient();
    try {
      const base = `/namespaces/${namespace()}`;
      const events = await client.request<{ items: { action: string; regarding: { uid?: string } }[] }>(
        "GET",
        `/apis/events.k8s.io/v1${base}/events`,
      );
      const reconciles = events.body.items.filter((e) => e.action === "Reconcile");
      expect(reconciles).toHaveLength(4);
      for (const e of reconciles) expect(e.regarding.uid).toMatch(/^[0-9a-f-]{36}$/);
      const left = await client.request<{ items: unknown[] }>(
        "GET",
        `/api/v1${base}/configmaps?labelSelector=${encodeURIComponent("example in (controller,controller-derived)")}`,
      );
      expect(left.body.items).toEqual([]);
      expect(
        (await client.request("GET", `/apis/coordination.k8s.io/v1${base}/leases/derive-controller`)).status,
      ).toBe(404);
    } finally {
      await client.close();
    }
  });

  it("metadata-informer.ts caches every Secret as metadata only", async () => {
    expect((await runExample("metadata-informer.ts")).trim().split("\n")).toEqual([
      'PartialObjectMetadata metadata-informer-a labels {"example":"metadata-informer"}',
      'PartialObjectMetadata metadata-informer-b labels {"example":"metadata-informer"}',
      "added: PartialObjectMetadata metadata-informer-c",
      "data cached: false",
    ]);
    const client = await adminClient();
    try {
      const left = await client.request<{ items: unknown[] }>(
        "GET",
        `/api/v1/namespaces/${namespace()}/secrets?labelSelector=example%3Dmetadata-informer`,
      );
      expect(left.body.items).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it("scale.ts scales a Deployment", async () => {
    expect((await runExample("scale.ts")).trim().split("\n")).toEqual([
      "replicas before: 1",
      "replicas after: 4",
    ]);
  });
});
