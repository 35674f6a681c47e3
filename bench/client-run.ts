/**
 * One run of one client in one scenario of `bench/clients.ts`, in a fresh process (forked with
 * `--expose-gc`): it reads the pods from the fixture server (`bench/pod-server.ts`), checks what it
 * read, and sends a {@link RunResult} to its parent.
 *
 * Clients:
 * - `limit`: what the platform does at best: undici `request()`, the chunks joined by one
 *   `Buffer.concat`, `toString`, `JSON.parse` (watch: lines split, each parsed); concurrent GETs
 *   through undici's default pool;
 * - `kubegen`: the clientset (HTTP/1.1, connections capped as by default); `kubegen-uncapped` and
 *   `kubegen-h2` only in the concurrent GETs scenario;
 * - `client-node`: @kubernetes/client-node 1.4.0.
 */
import { setMaxListeners } from "node:events";
import { Agent, request } from "undici";
import { Clientset } from "../generated/kubernetes/index.js";
import type { ClientConfig, HttpClientOptions } from "../runtime/index.js";

export const listClients = ["limit", "kubegen", "client-node"] as const;
export const getsClients = ["limit", "kubegen", "kubegen-uncapped", "kubegen-h2", "client-node"] as const;
export const watchesClients = ["limit", "kubegen", "kubegen-h2"] as const;
export type Client = (typeof getsClients)[number];
export type Scenario = "list" | "list-paged" | "watch" | "gets" | "watches";

/** What one run measured. */
export interface RunResult {
  /** Wall time from the first request to the items in hand. */
  ms: number;
  /** CPU time (user + system) of this process over the same span. */
  cpuMs: number;
  /** `process.resourceUsage().maxRSS`: the process's peak, start-up included. */
  maxRssBytes: number;
  /** Heap retained by what was read (the items), after a full GC. */
  retainedHeapBytes: number;
  items: number;
  /** Concurrent GETs: connections the server accepted, and the median latency. */
  connections?: number;
  p50Ms?: number;
}

interface Pod {
  metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> };
  spec?: unknown;
}

const pageSize = 500;
const concurrentGets = 1000;
const concurrentWatches = 200;

function fail(message: string): never {
  throw new Error(`client bench: ${message}`);
}

// ---- the limit -------------------------------------------------------------------------------

async function limitGet(
  url: string,
  dispatcher?: Agent,
): Promise<{ items: Pod[]; metadata: { continue?: string } }> {
  const { statusCode, body } = await request(url, {
    headers: { accept: "application/json" },
    ...(dispatcher ? { dispatcher } : {}),
  });
  if (statusCode !== 200) fail(`the list answered ${statusCode}`);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

async function limitList(base: string, paged: boolean): Promise<Pod[]> {
  if (!paged) return (await limitGet(`${base}/api/v1/pods`)).items;
  const items: Pod[] = [];
  let token: string | undefined;
  do {
    const page = await limitGet(
      `${base}/api/v1/pods?limit=${pageSize}${token ? `&continue=${encodeURIComponent(token)}` : ""}`,
    );
    for (const item of page.items) items.push(item);
    token = page.metadata.continue || undefined;
  } while (token);
  return items;
}

const watchQuery =
  "watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true";
const isInitialEnd = (e: { type: string; object: Pod }) =>
  e.type === "BOOKMARK" && e.object.metadata?.annotations?.["k8s.io/initial-events-end"] === "true";

async function limitWatch(base: string): Promise<Pod[]> {
  const controller = new AbortController();
  const { body } = await request(`${base}/api/v1/pods?${watchQuery}`, { signal: controller.signal });
  const items: Pod[] = [];
  let rest = "";
  try {
    for await (const chunk of body) {
      const text = rest + (chunk as Buffer).toString("utf8");
      const lines = text.split("\n");
      rest = lines.pop()!;
      for (const line of lines) {
        if (!line) continue;
        const event = JSON.parse(line) as { type: string; object: Pod };
        if (isInitialEnd(event)) return items;
        items.push(event.object);
      }
    }
  } finally {
    controller.abort();
    body.on("error", () => {});
  }
  return fail("the watch ended before the initial events did");
}

// ---- kubegen ---------------------------------------------------------------------------------

function kubegen(url: string, ca: string | undefined, options: HttpClientOptions = {}) {
  const config: ClientConfig = {
    server: url,
    namespace: "default",
    tls: ca ? { ca: { pem: ca } } : {},
    auth: { type: "none" },
    // The client-side rate limit would pace the pages and the GETs: measured is the client.
    qps: -1,
  };
  return Clientset.forConfig(config, { warningHandler: () => {}, ...options });
}

async function kubegenList(url: string, paged: boolean): Promise<Pod[]> {
  const clientset = kubegen(url, undefined);
  try {
    if (!paged) return (await clientset.coreV1.pods().list()).items as Pod[];
    const items: Pod[] = [];
    for await (const page of clientset.coreV1.pods().pages({ limit: pageSize }))
      for (const item of page.items) items.push(item as Pod);
    return items;
  } finally {
    await clientset.close();
  }
}

async function kubegenWatch(url: string): Promise<Pod[]> {
  const clientset = kubegen(url, undefined);
  const items: Pod[] = [];
  try {
    for await (const event of clientset.coreV1.pods().watch({
      sendInitialEvents: true,
      resourceVersionMatch: "NotOlderThan",
      allowWatchBookmarks: true,
    })) {
      if (isInitialEnd(event as { type: string; object: Pod })) return items;
      items.push(event.object as Pod);
    }
  } finally {
    await clientset.close();
  }
  return fail("the watch ended before the initial events did");
}

// ---- client-node -----------------------------------------------------------------------------

/**
 * The part of @kubernetes/client-node used here, typed by hand: importing its types would make
 * this project's type check read theirs (which need @types/ws).
 */
interface ClientNode {
  KubeConfig: new () => {
    loadFromOptions(options: unknown): void;
    makeApiClient<T>(api: new (...args: never[]) => T): T;
  };
  CoreV1Api: new (...args: never[]) => CoreV1Api;
  Watch: new (
    config: unknown,
  ) => {
    watch(
      path: string,
      query: Record<string, string | number | boolean | undefined>,
      callback: (type: string, object: Pod) => void,
      done: (err: unknown) => void,
    ): Promise<AbortController>;
  };
}
interface CoreV1Api {
  listPodForAllNamespaces(options?: {
    limit?: number;
    _continue?: string;
  }): Promise<{ items: Pod[]; metadata?: { _continue?: string } }>;
}
const clientNodeModule = "@kubernetes/client-node-1.4.0";
const loadClientNode = () => import(clientNodeModule) as Promise<ClientNode>;

async function clientNode(url: string, ca: string | undefined) {
  const k8s = await loadClientNode();
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: "bench",
        server: url,
        skipTLSVerify: url.startsWith("http:"),
        ...(ca ? { caData: Buffer.from(ca).toString("base64") } : {}),
      },
    ],
    users: [{ name: "bench" }],
    contexts: [{ name: "bench", cluster: "bench", user: "bench" }],
    currentContext: "bench",
  });
  return { k8s, kc, api: kc.makeApiClient(k8s.CoreV1Api) };
}

async function clientNodeList(url: string, paged: boolean): Promise<Pod[]> {
  const { api } = await clientNode(url, undefined);
  if (!paged) return (await api.listPodForAllNamespaces()).items as Pod[];
  const items: Pod[] = [];
  let token: string | undefined;
  do {
    const page = await api.listPodForAllNamespaces({ limit: pageSize, _continue: token });
    for (const item of page.items) items.push(item as Pod);
    token = page.metadata?._continue || undefined;
  } while (token);
  return items;
}

async function clientNodeWatch(url: string): Promise<Pod[]> {
  const { k8s, kc } = await clientNode(url, undefined);
  const items: Pod[] = [];
  let controller: AbortController | undefined;
  await new Promise<void>((resolve, reject) => {
    new k8s.Watch(kc)
      .watch(
        "/api/v1/pods",
        { sendInitialEvents: true, resourceVersionMatch: "NotOlderThan", allowWatchBookmarks: true },
        (type: string, object: Pod) => {
          if (isInitialEnd({ type, object })) {
            controller?.abort();
            resolve();
          } else items.push(object);
        },
        (err: unknown) => (err && (err as { name?: string }).name !== "AbortError" ? reject(err) : resolve()),
      )
      .then((c: AbortController) => {
        controller = c;
      }, reject);
  });
  return items;
}

// ---- 1,000 concurrent GETs -------------------------------------------------------------------

/** Sends `concurrentGets` GETs of one small page at once; returns latencies and the count read. */
async function gets(
  client: Client,
  url: string,
  ca: string,
): Promise<{ items: number; latencies: number[] }> {
  const path = "/api/v1/pods?limit=1";
  const latencies: number[] = [];
  const timed = async (get: () => Promise<number>) => {
    const start = performance.now();
    const n = await get();
    latencies.push(performance.now() - start);
    return n;
  };
  let run: () => Promise<number>;
  let close = async () => {};
  if (client === "limit") {
    const agent = new Agent({ connect: { ca } });
    run = async () => (await limitGet(`${url}${path}`, agent)).items.length;
    close = () => agent.close();
  } else if (client === "client-node") {
    const { api } = await clientNode(url, ca);
    run = async () => (await api.listPodForAllNamespaces({ limit: 1 })).items.length;
  } else {
    const options: HttpClientOptions =
      client === "kubegen-h2" ? { http2: true } : client === "kubegen-uncapped" ? { maxConnsPerHost: 0 } : {};
    const clientset = kubegen(url, ca, options);
    run = async () => (await clientset.coreV1.pods().list({ limit: 1 })).items.length;
    close = () => clientset.close();
  }
  const counts = await Promise.all(Array.from({ length: concurrentGets }, () => timed(run)));
  await close();
  return { items: counts.reduce((a, b) => a + b, 0), latencies };
}

/**
 * Opens `concurrentWatches` watches at once through one client and waits until the server holds
 * them all (the pod server counts its open watches); then ends them. The watches are idle (from
 * the list's resourceVersion, nothing after it): measured is setting them up, and what holding
 * them costs in connections and memory.
 */
async function watches(client: Client, url: string, ca: string): Promise<number> {
  const controller = new AbortController();
  // One signal for all 200: not a leak.
  setMaxListeners(0, controller.signal);
  const path = `/api/v1/pods?watch=true&resourceVersion=1000`;
  let started: Promise<unknown>[];
  let close = async () => {};
  if (client === "limit") {
    const agent = new Agent({ connect: { ca } });
    started = Array.from({ length: concurrentWatches }, () =>
      request(`${url}${path}`, { dispatcher: agent, signal: controller.signal }).then(
        ({ body }) => new Promise((resolve) => body.on("error", resolve).on("close", resolve).resume()),
      ),
    );
    close = () => agent.destroy();
  } else {
    const clientset = kubegen(url, ca, client === "kubegen-h2" ? { http2: true } : {});
    started = Array.from({ length: concurrentWatches }, () =>
      clientset.coreV1
        .pods()
        .watch({ resourceVersion: "1000", signal: controller.signal })
        [Symbol.asyncIterator]()
        .next(),
    );
    close = () => clientset.close();
  }
  // An idle watch never settles before the abort: one that does has failed or ended.
  let failed: unknown;
  const settled = started.map((p) =>
    p.then(
      () => (failed ??= new Error("a watch ended before it was aborted")),
      (err: unknown) => (failed ??= err),
    ),
  );
  const stats = new Agent({ connect: { ca } });
  try {
    for (;;) {
      if (failed) fail(`${client} watches: ${String(failed)}`);
      const { body } = await request(`${url}/bench/connections`, { dispatcher: stats });
      if (((await body.json()) as { watches: number }).watches >= concurrentWatches) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    await stats.close();
  }
  controller.abort();
  await Promise.all(settled);
  await close();
  return concurrentWatches;
}

async function connectionsSoFar(url: string, ca: string): Promise<number> {
  const agent = new Agent({ connect: { ca } });
  try {
    const { body } = await request(`${url}/bench/connections`, { dispatcher: agent });
    return ((await body.json()) as { connections: number }).connections;
  } finally {
    await agent.close();
  }
}

// ---- the run ---------------------------------------------------------------------------------

async function main(): Promise<void> {
  const [scenario, client, url, countText, caFile] = process.argv.slice(2) as [
    Scenario,
    Client,
    string,
    string,
    string | undefined,
  ];
  const gc = globalThis.gc ?? fail("run with --expose-gc");
  const count = Number(countText);
  const ca = caFile ? (await import("node:fs")).readFileSync(caFile, "utf8") : "";
  // Load the modules a client needs before measuring.
  if (client === "client-node") await loadClientNode();
  gc();
  gc();
  const baseline = process.memoryUsage().heapUsed;
  const counted = scenario === "gets" || scenario === "watches";
  const connectionsBefore = counted ? await connectionsSoFar(url, ca) : 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  let held: unknown;
  let items: number;
  let latencies: number[] | undefined;
  if (scenario === "gets") {
    const result = await gets(client, url, ca);
    items = result.items;
    latencies = result.latencies;
  } else if (scenario === "watches") {
    items = await watches(client, url, ca);
  } else {
    const read: Record<string, (url: string) => Promise<Pod[]>> = {
      "limit:list": (u) => limitList(u, false),
      "limit:list-paged": (u) => limitList(u, true),
      "limit:watch": limitWatch,
      "kubegen:list": (u) => kubegenList(u, false),
      "kubegen:list-paged": (u) => kubegenList(u, true),
      "kubegen:watch": kubegenWatch,
      "client-node:list": (u) => clientNodeList(u, false),
      "client-node:list-paged": (u) => clientNodeList(u, true),
      "client-node:watch": clientNodeWatch,
    };
    const pods = await (read[`${client}:${scenario}`] ?? fail(`no ${client} for ${scenario}`))(url);
    items = pods.length;
    held = pods;
    const sample = pods[count >> 1];
    if (!sample?.metadata?.name || sample.spec === undefined)
      fail(`${client} ${scenario}: a pod without name or spec`);
  }
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  gc();
  gc();
  const retainedHeapBytes = process.memoryUsage().heapUsed - baseline;
  const expected = scenario === "gets" ? concurrentGets : scenario === "watches" ? concurrentWatches : count;
  if (items !== expected) fail(`${client} ${scenario}: read ${items} items, not ${expected}`);
  const result: RunResult = {
    ms,
    cpuMs: (used.user + used.system) / 1000,
    maxRssBytes,
    retainedHeapBytes,
    items,
  };
  if (latencies) {
    latencies.sort((a, b) => a - b);
    result.p50Ms = latencies[latencies.length >> 1]!;
  }
  // Less the one connection this count takes itself, and the watches' count of open watches.
  if (counted)
    result.connections =
      (await connectionsSoFar(url, ca)) - connectionsBefore - 1 - (scenario === "watches" ? 1 : 0);
  void held;
  if (process.send) process.send(result, () => process.exit(0));
  else console.log(JSON.stringify(result));
}

if (process.argv[1] === import.meta.filename) await main();
