/**
 * The informer's cache, reflector and handlers over an in-memory API (test/support/memory-api.ts):
 * streaming lists and their fallback, resuming after cut connections, relisting after 410 with
 * tombstones, transforms, resyncs, late handlers and failing handlers. The real apiserver's side
 * is test/e2e/informer.test.ts.
 */
import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { parseLabelSelector } from "../../../runtime/core/labels.js";
import type { KubeObject } from "../../../runtime/core/object.js";
import type { Verb } from "../../../runtime/core/resource.js";
import { isNotFound } from "../../../runtime/errors.js";
import { SharedInformerFactory } from "../../../runtime/tools/cache/factory.js";
import { SharedIndexInformer } from "../../../runtime/tools/cache/informer.js";
import { Lister } from "../../../runtime/tools/cache/lister.js";
import {
  DeletedFinalStateUnknown,
  Indexer,
  namespaceIndex,
  splitMetaNamespaceKey,
} from "../../../runtime/tools/cache/store.js";
import { MemoryApi } from "../../support/memory-api.js";

interface Thing extends KubeObject {
  spec?: { node?: string; n?: number };
}

const thing = (name: string, namespace = "a", node = "n1", n = 0): Thing => ({
  metadata: { name, namespace },
  spec: { node, n },
});

const until = async (check: () => boolean, what: string, timeoutMs = 5000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

const fast = { backoff: { initialMs: 5, maxMs: 20 } };

/** A handler that records what it was told, as `type name rv`. */
function recorder() {
  const seen: string[] = [];
  const tombstones: DeletedFinalStateUnknown<Thing>[] = [];
  return {
    seen,
    tombstones,
    handler: {
      onAdd: (o: Thing, initial: boolean) => void seen.push(`add ${o.metadata!.name} ${initial}`),
      onUpdate: (old: Thing, o: Thing) =>
        void seen.push(
          `update ${o.metadata!.name} ${old.metadata!.resourceVersion}->${o.metadata!.resourceVersion}`,
        ),
      onDelete: (o: Thing | DeletedFinalStateUnknown<Thing>) => {
        if (o instanceof DeletedFinalStateUnknown) {
          tombstones.push(o);
          seen.push(`delete ${o.key} (final state unknown)`);
        } else seen.push(`delete ${o.metadata!.name}`);
      },
    },
  };
}

describe("Indexer", () => {
  it("keeps its indexes current through add, update, delete and replace", () => {
    const store = new Indexer<Thing>({ byNode: (t) => (t.spec?.node ? [t.spec.node] : []) });
    store.add(thing("x", "a", "n1"));
    store.add(thing("y", "b", "n1"));
    store.add(thing("z", "", "n2"));
    expect(
      store
        .byIndex("byNode", "n1")
        .map((t) => t.metadata!.name)
        .sort(),
    ).toEqual(["x", "y"]);
    store.update(thing("y", "b", "n2"));
    expect(store.indexKeys("byNode", "n2").sort()).toEqual(["b/y", "z"]);
    expect(store.listIndexFuncValues("byNode").sort()).toEqual(["n1", "n2"]);
    expect(
      store
        .index("byNode", thing("q", "a", "n2"))
        .map((t) => t.metadata!.name)
        .sort(),
    ).toEqual(["y", "z"]);
    store.delete(thing("x"));
    expect(store.listIndexFuncValues("byNode")).toEqual(["n2"]);
    expect(store.getByKey("b/y")?.spec?.node).toBe("n2");
    store.replace([thing("w", "a", "n3")]);
    expect(store.listKeys()).toEqual(["a/w"]);
    expect(store.listIndexFuncValues("byNode")).toEqual(["n3"]);
  });

  it("indexes what it holds when an index is added, and refuses a name in use", () => {
    const store = new Indexer<Thing>();
    store.add(thing("x", "a"));
    store.add(thing("y", "b"));
    store.addIndexers({ [namespaceIndex]: (t) => [t.metadata?.namespace ?? ""] });
    expect(store.byIndex(namespaceIndex, "b").map((t) => t.metadata!.name)).toEqual(["y"]);
    expect(() => store.addIndexers({ [namespaceIndex]: () => [] })).toThrow(/exists already/);
    expect(() => store.byIndex("nope", "x")).toThrow(/no index named "nope"/);
  });

  it("keys objects as namespace/name, or name when cluster-scoped", () => {
    expect(new Indexer<Thing>().keyOf(thing("x", "ns"))).toBe("ns/x");
    expect(new Indexer<Thing>().keyOf(thing("x", ""))).toBe("x");
    expect(splitMetaNamespaceKey("ns/x")).toEqual({ namespace: "ns", name: "x" });
    expect(splitMetaNamespaceKey("x")).toEqual({ name: "x" });
    expect(() => new Indexer<Thing>().keyOf({ metadata: {} })).toThrow(/without metadata.name/);
  });
});

describe("SharedIndexInformer", () => {
  it("streams the initial state, then tells each change once, in order", async () => {
    const api = new MemoryApi<Thing>();
    const x = api.create(thing("x"));
    api.create(thing("y"));
    const informer = new SharedIndexInformer<Thing>(api, fast);
    const rec = recorder();
    const registration = informer.addEventHandler(rec.handler);
    const abort = new AbortController();
    const running = informer.run(abort.signal);
    expect(await informer.waitForCacheSync(abort.signal)).toBe(true);
    expect(informer.lastInitialList).toBe("streaming");
    expect(api.calls[0]).toMatchObject({
      verb: "watch",
      options: { sendInitialEvents: true, resourceVersionMatch: "NotOlderThan", allowWatchBookmarks: true },
    });
    await until(() => registration.hasSynced(), "the handler's sync");
    expect(rec.seen).toEqual(["add x true", "add y true"]);

    const x2 = api.update({ ...x, spec: { n: 1 } });
    api.create(thing("z"));
    api.remove(thing("y"));
    await until(() => rec.seen.length === 5, "three more notifications");
    expect(rec.seen.slice(2)).toEqual([
      `update x ${x.metadata!.resourceVersion}->${x2.metadata!.resourceVersion}`,
      "add z false",
      "delete y",
    ]);
    expect(informer.indexer.listKeys().sort()).toEqual(["a/x", "a/z"]);
    expect(informer.lastSyncResourceVersion).toBe(String(api.rv));
    // One watch call did it all: the streaming list went on as the watch.
    expect(api.calls.map((c) => c.verb)).toEqual(["watch"]);
    abort.abort();
    await running;
    expect(informer.isStopped).toBe(true);
  });

  it("lists instead where the server refuses streaming lists, and remembers", async () => {
    const api = new MemoryApi<Thing>();
    api.streaming = false;
    api.create(thing("x"));
    const errors: unknown[] = [];
    const informer = new SharedIndexInformer<Thing>(api, { ...fast, onWatchError: (e) => errors.push(e) });
    const abort = new AbortController();
    const running = informer.run(abort.signal);
    expect(await informer.waitForCacheSync()).toBe(true);
    expect(informer.lastInitialList).toBe("list");
    expect(informer.indexer.listKeys()).toEqual(["a/x"]);
    await until(() => api.calls.length >= 3, "the watch after the list");
    expect(
      api.calls.slice(0, 3).map((c) => `${c.verb}${c.options.sendInitialEvents ? " streaming" : ""}`),
    ).toEqual(["watch streaming", "list", "watch"]);
    // The first list reads the watch cache (resourceVersion "0") in pages, as client-go.
    expect(api.calls[1]!.options).toMatchObject({ resourceVersion: "0", limit: 500 });
    expect(api.calls[2]!.options.resourceVersion).toBe(String(api.rv));
    expect(errors).toHaveLength(1);
    abort.abort();
    await running;
  });

  it("lists only, when told to", async () => {
    const api = new MemoryApi<Thing>();
    const informer = new SharedIndexInformer<Thing>(api, { ...fast, initialList: "list" });
    const abort = new AbortController();
    const running = informer.run(abort.signal);
    await informer.waitForCacheSync();
    expect(api.calls[0]!.verb).toBe("list");
    abort.abort();
    await running;
  });

  it("resumes from the last resourceVersion after cut connections: nothing lost, nothing twice", async () => {
    const api = new MemoryApi<Thing>();
    const informer = new SharedIndexInformer<Thing>(api, fast);
    const rec = recorder();
    informer.addEventHandler(rec.handler);
    const abort = new AbortController();
    const running = informer.run(abort.signal);
    await informer.waitForCacheSync();
    for (let i = 0; i < 30; i++) {
      api.create(thing(`t${i}`));
      if (i % 7 === 3) api.cutAll();
      await new Promise((r) => setTimeout(r, 2));
    }
    await until(() => rec.seen.length === 30, "30 adds");
    expect(rec.seen).toEqual(Array.from({ length: 30 }, (_, i) => `add t${i} false`));
    const watches = api.calls.filter((c) => c.verb === "watch");
    expect(watches.length).toBeGreaterThan(3);
    expect(api.calls.some((c) => c.verb === "list")).toBe(false);
    abort.abort();
    await running;
  });

  it("relists after 410, swaps the cache whole, and tells the missed deletes as final state unknown", async () => {
    const api = new MemoryApi<Thing>();
    const keep = api.create(thing("keep"));
    const gone = api.create(thing("gone"));
    const informer = new SharedIndexInformer<Thing>(api, fast);
    const rec = recorder();
    informer.addEventHandler(rec.handler);
    const abort = new AbortController();
    const running = informer.run(abort.signal);
    await informer.waitForCacheSync();
    await until(() => rec.seen.length === 2, "the initial adds");

    // While the watch is down the history moves on and is compacted: resuming is 410.
    api.streaming = false;
    const blocker = api.watch; // hold new watches until the changes are made
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    api.watch = (o) => ({
      async *[Symbol.asyncIterator]() {
        await held;
        yield* blocker.call(api, o);
      },
    });
    api.cutAll();
    api.remove(gone);
    const kept = api.update({ ...keep, spec: { n: 2 } });
    api.create(thing("new"));
    api.compact();
    release();

    await until(() => rec.seen.length === 5, "the relist's notifications");
    expect(rec.seen.slice(2)).toEqual([
      `update keep ${keep.metadata!.resourceVersion}->${kept.metadata!.resourceVersion}`,
      "add new false",
      "delete a/gone (final state unknown)",
    ]);
    expect(rec.tombstones[0]!.obj.metadata!.name).toBe("gone");
    expect(informer.indexer.listKeys().sort()).toEqual(["a/keep", "a/new"]);
    // The relist after 410 is a consistent read.
    expect(api.calls.filter((c) => c.verb === "list").at(-1)!.options.resourceVersion).toBe("");
    abort.abort();
    await running;
  });

  it("transforms objects before caching and telling, from the list and from the watch", async () => {
    const api = new MemoryApi<Thing>();
    api.create({ ...thing("x"), metadata: { name: "x", namespace: "a", managedFields: [{ manager: "m" }] } });
    const informer = new SharedIndexInformer<Thing>(api, {
      ...fast,
      transform: (o) => {
        delete o.metadata?.managedFields;
        return o;
      },
    });
    const told: Thing[] = [];
    informer.addEventHandler({ onAdd: (o) => void told.push(o) });
    const abort = new AbortController();
    const running = informer.run(abort.signal);
    await informer.waitForCacheSync();
    api.create({ ...thing("y"), metadata: { name: "y", namespace: "a", managedFields: [{ manager: "m" }] } });
    await until(() => told.length === 2, "two adds");
    expect(told.map((o) => o.metadata!.managedFields)).toEqual([undefined, undefined]);
    expect(informer.indexer.list().every((o) => o.metadata!.managedFields === undefined)).toBe(true);
    abort.abort();
    await running;
  });

  it("replays the cache to a late handler, resyncs, and keeps going when a handler throws", async () => {
    const api = new MemoryApi<Thing>();
    api.create(thing("x"));
    api.create(thing("y"));
    const handlerErrors: unknown[] = [];
    const informer = new SharedIndexInformer<Thing>(api, {
      ...fast,
      onHandlerError: (e) => handlerErrors.push(e),
    });
    const abort = new AbortController();
    const running = informer.run(abort.signal);
    await informer.waitForCacheSync();

    const late = recorder();
    const registration = informer.addEventHandler(late.handler);
    await until(() => registration.hasSynced(), "the late handler's replay");
    expect(late.seen.sort()).toEqual(["add x true", "add y true"]);

    const resyncs: string[] = [];
    informer.addEventHandler(
      {
        onUpdate: (old, o) => {
          if (old === o) resyncs.push(o.metadata!.name!);
        },
      },
      { resyncPeriodMs: 10 }, // raised to the 1 s minimum
    );
    const failing: string[] = [];
    informer.addEventHandler({
      onAdd: async (o) => {
        failing.push(o.metadata!.name!);
        if (o.metadata!.name === "x") throw new Error("handler failed");
      },
    });
    const started = Date.now();
    await until(() => resyncs.length >= 2, "a resync", 3000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(resyncs.sort()).toEqual(["x", "y"]);
    expect(failing.sort()).toEqual(["x", "y"]);
    expect(handlerErrors).toHaveLength(1);
    registration.remove();
    api.create(thing("z"));
    await until(() => failing.length === 3, "the failing handler's next add");
    expect(late.seen).toHaveLength(2);
    abort.abort();
    await running;
  });

  it("waitForCacheSync answers false when stopped before the first sync", async () => {
    const api = new MemoryApi<Thing>();
    api.list = () => Promise.reject(new Error("no list today"));
    api.streaming = false;
    const informer = new SharedIndexInformer<Thing>(api, fast);
    const abort = new AbortController();
    const running = informer.run(abort.signal);
    setTimeout(() => abort.abort(), 50);
    expect(await informer.waitForCacheSync()).toBe(false);
    await running;
    expect(informer.hasSynced()).toBe(false);
    await expect(informer.run(new AbortController().signal)).rejects.toThrow(/runs once/);
  });
});

describe("Lister", () => {
  const store = new Indexer<Thing>({ [namespaceIndex]: (t) => [t.metadata?.namespace ?? ""] });
  const labelled = (name: string, namespace: string, labels: Record<string, string>): Thing => ({
    metadata: { name, namespace, labels },
  });
  store.add(labelled("web-0", "a", { app: "web", tier: "front" }));
  store.add(labelled("web-1", "b", { app: "web" }));
  store.add(labelled("db-0", "a", { app: "db" }));
  const lister = new Lister(store, { group: "example.com", plural: "things", namespaced: true });
  const names = (things: Thing[]) => things.map((t) => t.metadata!.name).sort();

  it("lists by label selector, as text or parsed, across namespaces or in one", () => {
    expect(names(lister.list())).toEqual(["db-0", "web-0", "web-1"]);
    expect(names(lister.list("app=web"))).toEqual(["web-0", "web-1"]);
    expect(names(lister.list("app in (db),!tier"))).toEqual(["db-0"]);
    expect(names(lister.list(parseLabelSelector("tier")))).toEqual(["web-0"]);
    expect(names(lister.namespace("a").list("app=web"))).toEqual(["web-0"]);
    expect(names(lister.namespace("c").list())).toEqual([]);
    expect(() => lister.list("app in (")).toThrow(/label selector/);
  });

  it("gets by name, answering NotFound as the apiserver words it", () => {
    expect(lister.namespace("b").get("web-1").metadata!.labels).toEqual({ app: "web" });
    let err: unknown;
    try {
      lister.namespace("b").get("web-0");
    } catch (e) {
      err = e;
    }
    expect(isNotFound(err)).toBe(true);
    expect((err as Error).message).toBe('things.example.com "web-0" not found');
  });
});

describe("SharedInformerFactory", () => {
  it("makes one informer per resource, starts late ones at once, and reports each sync", async () => {
    const apis = new Map<string, MemoryApi<Thing>>();
    const factory = new SharedInformerFactory((resource) => {
      const api = new MemoryApi<Thing>();
      api.create(thing(`${resource.plural}-1`));
      apis.set(resource.plural, api);
      return api;
    }, fast);
    const descriptor = (plural: string, verbs: Verb[] = ["list", "watch"]) =>
      ({
        group: "example.com",
        version: "v1",
        plural,
        singular: "",
        kind: "",
        listKind: "",
        namespaced: true,
        verbs,
        subresources: [],
      }) as const;
    const things = factory.forResource<Thing>(descriptor("things"));
    expect(factory.forResource<Thing>(descriptor("things"))).toBe(things);
    expect(() => factory.forResource(descriptor("unwatchable", ["list"]))).toThrow(/does not allow watch/);
    factory.start();
    const late = factory.forResource<Thing>(descriptor("gadgets"));
    expect(await factory.waitForCacheSync()).toEqual({
      "example.com/v1/things": true,
      "example.com/v1/gadgets": true,
    });
    expect(things.lister.list().map((t) => t.metadata!.name)).toEqual(["things-1"]);
    expect(late.lister.namespace("a").get("gadgets-1").metadata!.name).toBe("gadgets-1");
    expect(apis.size).toBe(2);
    await factory.shutdown();
    expect(things.informer.isStopped && late.informer.isStopped).toBe(true);
  });

  it("runs hundreds of informers on one caller's signal with one listener on it, and stops them all", async () => {
    const factory = new SharedInformerFactory(() => {
      const api = new MemoryApi<Thing>();
      api.create(thing("one"));
      return api;
    }, fast);
    const informers = Array.from({ length: 200 }, (_, i) =>
      factory.forResource<Thing>({
        group: "example.com",
        version: "v1",
        plural: `things${i}`,
        singular: "",
        kind: "",
        listKind: "",
        namespaced: true,
        verbs: ["list", "watch"],
        subresources: [],
      }),
    );
    const stop = new AbortController();
    const wait = new AbortController();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    try {
      factory.start(stop.signal);
      const syncing = factory.waitForCacheSync(wait.signal);
      expect(getEventListeners(wait.signal, "abort")).toHaveLength(1);
      const synced = await syncing;
      expect(Object.values(synced)).toEqual(Array(200).fill(true));
      // Done waiting: nothing is left listening on the caller's signal.
      expect(getEventListeners(wait.signal, "abort")).toHaveLength(0);
      expect(informers.every((i) => i.lister.list().length === 1)).toBe(true);
      stop.abort();
      await until(() => informers.every((i) => i.informer.isStopped), "every informer to stop");
      await new Promise((r) => setImmediate(r));
      expect(warnings).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });
});
