/**
 * Informers on the real apiserver: the generated InformerFactory (streaming list on this server,
 * list-then-watch when told), listers, the dynamic factory over a custom resource, and the proof
 * that an informer sees 1,000 creates, updates and deletes once each, in order, with a cache equal
 * to a fresh list at the end. Cut connections, a restarted apiserver and relists after 410 are in
 * test/e2e/informer-recovery.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { ConfigMap } from "../../generated/kubernetes/core/v1.js";
import { Clientset, InformerFactory } from "../../generated/kubernetes/index.js";
import { DynamicClient } from "../../runtime/clients/dynamic.js";
import { MetadataClient } from "../../runtime/clients/metadata.js";
import { isNotFound } from "../../runtime/errors.js";
import { DynamicInformerFactory, MetadataInformerFactory } from "../../runtime/tools/cache/factory.js";
import { SharedIndexInformer } from "../../runtime/tools/cache/informer.js";
import { DeletedFinalStateUnknown } from "../../runtime/tools/cache/store.js";
import { adminConfig } from "../support/client-config.js";
import { installTestCrd, useTestNamespace } from "../support/cluster.js";

const namespace = useTestNamespace("inf");
let clientset: Clientset;

beforeAll(async () => {
  // 1,000 changes are made as fast as the apiserver takes them: no client-side rate limit.
  clientset = Clientset.forConfig({ ...(await adminConfig()), qps: -1 });
});
afterAll(() => clientset.close());

const until = async (check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Runs `fn` over `items` with at most `limit` at once. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

describe("the generated InformerFactory", () => {
  it("shares one informer per resource, streams the initial state, and serves listers", async () => {
    const cms = clientset.coreV1.configMaps(namespace());
    for (const [name, app] of [
      ["a", "web"],
      ["b", "web"],
      ["c", "db"],
    ] as const)
      await cms.create({ metadata: { name, labels: { app, set: "factory" } }, data: { name } });

    const factory = new InformerFactory(clientset, { namespace: namespace(), labelSelector: "set=factory" });
    const configMaps = factory.coreV1.configMaps();
    expect(factory.coreV1.configMaps()).toBe(configMaps);
    factory.start();
    onTestFinished(() => factory.shutdown());
    expect(await factory.waitForCacheSync()).toEqual({ "v1/configmaps": true });
    // This apiserver serves streaming lists (sendInitialEvents), so the informer used one.
    expect(configMaps.informer.lastInitialList).toBe("streaming");

    const { lister } = configMaps;
    expect(
      lister
        .list()
        .map((c) => c.metadata!.name)
        .sort(),
    ).toEqual(["a", "b", "c"]);
    expect(
      lister
        .namespace(namespace())
        .list("app=web")
        .map((c) => c.metadata!.name)
        .sort(),
    ).toEqual(["a", "b"]);
    expect(
      lister
        .namespace(namespace())
        .list("app notin (web)")
        .map((c) => c.metadata!.name),
    ).toEqual(["c"]);
    const a: ConfigMap = lister.namespace(namespace()).get("a");
    expect(a.data).toEqual({ name: "a" });
    let missing: unknown;
    try {
      lister.namespace(namespace()).get("zzz");
    } catch (err) {
      missing = err;
    }
    expect(isNotFound(missing)).toBe(true);
    expect(String(missing)).toContain('configmaps "zzz" not found');

    // A consumer that comes late shares the running informer and is told the cached state.
    const late: string[] = [];
    const registration = configMaps.informer.addEventHandler({
      onAdd: (cm, initial) => void late.push(`${cm.metadata!.name} ${initial}`),
    });
    await until(() => registration.hasSynced(), "the late handler's replay");
    expect(late.sort()).toEqual(["a true", "b true", "c true"]);
    await cms.create({ metadata: { name: "d", labels: { app: "web", set: "factory" } } });
    await until(() => late.length === 4, "the new ConfigMap");
    expect(late[3]).toBe("d false");
    await factory.shutdown();
    expect(configMaps.informer.isStopped).toBe(true);
  });

  it("lists then watches when told to, reaching the same cache", async () => {
    const informer = new SharedIndexInformer(clientset.coreV1.configMaps(namespace()), {
      initialList: "list",
      labelSelector: "set=factory",
    });
    const abort = new AbortController();
    const running = informer.run(abort.signal);
    onTestFinished(() => {
      abort.abort();
      return running;
    });
    expect(await informer.waitForCacheSync()).toBe(true);
    expect(informer.lastInitialList).toBe("list");
    expect(informer.indexer.listKeys().sort()).toEqual(
      ["a", "b", "c", "d"].map((n) => `${namespace()}/${n}`),
    );
  });
});

describe("an informer against 1,000 changes", () => {
  it("sees each create, update and delete once, in order, and ends equal to a fresh list", async () => {
    const cms = clientset.coreV1.configMaps(namespace());
    const factory = new InformerFactory(clientset, { namespace: namespace(), labelSelector: "set=thousand" });
    const { informer } = factory.coreV1.configMaps();
    const seen: { type: string; name: string; rv: string }[] = [];
    informer.addEventHandler({
      onAdd: (cm) =>
        void seen.push({ type: "add", name: cm.metadata!.name!, rv: cm.metadata!.resourceVersion! }),
      onUpdate: (_, cm) =>
        void seen.push({ type: "update", name: cm.metadata!.name!, rv: cm.metadata!.resourceVersion! }),
      onDelete: (cm) => {
        if (cm instanceof DeletedFinalStateUnknown) throw new Error(`unexpected tombstone ${cm.key}`);
        seen.push({ type: "delete", name: cm.metadata!.name!, rv: cm.metadata!.resourceVersion! });
      },
    });
    factory.start();
    onTestFinished(() => factory.shutdown());
    await factory.waitForCacheSync();

    // 500 creates, 300 updates, 200 deletes: 1,000 changes, eight at a time.
    const names = Array.from({ length: 500 }, (_, i) => `cm-${String(i).padStart(3, "0")}`);
    const expected: { type: string; name: string; rv?: string }[] = [];
    await pool(names, 8, async (name) => {
      const c = await cms.create({ metadata: { name, labels: { set: "thousand" } }, data: { v: "0" } });
      expected.push({ type: "add", name, rv: c.metadata!.resourceVersion! });
    });
    await pool(names.slice(0, 300), 8, async (name) => {
      const u = await cms.update({ metadata: { name, labels: { set: "thousand" } }, data: { v: "1" } });
      expected.push({ type: "update", name, rv: u.metadata!.resourceVersion! });
    });
    await pool(names.slice(200, 400), 8, async (name) => {
      await cms.delete(name);
      expected.push({ type: "delete", name });
    });
    expect(expected).toHaveLength(1000);

    await until(() => seen.length >= 1000, "1,000 notifications", 60_000);
    // Nothing more trickles in.
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toHaveLength(1000);
    // In order: resourceVersions only grow (etcd's revision), across all objects.
    for (let i = 1; i < seen.length; i++) expect(BigInt(seen[i]!.rv) > BigInt(seen[i - 1]!.rv)).toBe(true);
    // Once each: the same changes as made (deletes carry the deletion's own resourceVersion).
    const key = (e: { type: string; name: string; rv?: string }) =>
      `${e.type} ${e.name} ${e.type === "delete" ? "" : e.rv}`;
    expect(seen.map(key).sort()).toEqual(expected.map(key).sort());
    // Per object, the order made.
    for (const name of names.slice(190, 210)) {
      expect(seen.filter((e) => e.name === name).map((e) => e.type)).toEqual(
        expected.filter((e) => e.name === name).map((e) => e.type),
      );
    }

    const fresh = await cms.list({ labelSelector: "set=thousand" });
    const cached = informer.indexer.list();
    const summary = (items: ConfigMap[]) =>
      items.map((c) => `${c.metadata!.name} ${c.metadata!.resourceVersion} ${c.data?.v}`).sort();
    expect(cached).toHaveLength(300);
    expect(summary(cached)).toEqual(summary(fresh.items));
  }, 120_000);
});

describe("DynamicInformerFactory", () => {
  it("informs on a custom resource as unstructured objects", async () => {
    await installTestCrd("multi-version/widgets.yaml");
    const dynamic = DynamicClient.forConfig(await adminConfig());
    const widgets = dynamic.resource({ group: "example.kubegen.dev", version: "v1", resource: "widgets" });
    for (const name of ["w1", "w2"])
      await widgets.namespace(namespace()).create({
        apiVersion: "example.kubegen.dev/v1",
        kind: "Widget",
        metadata: { name },
        spec: { size: "small" },
      });
    const factory = new DynamicInformerFactory(dynamic, { namespace: namespace() });
    const informed = factory.forResource({
      group: "example.kubegen.dev",
      version: "v1",
      resource: "widgets",
    });
    factory.start();
    onTestFinished(async () => {
      await factory.shutdown();
      await dynamic.close();
    });
    expect(await factory.waitForCacheSync()).toEqual({ "example.kubegen.dev/v1/widgets": true });
    const listed = informed.lister.namespace(namespace()).list();
    expect(listed.map((w) => `${w.kind} ${w.metadata?.name}`).sort()).toEqual(["Widget w1", "Widget w2"]);
  });
});

describe("MetadataInformerFactory", () => {
  it("caches Secrets as metadata only: names and labels, never their data", async () => {
    await clientset.coreV1
      .secrets(namespace())
      .create({ metadata: { name: "s1", labels: { app: "web" } }, stringData: { password: "not-cached" } });
    const metadata = MetadataClient.forConfig(await adminConfig());
    const factory = new MetadataInformerFactory(metadata, { namespace: namespace() });
    const secrets = factory.forResource({ group: "", version: "v1", resource: "secrets" });
    const added: string[] = [];
    secrets.informer.addEventHandler({ onAdd: (s) => void added.push(`${s.kind} ${s.metadata.name}`) });
    factory.start();
    onTestFinished(async () => {
      await factory.shutdown();
      await metadata.close();
    });
    expect(await factory.waitForCacheSync()).toEqual({ "v1/secrets": true });
    const s1 = secrets.lister.namespace(namespace()).get("s1");
    expect(s1).toMatchObject({ apiVersion: "meta.k8s.io/v1", kind: "PartialObjectMetadata" });
    expect(s1.metadata.labels).toEqual({ app: "web" });
    expect(JSON.stringify(secrets.informer.indexer.list())).not.toContain("not-cached");
    expect(Object.keys(s1).sort()).toEqual(["apiVersion", "kind", "metadata"]);
    await clientset.coreV1.secrets(namespace()).create({ metadata: { name: "s2" }, stringData: { k: "v" } });
    await until(() => added.includes("PartialObjectMetadata s2"), "the new Secret");
  });
});
