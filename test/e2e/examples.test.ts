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
import { testCluster, useTestNamespace } from "../support/cluster.js";

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

  it("scale.ts scales a Deployment", async () => {
    expect((await runExample("scale.ts")).trim().split("\n")).toEqual([
      "replicas before: 1",
      "replicas after: 4",
    ]);
  });
});
