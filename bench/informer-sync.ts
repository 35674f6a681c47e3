/**
 * One run of one scenario of the informer benchmark, in a fresh process: `bench/informer.ts` forks
 * this file with `--expose-gc` and the fixture server's URL, and receives a {@link SyncResult}.
 *
 * Every scenario loads the same modules and makes its client before the heap baseline, so the
 * scenarios differ only in how they read and what they keep. What each holds is checked before it
 * is measured (the count, how the initial state was read, what the objects contain), so a
 * scenario that read the wrong thing fails instead of printing a number.
 */
import { request } from "undici";
import { Clientset } from "../generated/kubernetes/index.js";
import {
  type ClientConfig,
  type KubeObject,
  MetadataClient,
  MetadataInformerFactory,
  SharedIndexInformer,
} from "../runtime/index.js";

/** How each scenario reads the pods; the raw list is the anchor the others are compared with. */
interface ScenarioSpec {
  /** The informer's initial list; none for the raw list. */
  initialList?: "list" | "streaming";
  dropManagedFields?: boolean;
  metadataOnly?: boolean;
}

export const scenarios = {
  "raw list held": {},
  "informer, list": { initialList: "list" },
  "informer, streaming list": { initialList: "streaming" },
  "informer, list, managedFields dropped": { initialList: "list", dropManagedFields: true },
  "informer, streaming list, managedFields dropped": { initialList: "streaming", dropManagedFields: true },
  "informer, list, metadata only": { initialList: "list", metadataOnly: true },
  "informer, list, metadata only, managedFields dropped": {
    initialList: "list",
    metadataOnly: true,
    dropManagedFields: true,
  },
} as const satisfies Record<string, ScenarioSpec>;
export type Scenario = keyof typeof scenarios;

/** What one run measured. */
export interface SyncResult {
  scenario: Scenario;
  items: number;
  /** From the first request to the synced cache (or, for the raw list, the parsed items). */
  syncMs: number;
  /** `process.resourceUsage().maxRSS`: the process's peak, start-up included. */
  maxRssBytes: number;
  /** `heapUsed` after the sync and a full GC, less `heapUsed` after a full GC before it. */
  retainedHeapBytes: number;
  /** The process's RSS before the sync (modules loaded, client made). */
  rssBeforeBytes: number;
}

/** What a scenario keeps alive until it is measured, and how to let go of it. */
interface Held {
  /** The objects kept: checked, and counted. */
  objects(): readonly KubeObject[];
  /** How the initial state was read, for the informers. */
  initialList?: "streaming" | "list";
  stop(): Promise<void>;
}

function fail(message: string): never {
  throw new Error(`informer bench: ${message}`);
}

async function rawList(url: string): Promise<Held> {
  const { statusCode, body } = await request(`${url}/api/v1/pods`, {
    headers: { accept: "application/json" },
  });
  if (statusCode !== 200) fail(`the raw list answered ${statusCode}`);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  const { items } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { items: KubeObject[] };
  return { objects: () => items, stop: async () => {} };
}

const dropManagedFields = (obj: KubeObject) => {
  delete obj.metadata?.managedFields;
  return obj;
};

async function informer(config: ClientConfig, spec: ScenarioSpec): Promise<() => Promise<Held>> {
  const clientset = Clientset.forConfig(config);
  const informer = new SharedIndexInformer(clientset.coreV1.pods(), {
    initialList: spec.initialList,
    pageSize: 500,
    transform: spec.dropManagedFields ? dropManagedFields : undefined,
  });
  return async () => {
    const stop = new AbortController();
    const running = informer.run(stop.signal);
    if (!(await informer.waitForCacheSync(stop.signal))) fail("the informer did not sync");
    return {
      objects: () => informer.indexer.list(),
      initialList: informer.lastInitialList,
      stop: async () => {
        stop.abort();
        await running;
        await clientset.close();
      },
    };
  };
}

async function metadataInformer(config: ClientConfig, spec: ScenarioSpec): Promise<() => Promise<Held>> {
  const client = MetadataClient.forConfig(config);
  const factory = new MetadataInformerFactory(client, {
    initialList: spec.initialList,
    pageSize: 500,
    transform: spec.dropManagedFields ? dropManagedFields : undefined,
  });
  const { informer } = factory.forResource({ group: "", version: "v1", resource: "pods" });
  return async () => {
    const stop = new AbortController();
    factory.start(stop.signal);
    const synced = await factory.waitForCacheSync(stop.signal);
    if (!Object.values(synced).every(Boolean)) fail("the metadata informer did not sync");
    return {
      objects: () => informer.indexer.list(),
      initialList: informer.lastInitialList,
      stop: async () => {
        await factory.shutdown();
        await client.close();
      },
    };
  };
}

/** Throws unless `held` is what `scenario` should have read: `count` pods, in the form it asked for. */
function check(scenario: Scenario, held: Held, count: number): void {
  const spec: ScenarioSpec = scenarios[scenario];
  const objects = held.objects();
  if (objects.length !== count) fail(`${scenario}: holds ${objects.length} objects, not ${count}`);
  if (held.initialList !== spec.initialList)
    fail(`${scenario}: the initial state was read by ${held.initialList}, not ${spec.initialList}`);
  const sample = objects[count >> 1] as KubeObject & { spec?: unknown };
  const metadataOnly = sample.kind === "PartialObjectMetadata" && sample.spec === undefined;
  if (metadataOnly !== Boolean(spec.metadataOnly) || (!metadataOnly && sample.spec === undefined))
    fail(
      `${scenario}: holds ${sample.kind ?? "kindless"} objects ${sample.spec === undefined ? "without" : "with"} a spec`,
    );
  if ((sample.metadata?.managedFields === undefined) !== Boolean(spec.dropManagedFields))
    fail(`${scenario}: holds objects ${spec.dropManagedFields ? "with" : "without"} managedFields`);
}

async function main(): Promise<void> {
  const [scenario, url, countText] = process.argv.slice(2) as [Scenario, string, string];
  const spec: ScenarioSpec = scenarios[scenario] ?? fail(`unknown scenario ${scenario}`);
  const gc = globalThis.gc ?? fail("run with --expose-gc");
  const count = Number(countText);
  const config: ClientConfig = {
    server: url,
    namespace: "default",
    tls: {},
    auth: { type: "none" },
    // The client-side rate limit (5 qps by default) would pace the 100 pages of 500: measured here
    // is the client's own work.
    qps: -1,
  };
  const sync =
    spec.initialList === undefined
      ? () => rawList(url)
      : spec.metadataOnly
        ? await metadataInformer(config, spec)
        : await informer(config, spec);

  gc();
  gc();
  const { heapUsed: baseline, rss: rssBeforeBytes } = process.memoryUsage();
  const start = performance.now();
  const held = await sync();
  const syncMs = performance.now() - start;
  gc();
  gc();
  const retainedHeapBytes = process.memoryUsage().heapUsed - baseline;
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  check(scenario, held, count);
  await held.stop();
  const result: SyncResult = {
    scenario,
    items: count,
    syncMs,
    maxRssBytes,
    retainedHeapBytes,
    rssBeforeBytes,
  };
  process.send?.(result, () => process.exit(0));
}

// Run as a program; `bench/informer.ts` imports only the scenarios' names.
if (process.argv[1] === import.meta.filename) await main();
