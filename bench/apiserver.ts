/**
 * `npm run bench`, HTTP/1.1 against HTTP/2 on the real kube-apiserver: a control plane of the test
 * harness (TLS on loopback, HTTP/2 by ALPN, 100 streams per connection as kube-apiserver's
 * default), the admin identity (system:masters: API Priority and Fairness's exempt level, so the
 * apiserver queues none of it), the client-side rate limiter off. Scenarios, each run of a client
 * a fresh process (`bench/apiserver-run.ts`), runs interleaved:
 *
 * - 1,000 concurrent GETs of one ConfigMap through one client;
 * - 200 concurrent watches (a label selector each) in one process, then 1,000 ConfigMaps created
 *   by this process (5 per watch): the time until every watch has all its events;
 * - a list of 1,000 ConfigMaps of ~4 KB, whole.
 *
 * Alone: `npx tsx bench/apiserver.ts` (`BENCH_RUNS`, default 5; `BENCH_ONLY`: `gets`, `watch`,
 * `list`). Prints markdown tables.
 */
import { cpus, loadavg, totalmem } from "node:os";
import { Clientset } from "../generated/kubernetes/index.js";
import { contexts, startControlPlane } from "../test/cluster/control-plane.js";
import { clientConfigFor } from "../test/support/client-config.js";
import {
  type ApiserverClient,
  type ApiserverRunResult,
  type ApiserverScenario,
  createdAt,
  getName,
  getsClients,
  listClients,
  type WatchReady,
  watchClients,
  watches,
  watchLabel,
} from "./apiserver-run.js";
import { firstMessage, forkTs, median, positiveInteger } from "./processes.js";

const runs = positiveInteger("BENCH_RUNS", 5);
const only = new Set((process.env.BENCH_ONLY ?? "gets,watch,list").split(","));
const watchObjects = 1000;
const listObjects = 1000;

const ms = (value: number) =>
  Number.isNaN(value) ? "–" : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ");

const cp = await startControlPlane({ log: () => {} });
const config = { ...(await clientConfigFor(contexts.admin, cp.kubeconfig)), qps: -1 };
// The writer: HTTP/1.1 with the default cap, the same for every client measured.
const writer = Clientset.forConfig(config, { warningHandler: () => {} });

async function namespace(name: string): Promise<string> {
  await writer.coreV1.namespaces().create({ metadata: { name } });
  return name;
}

function child(scenario: ApiserverScenario, client: ApiserverClient, ns: string, count: number) {
  return forkTs("apiserver-run.ts", [scenario, client, cp.kubeconfig, contexts.admin, ns, String(count)]);
}

async function run(
  scenario: ApiserverScenario,
  client: ApiserverClient,
  ns: string,
  count: number,
): Promise<ApiserverRunResult> {
  const c = child(scenario, client, ns, count);
  const result = await firstMessage<ApiserverRunResult>(c, `${client} ${scenario}`);
  if (c.exitCode === null) await new Promise((resolve) => c.once("exit", resolve));
  return result;
}

/** 200 watches in a fresh process and namespace; then this process creates the objects. */
async function watchRun(
  client: ApiserverClient,
  round: number,
): Promise<ApiserverRunResult & { createsMs: number }> {
  const ns = await namespace(`bench-watch-${round}-${client}`);
  const c = child("watch", client, ns, watchObjects);
  const ready = await firstMessage<WatchReady>(c, `${client} watch`);
  if (!ready.ready) throw new Error("the watch run did not say ready");
  const result = firstMessage<ApiserverRunResult>(c, `${client} watch`);
  c.send("go");
  const cms = writer.coreV1.configMaps(ns);
  const start = performance.now();
  await Promise.all(
    Array.from({ length: watchObjects }, (_, i) =>
      cms.create({
        metadata: {
          name: `cm-${i}`,
          labels: { [watchLabel]: String(i % watches) },
          annotations: { [createdAt]: String(Date.now()) },
        },
        data: { i: String(i) },
      }),
    ),
  );
  const creates = performance.now() - start;
  const r = { ...(await result), createsMs: creates };
  if (c.exitCode === null) await new Promise((resolve) => c.once("exit", resolve));
  // No namespace controller runs, so a deleted namespace would keep its objects: delete them.
  await cms.deleteCollection();
  return r;
}

interface Row {
  client: ApiserverClient;
  results: (ApiserverRunResult & { createsMs?: number })[];
}

function table(title: string, rows: Row[], watch = false) {
  console.log(`### ${title}`);
  console.log();
  console.log(
    watch
      ? "| client | to the last event | (fastest–slowest) | p50 create→event | slowest event | connections held | protocol | CPU | peak RSS | all established | the 1,000 creates took |"
      : "| client | time | (fastest–slowest) | p50 latency | connections | protocol | CPU | peak RSS |",
  );
  console.log(watch ? "|---|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|" : "|---|--:|--:|--:|--:|---|--:|--:|");
  for (const { client, results } of rows) {
    const times = results.map((r) => r.ms);
    const m = (f: (r: Row["results"][number]) => number) => median(results.map(f));
    const spread = `${ms(Math.min(...times))}–${ms(Math.max(...times))}`;
    const protocols = [...new Set(results.flatMap((r) => r.protocols))].join(", ");
    console.log(
      watch
        ? `| ${client} | ${ms(median(times))} | ${spread} | ${ms(m((r) => r.p50Ms))} | ${ms(m((r) => r.maxMs!))} | ${m((r) => r.connections)} | ${protocols} | ${ms(m((r) => r.cpuMs))} | ${mib(m((r) => r.maxRssBytes))} | ${ms(m((r) => r.establishMs!))} | ${ms(m((r) => r.createsMs!))} |`
        : `| ${client} | ${ms(median(times))} | ${spread} | ${ms(m((r) => r.p50Ms))} | ${m((r) => r.connections)} | ${protocols} | ${ms(m((r) => r.cpuMs))} | ${mib(m((r) => r.maxRssBytes))} |`,
    );
  }
  console.log();
}

try {
  const cpu = cpus();
  console.log(
    `kube-apiserver ${cp.binaries.kubernetesVersion} on loopback; ${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, ` +
      `${mib(totalmem())} RAM, Node ${process.version}; ${runs} runs per client, interleaved; ` +
      `started ${new Date().toISOString()}, load average ${load()} (1/5/15 min)`,
  );
  console.log();
  const gets = new Map<ApiserverClient, ApiserverRunResult[]>(getsClients.map((c) => [c, []]));
  const list = new Map<ApiserverClient, ApiserverRunResult[]>(listClients.map((c) => [c, []]));
  const watch = new Map<ApiserverClient, (ApiserverRunResult & { createsMs: number })[]>(
    watchClients.map((c) => [c, []]),
  );
  const getNs = await namespace("bench-get");
  await writer.coreV1.configMaps(getNs).create({ metadata: { name: getName }, data: { a: "b" } });
  const listNs = await namespace("bench-list");
  if (only.has("list")) {
    const value = "x".repeat(4000);
    const cms = writer.coreV1.configMaps(listNs);
    await Promise.all(
      Array.from({ length: listObjects }, (_, i) =>
        cms.create({ metadata: { name: `cm-${i}` }, data: { value } }),
      ),
    );
  }
  const log = (what: string, client: string, round: number, r: ApiserverRunResult) =>
    process.stderr.write(
      `  ${what} ${client} round ${round + 1}: ${ms(r.ms)}, ${r.connections} connections (${r.protocols.join(", ")})\n`,
    );
  for (let round = 0; round < runs; round++) {
    if (only.has("gets"))
      for (const client of getsClients) {
        const r = await run("gets", client, getNs, 1);
        gets.get(client)!.push(r);
        log("gets", client, round, r);
      }
    if (only.has("watch"))
      for (const client of watchClients) {
        const r = await watchRun(client, round);
        watch.get(client)!.push(r);
        log("watch", client, round, r);
      }
    if (only.has("list"))
      for (const client of listClients) {
        const r = await run("list", client, listNs, listObjects);
        list.get(client)!.push(r);
        log("list", client, round, r);
      }
  }
  const rows = (m: Map<ApiserverClient, Row["results"]>) =>
    [...m].filter(([, results]) => results.length > 0).map(([client, results]) => ({ client, results }));
  if (only.has("gets")) table("1,000 concurrent GETs of one ConfigMap", rows(gets));
  if (only.has("watch"))
    table(
      `${watches} concurrent watches, ${watchObjects} ConfigMaps created (${watchObjects / watches} events per watch)`,
      rows(watch),
      true,
    );
  if (only.has("list"))
    table(`list of ${listObjects.toLocaleString("en")} ConfigMaps (~4 KB each), whole`, rows(list));
  console.log(`Finished ${new Date().toISOString()}, load average ${load()}.`);
} finally {
  await writer.close();
  await cp.stop();
}
