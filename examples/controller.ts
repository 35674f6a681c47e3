// A controller as an operator would write one: it runs only while it holds a Lease, follows
// ConfigMaps labelled example=controller through an informer, and for each writes a ConfigMap
// `<name>-derived` summarizing it (key count, sha256 of the data), owned by the source so the
// garbage collector removes it with its source. Every reconcile records an Event on the source.
import { createHash } from "node:crypto";
import { hostname } from "node:os";
import {
  defaultControllerRateLimiter,
  EventRecorder,
  EventTypes,
  isNotFound,
  type Lister,
  loadKubeconfig,
  metaNamespaceKey,
  RateLimitingQueue,
  runLeaderElection,
  splitMetaNamespaceKey,
} from "kubegen";
import { Clientset, type coreV1, InformerFactory } from "kubegen/kubernetes";

const config = await loadKubeconfig();
const namespace = config.namespace;
const clientset = Clientset.forConfig(config);
const configMaps = clientset.coreV1.configMaps(namespace);
const identity = `${hostname()}-${process.pid}`;
const recorder = new EventRecorder({
  clientset,
  reportingController: "example.com/derive-controller",
  reportingInstance: identity,
  onError: (err) => console.error("recording an Event:", err),
});
const flaky = new Set(["source-a"]); // its first reconcile fails, to show the retry path
const retried: string[] = [];

/** The summary written for a source: deterministic, whatever order the keys came in. */
function summarize(data: Record<string, string>): { keys: string; sha256: string } {
  const canonical = JSON.stringify(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : 1)));
  const sha256 = createHash("sha256").update(canonical).digest("hex").slice(0, 12);
  return { keys: String(Object.keys(data).length), sha256 };
}

/** Makes `<name>-derived` match the source `key` names; throwing retries the key later. */
async function reconcile(lister: Lister<coreV1.ConfigMap>, key: string): Promise<void> {
  const { namespace: ns = namespace, name } = splitMetaNamespaceKey(key);
  let source: coreV1.ConfigMap;
  try {
    source = lister.namespace(ns).get(name);
  } catch (err) {
    // Deleted: nothing to do, its derived ConfigMap goes with it through the ownerReference.
    if (isNotFound(err)) return;
    throw err;
  }
  if (flaky.delete(name)) throw new Error("simulated transient error");
  const summary = { source: name, ...summarize(source.data ?? {}) };
  const uid = source.metadata?.uid ?? "";
  const owner = { apiVersion: "v1", kind: "ConfigMap", name, uid, controller: true };
  const labels = { example: "controller-derived" };
  // Server-side apply: create or update in one idempotent call, owning exactly these fields.
  await configMaps.apply(
    { metadata: { name: `${name}-derived`, labels, ownerReferences: [owner] }, data: summary },
    { fieldManager: "derive-controller", force: true },
  );
  // The reference carries the resourceVersion, so each version of a source gets its own Event.
  const regarding = { apiVersion: "v1", kind: "ConfigMap", metadata: source.metadata };
  const note = `wrote ${name}-derived: keys=${summary.keys} sha256=${summary.sha256}`;
  await recorder.eventf(regarding, undefined, EventTypes.normal, "Derived", "Reconcile", note);
}

/** The controller: runs until `signal` aborts (leadership ended), then drains and stops. */
async function runController(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  const factory = new InformerFactory(clientset, {
    namespace,
    labelSelector: "example=controller",
    // The cache needs no managedFields; dropping them saves memory on every object.
    transform: (obj) => {
      delete obj.metadata?.managedFields;
      return obj;
    },
  });
  const { informer, lister } = factory.coreV1.configMaps();
  const queue = new RateLimitingQueue<string>(defaultControllerRateLimiter());
  // Queue keys, never objects: a worker reads the latest state from the cache when it gets there.
  informer.addEventHandler({
    onAdd: (obj) => queue.add(metaNamespaceKey(obj)),
    onUpdate: (_, obj) => queue.add(metaNamespaceKey(obj)),
    onDelete: (obj) => queue.add(metaNamespaceKey(obj)),
  });
  signal.addEventListener("abort", () => void queue.shutDownWithDrain(), { once: true });
  factory.start(signal);
  // Workers start once the cache has synced: before that, a lister miss could be an object not
  // yet listed rather than a deleted one.
  await factory.waitForCacheSync(signal);
  const worker = async (): Promise<void> => {
    for await (const key of queue) {
      try {
        await reconcile(lister, key);
        queue.forget(key);
      } catch (err) {
        retried.push(`${splitMetaNamespaceKey(key).name} (${(err as Error).message})`);
        queue.addRateLimited(key); // again after 5 ms, 10 ms, 20 ms, ...
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all([worker(), worker()]);
  await factory.shutdown();
}

/** Polls until `check` holds: the program watches its own controller converge. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (const deadline = Date.now() + 30_000; !(await check()); ) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the controller");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const derived = async () => (await configMaps.list({ labelSelector: "example=controller-derived" })).items;

const sources = { "source-a": { a: "1", b: "2" }, "source-b": { x: "y" }, "source-c": {} };
for (const [name, data] of Object.entries(sources)) {
  await configMaps.create({ metadata: { name, labels: { example: "controller" } }, data });
}

const stop = new AbortController();
let controller: Promise<void> = Promise.resolve();
const election = runLeaderElection({
  clientset,
  namespace,
  name: "derive-controller",
  identity,
  // Short enough for an example; the defaults (15 s, 10 s, 2 s) suit real deployments.
  leaseDurationMs: 4000,
  renewDeadlineMs: 3000,
  retryPeriodMs: 1000,
  releaseOnCancel: true,
  signal: stop.signal,
  onError: (err) => console.error("leader election:", err),
  callbacks: {
    onStartedLeading: (leading) => {
      controller = runController(leading);
    },
  },
});

await eventually(async () => (await derived()).length === 3);
const changed = { x: "z", y: "w" };
await configMaps.update({ metadata: { name: "source-b", labels: { example: "controller" } }, data: changed });
const expected = summarize(changed).sha256;
await eventually(async () => (await derived()).some((d) => d.data?.sha256 === expected));

// Stopping: leadership ends, the Lease is released, the queue drains and the informers stop.
stop.abort();
await election;
await controller;

const lines = (await derived()).map((d) => {
  const owner = d.metadata?.ownerReferences?.map((o) => `${o.kind}/${o.name}`).join(",");
  return `${d.metadata?.name}: keys=${d.data?.keys} sha256=${d.data?.sha256} owner=${owner}`;
});
for (const line of lines.sort()) console.log(line);
console.log(`retried: ${retried.join("; ")}`);
const events = (await clientset.eventsV1.events(namespace).list()).items
  .filter((e) => e.reportingController === "example.com/derive-controller")
  .map((e) => `event ${e.type} ${e.reason} ${e.regarding?.kind}/${e.regarding?.name}: ${e.note}`);
for (const line of events.sort()) console.log(line);
const lease = await clientset.coordinationV1.leases(namespace).get("derive-controller");
console.log(`released lease: ${lease.spec?.holderIdentity === ""}`);

// Without a garbage collector (a bare apiserver), the derived objects need deleting too.
await configMaps.deleteCollection({ labelSelector: "example in (controller, controller-derived)" });
await clientset.coordinationV1.leases(namespace).delete("derive-controller");
await clientset.close();
