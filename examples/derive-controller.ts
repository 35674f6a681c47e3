// The derive controller of examples/controller.ts, as a module its unit test can drive with the
// fake clientset (test/examples/derive-controller.test.ts): for each ConfigMap labelled
// example=controller it writes a ConfigMap `<name>-derived` summarizing it (key count, sha256 of
// the data), owned by the source, and records an Event on the source.
import { createHash } from "node:crypto";
import {
  defaultControllerRateLimiter,
  type EventRecorder,
  EventTypes,
  isNotFound,
  type Lister,
  metaNamespaceKey,
  RateLimitingQueue,
  splitMetaNamespaceKey,
} from "kubegen";
import { type Clientset, type coreV1, InformerFactory } from "kubegen/kubernetes";

/** What the controller needs: a clientset (real or fake), its namespace, an event recorder. */
export interface DeriveControllerOptions {
  clientset: Clientset;
  namespace: string;
  recorder: EventRecorder;
  /** Names whose first reconcile fails, to show the retry path. */
  flaky?: Iterable<string>;
  /** Told of each failed reconcile before its key is retried. */
  onRetry?: (name: string, err: Error) => void;
}

/** The name of a source's derived ConfigMap. */
export const derivedName = (source: string): string => `${source}-derived`;

/** The summary written for a source: deterministic, whatever order the keys came in. */
export function summarize(data: Record<string, string>): { keys: string; sha256: string } {
  const canonical = JSON.stringify(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : 1)));
  const sha256 = createHash("sha256").update(canonical).digest("hex").slice(0, 12);
  return { keys: String(Object.keys(data).length), sha256 };
}

/** Makes `<name>-derived` match the source `key` names; throwing retries the key later. */
async function reconcile(
  options: DeriveControllerOptions,
  flaky: Set<string>,
  lister: Lister<coreV1.ConfigMap>,
  key: string,
): Promise<void> {
  const { clientset, namespace, recorder } = options;
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
  await clientset.coreV1
    .configMaps(namespace)
    .apply(
      { metadata: { name: derivedName(name), labels, ownerReferences: [owner] }, data: summary },
      { fieldManager: "derive-controller", force: true },
    );
  // The reference carries the resourceVersion, so each version of a source gets its own Event.
  const regarding = { apiVersion: "v1", kind: "ConfigMap", metadata: source.metadata };
  const note = `wrote ${derivedName(name)}: keys=${summary.keys} sha256=${summary.sha256}`;
  await recorder.eventf(regarding, undefined, EventTypes.normal, "Derived", "Reconcile", note);
}

/** The controller: runs until `signal` aborts (leadership ended), then drains and stops. */
export async function runDeriveController(
  options: DeriveControllerOptions,
  signal: AbortSignal,
): Promise<void> {
  if (signal.aborted) return;
  const { clientset, namespace } = options;
  const flaky = new Set(options.flaky ?? []);
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
        await reconcile(options, flaky, lister, key);
        queue.forget(key);
      } catch (err) {
        options.onRetry?.(splitMetaNamespaceKey(key).name, err as Error);
        queue.addRateLimited(key); // again after 5 ms, 10 ms, 20 ms, ...
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all([worker(), worker()]);
  await factory.shutdown();
}
