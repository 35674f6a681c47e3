/**
 * An informer that nothing stops, on a control plane of this file's own (so its apiserver can be
 * restarted, and etcd compacted every 4 s with the watch cache off, so old resourceVersions
 * expire quickly):
 *
 * - connections cut mid-stream by a loopback TCP proxy, again and again, while changes are made:
 *   the watch resumes from the last resourceVersion, without listing, and every change is told
 *   once, in order;
 * - the kube-apiserver stopped and started again: nothing lost, nothing told twice;
 * - a partition long enough for the informer's resourceVersion to be compacted: the watch gets
 *   410, the informer lists again, swaps its cache whole and tells the deletes it missed as
 *   DeletedFinalStateUnknown.
 *
 * Every test ends with the cache equal to a fresh list.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { ConfigMap } from "../../generated/kubernetes/core/v1.js";
import { Clientset } from "../../generated/kubernetes/index.js";
import type { ClientConfig } from "../../runtime/config/types.js";
import { isGone, isResourceExpired, isTransportError } from "../../runtime/errors.js";
import { SharedIndexInformer } from "../../runtime/tools/cache/informer.js";
import type { ListerWatcher } from "../../runtime/tools/cache/reflector.js";
import { DeletedFinalStateUnknown } from "../../runtime/tools/cache/store.js";
import { type ControlPlane, startControlPlane } from "../cluster/control-plane.js";
import { clientConfigFor } from "../support/client-config.js";
import { configThroughProxy, startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

let cp: ControlPlane;
let config: ClientConfig;
let direct: Clientset;
let proxy: TcpProxy;
let viaProxy: Clientset;

beforeAll(async () => {
  cp = await startControlPlane({ log: () => {}, etcdCompactionInterval: "4s", watchCache: false });
  config = { ...(await clientConfigFor(undefined, cp.kubeconfig)), qps: -1 };
  direct = Clientset.forConfig(config);
  proxy = await startTcpProxy(Number(new URL(cp.server).port));
  viaProxy = Clientset.forConfig(configThroughProxy(config, proxy));
}, 120_000);

afterAll(async () => {
  await viaProxy?.close();
  await direct?.close();
  await proxy?.close();
  await cp?.stop();
});

const until = async (check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

interface Seen {
  type: "add" | "update" | "delete";
  name: string;
  rv: string;
  tombstone?: boolean;
}

/**
 * An informer on `default`'s ConfigMaps labelled `set=<set>`, through `clientset`, counting the
 * initial lists (a list, or a streaming list's watch) it makes and recording what it is told.
 */
async function informerOn(clientset: Clientset, set: string) {
  const configMaps = clientset.coreV1.configMaps("default");
  let initialLists = 0;
  const source: ListerWatcher<ConfigMap> = {
    list: (o) => {
      initialLists++;
      return configMaps.list(o);
    },
    watch: (o) => {
      if (o.sendInitialEvents) initialLists++;
      return configMaps.watch(o);
    },
  };
  const errors: unknown[] = [];
  const informer = new SharedIndexInformer(source, {
    labelSelector: `set=${set}`,
    // Short waits between reconnects keep the test short; the behaviour is the default's.
    backoff: { initialMs: 100, maxMs: 1000 },
    onWatchError: (err) => errors.push(err),
  });
  const seen: Seen[] = [];
  const tombstones: DeletedFinalStateUnknown<ConfigMap>[] = [];
  const record = (type: Seen["type"], cm: ConfigMap) => {
    seen.push({ type, name: cm.metadata!.name!, rv: cm.metadata!.resourceVersion! });
  };
  informer.addEventHandler({
    onAdd: (cm) => record("add", cm),
    onUpdate: (_, cm) => record("update", cm),
    onDelete: (cm) => {
      if (cm instanceof DeletedFinalStateUnknown) {
        tombstones.push(cm);
        seen.push({ type: "delete", name: cm.obj.metadata!.name!, rv: "", tombstone: true });
      } else record("delete", cm);
    },
  });
  const abort = new AbortController();
  const running = informer.run(abort.signal);
  onTestFinished(() => {
    abort.abort();
    return running;
  });
  expect(await informer.waitForCacheSync()).toBe(true);
  return {
    informer,
    seen,
    tombstones,
    errors,
    get initialLists() {
      return initialLists;
    },
  };
}

/** The cache holds exactly what a fresh list returns: names, resourceVersions, data. */
async function expectCacheEqualsFreshList(
  informer: SharedIndexInformer<ConfigMap>,
  set: string,
): Promise<void> {
  const fresh = await direct.coreV1.configMaps("default").list({ labelSelector: `set=${set}` });
  const summary = (items: ConfigMap[]) =>
    items.map((c) => `${c.metadata!.name} ${c.metadata!.resourceVersion} ${JSON.stringify(c.data)}`).sort();
  expect(summary(informer.indexer.list())).toEqual(summary(fresh.items));
}

const expectGrowing = (seen: Seen[]) => {
  for (let i = 1; i < seen.length; i++) expect(BigInt(seen[i]!.rv) > BigInt(seen[i - 1]!.rv)).toBe(true);
};

describe("an informer that recovers", () => {
  it("resumes through connections cut mid-stream: every change once, in order, no relist", async () => {
    const watched = await informerOn(viaProxy, "cuts");
    const cms = direct.coreV1.configMaps("default");
    const expected: Seen[] = [];
    const acceptedBefore = proxy.accepted;
    let cuts = 0;
    for (let i = 0; i < 200; i++) {
      const name = `cut-${i % 150}`;
      const made =
        i < 150
          ? await cms.create({ metadata: { name, labels: { set: "cuts" } }, data: { i: String(i) } })
          : await cms.update({ metadata: { name, labels: { set: "cuts" } }, data: { i: String(i) } });
      expected.push({ type: i < 150 ? "add" : "update", name, rv: made.metadata!.resourceVersion! });
      if (i % 25 === 12) {
        proxy.cutAll();
        cuts++;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    await until(() => watched.seen.length >= 200, "200 notifications");
    await new Promise((r) => setTimeout(r, 300));
    expect(cuts).toBe(8);
    expect(watched.seen).toEqual(expected);
    expectGrowing(watched.seen);
    // Each cut broke the open watch with a connection error (a cut that found the watch between
    // connections breaks nothing), and the informer connected again.
    expect(watched.errors.length).toBeGreaterThanOrEqual(cuts / 2);
    expect(watched.errors.length).toBeLessThanOrEqual(cuts);
    expect(watched.errors.every((e) => isTransportError(e, "ECONNECTION"))).toBe(true);
    expect(proxy.accepted - acceptedBefore).toBeGreaterThanOrEqual(watched.errors.length);
    // Resumed, never listed again.
    expect(watched.initialLists).toBe(1);
    await expectCacheEqualsFreshList(watched.informer, "cuts");
  }, 120_000);

  it("loses nothing and repeats nothing across an apiserver restart", async () => {
    const watched = await informerOn(direct, "restart");
    const cms = direct.coreV1.configMaps("default");
    const expected: Seen[] = [];
    for (let i = 0; i < 40; i++) {
      const c = await cms.create({ metadata: { name: `before-${i}`, labels: { set: "restart" } } });
      expected.push({ type: "add", name: `before-${i}`, rv: c.metadata!.resourceVersion! });
    }
    await until(() => watched.seen.length === 40, "the changes made before the stop");

    await cp.stopApiserver();
    await new Promise((r) => setTimeout(r, 1500)); // the informer finds the server gone
    await cp.startApiserver();

    // After the restart, each object changes once, so whether the informer resumes its watch or
    // (its resourceVersion compacted meanwhile) lists again, it must be told exactly these.
    for (let i = 0; i < 40; i++) {
      const c = await cms.create({ metadata: { name: `after-${i}`, labels: { set: "restart" } } });
      expected.push({ type: "add", name: `after-${i}`, rv: c.metadata!.resourceVersion! });
    }
    for (let i = 0; i < 20; i++) {
      const u = await cms.update({
        metadata: { name: `before-${i}`, labels: { set: "restart" } },
        data: { v: "2" },
      });
      expected.push({ type: "update", name: `before-${i}`, rv: u.metadata!.resourceVersion! });
    }
    await until(() => watched.seen.length >= 100, "100 notifications");
    await new Promise((r) => setTimeout(r, 300));
    const key = (s: Seen) => `${s.type} ${s.name} ${s.rv}`;
    expect(watched.seen.map(key).sort()).toEqual(expected.map(key).sort());
    expect(new Set(watched.seen.map(key)).size).toBe(watched.seen.length);
    // The watch broke while the server was down.
    expect(watched.errors.length).toBeGreaterThan(0);
    if (watched.initialLists === 1) expectGrowing(watched.seen);
    await expectCacheEqualsFreshList(watched.informer, "restart");
  }, 120_000);

  it("lists again after 410 and tells the deletes it missed as final state unknown", async () => {
    const cms = direct.coreV1.configMaps("default");
    for (let i = 0; i < 30; i++)
      await cms.create({ metadata: { name: `exp-${i}`, labels: { set: "expiry" } } });
    const watched = await informerOn(viaProxy, "expiry");
    await until(() => watched.seen.length === 30, "the initial adds");
    const lastSeen = watched.informer.lastSyncResourceVersion;

    // A partition: the informer cannot reach the apiserver while the state moves on.
    proxy.blocked = true;
    onTestFinished(() => {
      proxy.blocked = false;
    });
    const expected: Seen[] = [];
    for (let i = 0; i < 10; i++) {
      await cms.delete(`exp-${i}`);
      expected.push({ type: "delete", name: `exp-${i}`, rv: "", tombstone: true });
    }
    for (let i = 10; i < 20; i++) {
      const u = await cms.update({
        metadata: { name: `exp-${i}`, labels: { set: "expiry" } },
        data: { v: "2" },
      });
      expected.push({ type: "update", name: `exp-${i}`, rv: u.metadata!.resourceVersion! });
    }
    for (let i = 30; i < 40; i++) {
      const c = await cms.create({ metadata: { name: `exp-${i}`, labels: { set: "expiry" } } });
      expected.push({ type: "add", name: `exp-${i}`, rv: c.metadata!.resourceVersion! });
    }
    // Wait until etcd has compacted past the informer's resourceVersion.
    const deadline = Date.now() + 40_000;
    let compacted = false;
    while (!compacted && Date.now() < deadline) {
      const probe = cms.watch({ resourceVersion: lastSeen, timeoutSeconds: 2 })[Symbol.asyncIterator]();
      try {
        await probe.next();
        await probe.return?.();
        await new Promise((r) => setTimeout(r, 1000));
      } catch (err) {
        compacted = isResourceExpired(err) || isGone(err);
      }
    }
    expect(compacted).toBe(true);
    proxy.blocked = false;

    await until(() => watched.seen.length >= 60, "the relist's notifications");
    await new Promise((r) => setTimeout(r, 300));
    const told = watched.seen.slice(30);
    const key = (s: Seen) => `${s.type} ${s.name} ${s.rv}${s.tombstone ? " tombstone" : ""}`;
    expect(told.map(key).sort()).toEqual(expected.map(key).sort());
    // The tombstones carry the last state the cache knew.
    expect(watched.tombstones.map((t) => t.key).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `default/exp-${i}`).sort(),
    );
    expect(watched.errors.some((e) => isResourceExpired(e) || isGone(e))).toBe(true);
    expect(watched.initialLists).toBe(2);
    await expectCacheEqualsFreshList(watched.informer, "expiry");
  }, 120_000);
});
