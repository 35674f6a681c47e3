/**
 * The informer's initial sync of many Pods (50,000 by default; `BENCH_INFORMER_PODS` changes it):
 * time and memory of each way of reading them, as ratios against the anchor of holding the raw
 * list, measured in the same run on the same machine. Part of `npm run bench`; alone:
 * `npx tsx bench/informer.ts`.
 *
 * - raw list held (the anchor): one unpaged GET with undici, `Buffer.concat`, `JSON.parse`, the
 *   items kept;
 * - informer, list: a `SharedIndexInformer` listing in pages of 500, then watching;
 * - informer, streaming list: the initial state as one watch with `sendInitialEvents`;
 * - informer, list, managedFields dropped: with the `transform` that deletes them, which the
 *   reflector applies once the last page is in;
 * - informer, streaming list, managedFields dropped: the same, applied to each event as it comes;
 * - informer, list, metadata only: a `MetadataInformerFactory` informer (PartialObjectMetadata).
 * - informer, list, metadata only, managedFields dropped: the same with the transform.
 *
 * The Pods come from `bench/pod-server.ts`, in a process of its own. Each run of a scenario is a
 * fresh process (`bench/informer-sync.ts`, with `--expose-gc`), and runs are interleaved
 * (`BENCH_INFORMER_RUNS` rounds of every scenario, default 3: a round of 50,000 pods takes about
 * a minute and a half on two cores), so a slow moment of the machine
 * does not fall on one scenario only. Printed are medians: time to `waitForCacheSync`, items/s,
 * the process's peak RSS, and the heap retained after the sync and a full GC.
 */
import { cpus, totalmem } from "node:os";
import type { Scenario, SyncResult } from "./informer-sync.js";
import { scenarios } from "./informer-sync.js";
import type { PodServerReady } from "./pod-server.js";
import { firstMessage, forkTs, median, positiveInteger } from "./processes.js";

const pods = positiveInteger("BENCH_INFORMER_PODS", 50_000);
const runs = positiveInteger("BENCH_INFORMER_RUNS", 3);

async function runScenario(scenario: Scenario, url: string): Promise<SyncResult> {
  const child = forkTs("informer-sync.ts", [scenario, url, String(pods)], ["--expose-gc"]);
  const result = await firstMessage<SyncResult>(child, `"${scenario}"`);
  if (child.exitCode === null) await new Promise((resolve) => child.once("exit", resolve));
  return result;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`);
const ratio = (value: number, anchor: number) => `${(value / anchor).toFixed(2)}×`;

const serverStarted = performance.now();
const server = forkTs("pod-server.ts", [String(pods)]);
try {
  const fixture = await firstMessage<PodServerReady>(server, "the pod server");
  const built = performance.now() - serverStarted;
  const names = Object.keys(scenarios) as Scenario[];
  const results = new Map<Scenario, SyncResult[]>(names.map((name) => [name, []]));
  for (let run = 0; run < runs; run++)
    for (const name of names) results.get(name)!.push(await runScenario(name, fixture.url));

  const summary = names.map((name) => {
    const all = results.get(name)!;
    const times = all.map((r) => r.syncMs);
    const syncMs = median(times);
    return {
      name,
      syncMs,
      spread: `${ms(Math.min(...times))}–${ms(Math.max(...times))}`,
      maxRss: median(all.map((r) => r.maxRssBytes)),
      retained: median(all.map((r) => r.retainedHeapBytes)),
      perSecond: pods / (syncMs / 1000),
    };
  });
  const anchor = summary[0]!;
  const all = [...results.values()].flat();
  const cpu = cpus();
  console.log(
    `\ninformer initial sync: ${pods.toLocaleString("en")} pods, ${(fixture.podBytes / pods / 1024).toFixed(1)} KiB of JSON each ` +
      `(managedFields ${((100 * fixture.managedFieldsBytes) / fixture.podBytes).toFixed(0)}%; as PartialObjectMetadata ` +
      `${(fixture.metadataBytes / pods / 1024).toFixed(1)} KiB), ${mib(fixture.podBytes)} in all, uncompressed, over loopback HTTP`,
  );
  console.log(
    `machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${mib(totalmem())} RAM, Node ${process.version}; ` +
      `fixture built and served in ${ms(built)}; medians of ${runs} runs, each a fresh process ` +
      `(RSS before syncing: ${mib(median(all.map((r) => r.rssBeforeBytes)))})\n`,
  );
  console.log(
    "| scenario | sync | (fastest–slowest) | × anchor | items/s | peak RSS | × anchor | retained heap | × anchor |",
  );
  console.log("|---|--:|--:|--:|--:|--:|--:|--:|--:|");
  for (const s of summary)
    console.log(
      `| ${s.name}${s === anchor ? " (anchor)" : ""} | ${ms(s.syncMs)} | ${s.spread} | ${ratio(s.syncMs, anchor.syncMs)} | ` +
        `${Math.round(s.perSecond).toLocaleString("en")} | ${mib(s.maxRss)} | ${ratio(s.maxRss, anchor.maxRss)} | ` +
        `${mib(s.retained)} | ${ratio(s.retained, anchor.retained)} |`,
    );
} finally {
  server.kill();
}
