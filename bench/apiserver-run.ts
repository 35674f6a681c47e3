/**
 * One run of one client in one scenario of `bench/apiserver.ts`, in a fresh process, against the
 * test harness's kube-apiserver: it reports an {@link ApiserverRunResult} to its parent over IPC.
 *
 * Scenarios:
 * - `gets`: 1,000 concurrent GETs of one ConfigMap through one client;
 * - `list`: the whole list of the ConfigMaps of a namespace;
 * - `watch`: opens 200 watches (one label selector each, streaming list: established at the
 *   initial-events-end bookmark), says `ready`, and on `go` (the parent then creates the objects)
 *   times until every watch has received all its events.
 *
 * Clients: `limit` (undici `request()` through its default Agent, uncapped, HTTP/1.1; gets and
 * list), `kubegen` (HTTP/1.1, the default cap of 32), `kubegen-uncapped` (gets), `kubegen-h2`
 * (`http2: true`: one connection for requests by default), `kubegen-h2-uncapped` (gets; HTTP/2
 * without the cap: another connection whenever 100 streams are taken, as Go's transport). Connections are counted here, as undici opens them (the apiserver does not say).
 */
import { subscribe } from "node:diagnostics_channel";
import type { Socket } from "node:net";
import { Agent, request } from "undici";
import { Clientset } from "../generated/kubernetes/index.js";
import type { HttpClientOptions } from "../runtime/index.js";
import { clientConfigFor } from "../test/support/client-config.js";

export const getsClients = [
  "limit",
  "kubegen",
  "kubegen-uncapped",
  "kubegen-h2",
  "kubegen-h2-uncapped",
] as const;
export const listClients = ["limit", "kubegen", "kubegen-h2"] as const;
export const watchClients = ["kubegen", "kubegen-h2"] as const;
export type ApiserverClient = (typeof getsClients)[number];
export type ApiserverScenario = "gets" | "list" | "watch";

/** What one run measured. */
export interface ApiserverRunResult {
  /** gets, list: first request to the last answer in hand; watch: `go` to the last event. */
  ms: number;
  /** CPU time (user + system) of this process over the same span. */
  cpuMs: number;
  /** `process.resourceUsage().maxRSS`: the process's peak, start-up included. */
  maxRssBytes: number;
  /** Connections opened (gets, list) or held open at the end (watch). */
  connections: number;
  /** The protocols ALPN chose for them. */
  protocols: string[];
  /** gets: median latency of a GET; watch: median from an object's create to its event. */
  p50Ms: number;
  /** watch: the slowest such event. */
  maxMs?: number;
  /** watch: from the first watch sent to the last one established. */
  establishMs?: number;
  items: number;
}

/** What a watch run says before the objects are created. */
export interface WatchReady {
  ready: true;
  connections: number;
}

export const concurrentGets = 1000;
export const watches = 200;
export const getName = "bench-get";
/** The label that spreads the objects over the watches (`w=<i>`), and the create time (ms). */
export const watchLabel = "w";
export const createdAt = "created-at";

interface ConfigMap {
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, string>;
}

function fail(message: string): never {
  throw new Error(`apiserver bench: ${message}`);
}

const sockets = new Set<Socket>();
subscribe("undici:client:connected", (message) => {
  sockets.add((message as { socket: Socket }).socket);
});
const protocols = (of: Iterable<Socket>) =>
  [
    ...new Set([...of].map((s) => (s as { alpnProtocol?: string | false }).alpnProtocol || "http/1.1")),
  ].sort();

/** What every scenario reports of its span: wall and CPU time, peak RSS, the connections held. */
function measured(start: number, cpu: NodeJS.CpuUsage, held: Iterable<Socket>) {
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const open = [...held];
  return {
    ms,
    cpuMs: (used.user + used.system) / 1000,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    connections: open.length,
    protocols: protocols(open),
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? Number.NaN;
};

async function main(): Promise<void> {
  const [scenario, client, kubeconfig, context, namespace, countText] = process.argv.slice(2) as [
    ApiserverScenario,
    ApiserverClient,
    string,
    string,
    string,
    string,
  ];
  const count = Number(countText);
  const config = { ...(await clientConfigFor(context, kubeconfig)), namespace, qps: -1 };
  const options: HttpClientOptions = {
    ...(client.startsWith("kubegen-h2") ? { http2: true } : {}),
    ...(client.endsWith("uncapped") ? { maxConnsPerHost: 0 } : {}),
  };
  const clientset =
    client === "limit" ? undefined : Clientset.forConfig(config, { warningHandler: () => {}, ...options });
  let limitAgent: Agent | undefined;
  let limitGet: ((path: string) => Promise<unknown>) | undefined;
  if (client === "limit") {
    const ca = config.tls.ca && "pem" in config.tls.ca ? config.tls.ca.pem : fail("a CA as PEM");
    if (config.auth.type !== "token") fail("the limit needs a token context");
    const headers = { accept: "application/json", authorization: `Bearer ${config.auth.token}` };
    const agent = new Agent({ connect: { ca } });
    limitAgent = agent;
    limitGet = async (path) => {
      const { statusCode, body } = await request(`${config.server}${path}`, { headers, dispatcher: agent });
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      if (statusCode !== 200) fail(`${path}: ${statusCode}`);
      return JSON.parse(Buffer.concat(chunks).toString("utf8"));
    };
  }
  const cm = () => clientset!.coreV1.configMaps(namespace);

  const send = (message: unknown) =>
    new Promise<void>((resolve) => (process.send ? process.send(message, () => resolve()) : resolve()));

  if (scenario === "gets") {
    const get = limitGet
      ? () => limitGet!(`/api/v1/namespaces/${namespace}/configmaps/${getName}`) as Promise<ConfigMap>
      : () => cm().get(getName) as Promise<ConfigMap>;
    const cpu = process.cpuUsage();
    const start = performance.now();
    const latencies = await Promise.all(
      Array.from({ length: concurrentGets }, async () => {
        const t = performance.now();
        const got = await get();
        if (got.metadata?.name !== getName) fail("a GET without the ConfigMap");
        return performance.now() - t;
      }),
    );
    await send({
      ...measured(start, cpu, sockets),
      p50Ms: median(latencies),
      items: latencies.length,
    } satisfies ApiserverRunResult);
  } else if (scenario === "list") {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const list = (
      limitGet ? await limitGet(`/api/v1/namespaces/${namespace}/configmaps`) : await cm().list()
    ) as { items: ConfigMap[] };
    const result = measured(start, cpu, sockets);
    if (list.items.length !== count) fail(`listed ${list.items.length} ConfigMaps, not ${count}`);
    await send({ ...result, p50Ms: result.ms, items: list.items.length } satisfies ApiserverRunResult);
  } else {
    const perWatch = count / watches;
    const got = new Array<number>(watches).fill(0);
    const latencies: number[] = [];
    let established = 0;
    let complete = 0;
    let onEstablished: () => void = () => {};
    let onComplete: () => void = () => {};
    const allEstablished = new Promise<void>((r) => (onEstablished = r));
    const allComplete = new Promise<void>((r) => (onComplete = r));
    const abort = new AbortController();
    const start = performance.now();
    const running = Array.from({ length: watches }, async (_, i) => {
      try {
        for await (const event of cm().watch({
          labelSelector: `${watchLabel}=${i}`,
          sendInitialEvents: true,
          resourceVersionMatch: "NotOlderThan",
          allowWatchBookmarks: true,
          signal: abort.signal,
        })) {
          const object = event.object as ConfigMap;
          if (event.type === "BOOKMARK") {
            if (
              object.metadata?.annotations?.["k8s.io/initial-events-end"] === "true" &&
              ++established === watches
            )
              onEstablished();
            continue;
          }
          if (event.type !== "ADDED") continue;
          latencies.push(Date.now() - Number(object.metadata?.annotations?.[createdAt]));
          if (++got[i]! === perWatch && ++complete === watches) onComplete();
        }
      } catch (err) {
        if (!abort.signal.aborted) throw err;
      }
      // The apiserver closes watchers it finds slow: such a run is reported, not waited for.
      if (!abort.signal.aborted && got[i]! < perWatch) fail(`the apiserver closed watch ${i} early`);
    });
    for (const r of running) r.catch((err) => fail(`a watch failed: ${String(err)}`));
    await allEstablished;
    const establishMs = performance.now() - start;
    const go = new Promise<void>((resolve) => process.once("message", () => resolve()));
    await send({ ready: true, connections: sockets.size } satisfies WatchReady);
    await go;
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    await allComplete;
    await send({
      ...measured(
        t0,
        cpu,
        [...sockets].filter((s) => !s.destroyed),
      ),
      p50Ms: median(latencies),
      maxMs: Math.max(...latencies),
      establishMs,
      items: latencies.length,
    } satisfies ApiserverRunResult);
    abort.abort();
  }
  process.exit(0);
  void limitAgent;
}

if (process.argv[1] === import.meta.filename) await main();
