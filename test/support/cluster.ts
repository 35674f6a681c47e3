/**
 * Helpers for tests that run against the real apiserver: the cluster from globalSetup, a namespace
 * of their own per test file, and CRD installation that waits until the CRD is Established.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, inject } from "vitest";
import type { TestCluster } from "../cluster/global-setup.js";
import { type RawClient, rawClient } from "./raw-client.js";

export function testCluster(): TestCluster {
  return inject("cluster");
}

/** An admin client on the test cluster. */
export function adminClient(): Promise<RawClient> {
  const cluster = testCluster();
  return rawClient(cluster.kubeconfig, cluster.contexts.admin || undefined);
}

/**
 * Creates a namespace named `<prefix>-<random>` before the file's tests and deletes it after them.
 * Returns a getter, since the name is known only once beforeAll has run.
 */
export function useTestNamespace(prefix: string): () => string {
  let name = "";
  let client: RawClient | undefined;
  beforeAll(async () => {
    client = await adminClient();
    name = `${prefix}-${randomBytes(3).toString("hex")}`;
    const res = await client.request("POST", "/api/v1/namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name, labels: { "kubegen.test/ephemeral": "true" } },
    });
    if (res.status !== 201)
      throw new Error(`creating namespace ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  });
  afterAll(async () => {
    if (client && name) await client.request("DELETE", `/api/v1/namespaces/${name}`);
    await client?.close();
  });
  return () => {
    if (!name) throw new Error("useTestNamespace: the namespace exists only inside tests and hooks");
    return name;
  };
}

interface CrdStatus {
  status?: { conditions?: { type: string; status: string }[] };
}

/** Creates (or keeps) a CustomResourceDefinition and waits until it is Established. */
export async function installCrd(
  client: RawClient,
  crd: { metadata: { name: string } },
  timeoutMs = 30_000,
): Promise<void> {
  const base = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
  const created = await client.request("POST", base, crd);
  if (created.status !== 201 && created.status !== 409) {
    throw new Error(`installing CRD ${crd.metadata.name}: ${created.status} ${JSON.stringify(created.body)}`);
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await client.request<CrdStatus>("GET", `${base}/${crd.metadata.name}`);
    const established = res.body.status?.conditions?.some(
      (c) => c.type === "Established" && c.status === "True",
    );
    if (established) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`CRD ${crd.metadata.name} was not Established within ${timeoutMs / 1000}s`);
}

/** Installs the first document of a CRD file as the admin. */
export async function installCrdFile(file: URL | string): Promise<void> {
  const { readFile } = await import("node:fs/promises");
  const { parseAllDocuments } = await import("yaml");
  const text = await readFile(file, "utf8");
  const raw = await adminClient();
  try {
    await installCrd(raw, parseAllDocuments(text)[0]!.toJS() as { metadata: { name: string } });
  } finally {
    await raw.close();
  }
}

/** Installs one of our own test CRDs (`test/fixtures/crds/<path>`, its first document) as the admin. */
export function installTestCrd(path: string): Promise<void> {
  return installCrdFile(new URL(`../fixtures/crds/${path}`, import.meta.url));
}

/**
 * Installs every CustomResourceDefinition under `dir` (one folder per project, YAML files of any
 * number of documents; `../shared/fixtures/crds/`), each waited for until Established; returns
 * how many.
 */
export async function installCrdCorpus(client: RawClient, dir: string): Promise<number> {
  const { readdir, readFile } = await import("node:fs/promises");
  const { join } = await import("node:path");
  const { parseAllDocuments } = await import("yaml");
  let installed = 0;
  for (const project of (await readdir(dir)).sort())
    for (const file of (await readdir(join(dir, project))).sort())
      for (const doc of parseAllDocuments(await readFile(join(dir, project, file), "utf8"))) {
        const crd = doc.toJS() as { kind?: string; metadata: { name: string } };
        if (crd?.kind !== "CustomResourceDefinition") continue;
        await installCrd(client, crd, 60_000);
        installed++;
      }
  return installed;
}
