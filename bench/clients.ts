/**
 * `npm run bench` (part): kubegen against the limit and @kubernetes/client-node 1.4.0, on realistic
 * pods from a loopback server (`bench/pod-server.ts`, its own process), every client in the same
 * run on the same machine:
 *
 * - list of 1,000 / 10,000 / 50,000 pods, whole and in pages of 500; watch (the initial events
 *   of a streaming list) of 10,000 and 50,000 pods;
 * - 1,000 concurrent GETs through one client, the rate limiter off, over TLS (HTTP/1.1 by default,
 *   uncapped, and HTTP/2 for kubegen; on the real apiserver, with 200 watches: bench/apiserver.ts);
 * - 200 concurrent watches through one client over TLS (HTTP/1.1, and HTTP/2 for kubegen): the
 *   time until the server holds them all, and the connections they take;
 * - `tsc --noEmit` of a 10-line program with kubegen, with client-node, and of an empty one.
 *
 * Each run of a client is a fresh process (`bench/client-run.ts`), runs are interleaved (round
 * after round of every client), and each row gives medians, the spread (fastest–slowest), and
 * ratios to the limit and to client-node. Wall time is what a user waits; CPU time (of the client
 * process) is given too, as it suffers less from a busy machine. The results go to stdout and to
 * `bench/RESULTS.md`.
 *
 * Environment: `BENCH_RUNS` (default 5), `BENCH_SIZES` (default `1000,10000,50000`),
 * `BENCH_ONLY` (comma-separated: `list`, `watch`, `gets`, `watches`, `tsc`), `BENCH_RESULTS` (the markdown
 * file), `BENCH_LOG` (a JSON-lines file the runs are appended to; the tables are made from all
 * the runs in it, so a benchmark can be run in parts).
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { createTestPki } from "../test/cluster/pki.js";
import {
  type Client,
  getsClients,
  listClients,
  type RunResult,
  type Scenario,
  watchesClients,
} from "./client-run.js";
import type { PodServerReady } from "./pod-server.js";
import { firstMessage, forkTs, median, positiveInteger, repo } from "./processes.js";

const here = import.meta.dirname;

const runs = positiveInteger("BENCH_RUNS", 5);
const sizes = (process.env.BENCH_SIZES ?? "1000,10000,50000").split(",").map(Number);
const only = new Set((process.env.BENCH_ONLY ?? "list,watch,gets,watches,tsc").split(","));
const resultsFile = process.env.BENCH_RESULTS ?? join(here, "RESULTS.md");

async function startServer(count: number, tls?: { cert: string; key: string }) {
  const child = forkTs("pod-server.ts", [String(count), ...(tls ? [tls.cert, tls.key] : [])]);
  const ready = await firstMessage<PodServerReady>(child, "the pod server");
  return { ready, stop: () => child.kill() };
}

async function run(
  scenario: Scenario,
  client: Client,
  url: string,
  count: number,
  ca?: string,
): Promise<RunResult> {
  const child = forkTs(
    "client-run.ts",
    [scenario, client, url, String(count), ...(ca ? [ca] : [])],
    [
      "--expose-gc",
      // client-node holds a 50,000-pod list several times over.
      "--max-old-space-size=8192",
    ],
  );
  const result = await firstMessage<RunResult>(child, `${client} ${scenario} ${count}`);
  if (child.exitCode === null) await new Promise((resolve) => child.once("exit", resolve));
  return result;
}

const mib = (bytes: number) => (Number.isNaN(bytes) ? "–" : `${(bytes / 2 ** 20).toFixed(0)} MiB`);
const ms = (value: number) =>
  Number.isNaN(value) ? "–" : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
const ratio = (value: number, anchor: number | undefined) =>
  anchor === undefined || anchor === 0 || Number.isNaN(value) || Number.isNaN(anchor)
    ? "–"
    : `${(value / anchor).toFixed(2)}×`;

interface Row {
  name: string;
  client: string;
  ms: number;
  spread: string;
  cpuMs: number;
  maxRss: number;
  retained: number;
  perSecond: number;
  mbPerSecond?: number;
  connections?: number;
  p50Ms?: number;
}

const output: string[] = [];
const print = (line = "") => {
  console.log(line);
  output.push(line);
};

function summarize(name: string, client: string, all: RunResult[], bytes?: number): Row {
  const times = all.map((r) => r.ms);
  const m = median(times);
  return {
    name,
    client,
    ms: m,
    spread: `${ms(Math.min(...times))}–${ms(Math.max(...times))}`,
    // A log converted from an older run may lack CPU and heap figures (null).
    cpuMs: median(all.map((r) => r.cpuMs ?? Number.NaN)),
    maxRss: median(all.map((r) => r.maxRssBytes)),
    retained: median(all.map((r) => r.retainedHeapBytes ?? Number.NaN)),
    perSecond: all[0]!.items / (m / 1000),
    ...(bytes ? { mbPerSecond: bytes / 2 ** 20 / (m / 1000) } : {}),
    ...(all[0]!.connections !== undefined ? { connections: median(all.map((r) => r.connections!)) } : {}),
    ...(all[0]!.p50Ms !== undefined ? { p50Ms: median(all.map((r) => r.p50Ms!)) } : {}),
  };
}

function table(rows: Row[], gets = false) {
  const head = gets
    ? "| scenario | client | time | (fastest–slowest) | × limit | × client-node | p50 latency | connections | CPU | peak RSS | × limit |"
    : "| scenario | client | time | (fastest–slowest) | × limit | × client-node | CPU | × limit | items/s | MB/s | peak RSS | × limit | retained heap |";
  print(head);
  print(
    `|${head
      .split("|")
      .slice(1, -1)
      .map((c) => (c.includes("client") || c.includes("scenario") ? "---" : "--:"))
      .join("|")}|`,
  );
  for (const r of rows) {
    const limit = rows.find((x) => x.name === r.name && x.client === "limit");
    const node = rows.find((x) => x.name === r.name && x.client === "client-node");
    if (gets)
      print(
        `| ${r.name} | ${r.client} | ${ms(r.ms)} | ${r.spread} | ${ratio(r.ms, limit?.ms)} | ${ratio(r.ms, node?.ms)} | ${ms(r.p50Ms ?? Number.NaN)} | ${r.connections} | ${ms(r.cpuMs)} | ${mib(r.maxRss)} | ${ratio(r.maxRss, limit?.maxRss)} |`,
      );
    else
      print(
        `| ${r.name} | ${r.client} | ${ms(r.ms)} | ${r.spread} | ${ratio(r.ms, limit?.ms)} | ${ratio(r.ms, node?.ms)} | ${ms(r.cpuMs)} | ${ratio(r.cpuMs, limit?.cpuMs)} | ${Math.round(r.perSecond).toLocaleString("en")} | ${r.mbPerSecond?.toFixed(0) ?? "–"} | ${mib(r.maxRss)} | ${ratio(r.maxRss, limit?.maxRss)} | ${mib(r.retained)} |`,
      );
  }
}

const cpu = cpus();
const started = new Date();
print(`# kubegen benchmark results`);
print();
print(
  `Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${mib(totalmem())} RAM, Node ${process.version}, ` +
    `${process.platform}/${process.arch}. Started ${started.toISOString()}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" / ")} (1/5/15 min).`,
);
print();
print(
  `Each client runs ${runs} times per scenario, each run a fresh process, interleaved (round after round of every client). ` +
    `Time: median wall time from the first request to the items in hand, with the fastest and slowest run; CPU: median ` +
    `CPU time of the client process over the same span; peak RSS: the process's; retained heap: what the items hold after a full GC. ` +
    `"limit": undici request, Buffer.concat of the chunks, toString, JSON.parse (watch: lines split, each parsed). ` +
    `client-node: @kubernetes/client-node 1.4.0. Pods: ${"~8.5"} KB of JSON each, managedFields about 40% of it, uncompressed, from a loopback server in its own process.`,
);
print();

/** One run as logged: which, and what it measured. */
interface LogEntry {
  count: number;
  scenario: Scenario;
  client: Client;
  podBytes: number;
  result: RunResult;
}
// Runs are appended to a log as they finish, and the tables come from the log: a long benchmark
// can be done in parts (`BENCH_SIZES=50000 BENCH_RUNS=3 ...` after the smaller sizes) and reported
// together.
const logFile = process.env.BENCH_LOG;
const entries: LogEntry[] =
  logFile && existsSync(logFile)
    ? readFileSync(logFile, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as LogEntry)
    : [];
const record = (entry: LogEntry) => {
  entries.push(entry);
  if (logFile) appendFileSync(logFile, `${JSON.stringify(entry)}\n`);
};

/**
 * A 1,000-pod list takes a tenth of a second, where a moment of a busy machine weighs as much as
 * the client: three times the runs there, so the medians tell a change from noise.
 */
const roundsFor = (count: number) => (count <= 1_000 ? runs * 3 : runs);

const listScenarios: Scenario[] = [...(only.has("list") ? (["list", "list-paged"] as const) : [])];
for (const count of sizes) {
  const scenarios = [...listScenarios, ...(only.has("watch") && count >= 10_000 ? (["watch"] as const) : [])];
  if (scenarios.length === 0) continue;
  const { ready, stop } = await startServer(count);
  try {
    for (let round = 0; round < roundsFor(count); round++)
      for (const scenario of scenarios)
        for (const client of listClients) {
          const r = await run(scenario, client, ready.url, count);
          record({ count, scenario, client, podBytes: ready.podBytes, result: r });
          process.stderr.write(
            `  ${count} ${scenario} ${client} round ${round + 1}: ${ms(r.ms)}, ${mib(r.maxRssBytes)}\n`,
          );
        }
  } finally {
    stop();
  }
}
const rows: Row[] = [];
const counts = [...new Set(entries.filter((e) => e.scenario !== "gets").map((e) => e.count))].sort(
  (a, b) => a - b,
);
for (const count of counts)
  for (const scenario of ["list", "list-paged", "watch"] as const)
    for (const client of listClients) {
      const mine = entries.filter((e) => e.count === count && e.scenario === scenario && e.client === client);
      if (mine.length === 0) continue;
      rows.push(
        summarize(
          `${scenario === "list-paged" ? "list, pages of 500" : scenario} ${count.toLocaleString("en")}`,
          client,
          mine.map((e) => e.result),
          mine[0]!.podBytes,
        ),
      );
    }
if (rows.length > 0) {
  print("## Lists and watches");
  print();
  const runCounts = [
    ...new Set(
      counts.map(
        (c) => entries.filter((e) => e.count === c && e.client === "limit" && e.scenario === "list").length,
      ),
    ),
  ];
  print(`Runs per client and scenario: ${runCounts.join(", ")} (by size, smallest first).`);
  print();
  table(rows);
  print();
}

if (only.has("gets")) {
  const dir = mkdtempSync(join(tmpdir(), "kubegen-bench-pki-"));
  try {
    const pki = await createTestPki(dir);
    const { ready, stop } = await startServer(1000, { cert: pki.servingCert, key: pki.servingKey });
    try {
      for (let round = 0; round < runs; round++)
        for (const client of getsClients) {
          const r = await run("gets", client, ready.url, 1000, pki.caCert);
          record({ count: 1000, scenario: "gets", client, podBytes: ready.podBytes, result: r });
          process.stderr.write(
            `  gets ${client} round ${round + 1}: ${ms(r.ms)}, ${r.connections} connections\n`,
          );
        }
      print("## 1,000 concurrent GETs through one client (rate limiter off, TLS, loopback)");
      print();
      print(
        "kubegen: HTTP/1.1 with the default cap of 32 connections; uncapped; HTTP/2 (one connection). " +
          "limit: undici's default pool (no cap). client-node: its default agent.",
      );
      print();
      table(
        getsClients.map((c) =>
          summarize(
            "1,000 GETs",
            c,
            entries.filter((e) => e.scenario === "gets" && e.client === c).map((e) => e.result),
          ),
        ),
        true,
      );
      print();
    } finally {
      stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (only.has("watches")) {
  const dir = mkdtempSync(join(tmpdir(), "kubegen-bench-pki-"));
  try {
    const pki = await createTestPki(dir);
    const { ready, stop } = await startServer(1000, { cert: pki.servingCert, key: pki.servingKey });
    try {
      for (let round = 0; round < runs; round++)
        for (const client of watchesClients) {
          const r = await run("watches", client, ready.url, 1000, pki.caCert);
          record({ count: 1000, scenario: "watches", client, podBytes: ready.podBytes, result: r });
          process.stderr.write(
            `  watches ${client} round ${round + 1}: ${ms(r.ms)}, ${r.connections} connections\n`,
          );
        }
      print("## 200 concurrent watches through one client (TLS, loopback)");
      print();
      print(
        "Time from the first watch request until the server holds all 200 (idle watches from a " +
          "resourceVersion). kubegen: HTTP/1.1 (watches are not capped); HTTP/2 (`http2: true`). " +
          "limit: undici's default pool.",
      );
      print();
      table(
        watchesClients.map((c) =>
          summarize(
            "200 watches",
            c,
            entries.filter((e) => e.scenario === "watches" && e.client === c).map((e) => e.result),
          ),
        ),
        true,
      );
      print();
    } finally {
      stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (only.has("tsc")) {
  const dir = mkdtempSync(join(tmpdir(), "kubegen-bench-tsc-"));
  const dist = join(dir, "kubegen-dist");
  try {
    // What `npm pack` ships: the build's declarations, not the TypeScript sources.
    execFileSync(
      process.execPath,
      [
        join(repo, "node_modules/typescript/bin/tsc"),
        "-p",
        join(repo, "tsconfig.build.json"),
        "--outDir",
        dist,
      ],
      { stdio: "pipe" },
    );
    const tsconfig = (file: string) =>
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          lib: ["ES2023"],
          types: ["node"],
          typeRoots: [join(repo, "node_modules/@types")],
          skipLibCheck: true,
          baseUrl: repo,
          // The declarations users get from the package (both clients type-checked from .d.ts).
          paths: {
            kubegen: [join(dist, "runtime/index.d.ts")],
            "kubegen/kubernetes": [join(dist, "generated/kubernetes/index.d.ts")],
            "@kubernetes/client-node": [
              join(repo, "node_modules/@kubernetes/client-node-1.4.0/dist/index.d.ts"),
            ],
          },
        },
        files: [file],
      });
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
    writeFileSync(join(dir, "empty.ts"), "export const x = 1;\n");
    writeFileSync(join(dir, "kubegen.ts"), readFileSync(join(repo, "examples/clientset-pods.ts"), "utf8"));
    writeFileSync(
      join(dir, "client-node.ts"),
      [
        "// The same program with @kubernetes/client-node.",
        'import * as k8s from "@kubernetes/client-node";',
        "const kc = new k8s.KubeConfig();",
        "kc.loadFromDefault();",
        "const api = kc.makeApiClient(k8s.CoreV1Api);",
        "const pods = await api.listPodForAllNamespaces();",
        'console.log("There are " + pods.items.length + " pods in the cluster");',
        "try {",
        '  const pod = await api.readNamespacedPod({ name: "example-xxxxx", namespace: "default" });',
        '  console.log("Found pod " + pod.metadata?.name + " in namespace default");',
        "} catch (err) {",
        '  if (err instanceof k8s.ApiException && err.code === 404) console.log("Pod example-xxxxx not found");',
        "  else throw err;",
        "}",
        "",
      ].join("\n"),
    );
    const programs = ["empty", "kubegen", "client-node"] as const;
    for (const p of programs) writeFileSync(join(dir, `tsconfig.${p}.json`), tsconfig(`${p}.ts`));
    const tsc = join(repo, "node_modules/typescript/bin/tsc");
    const times = new Map<string, number[]>(programs.map((p) => [p, []]));
    for (let round = 0; round < runs; round++)
      for (const p of programs) {
        const start = performance.now();
        try {
          execFileSync(process.execPath, [tsc, "-p", join(dir, `tsconfig.${p}.json`)], { stdio: "pipe" });
        } catch (err) {
          const out = (err as { stdout?: Buffer }).stdout?.toString() ?? "";
          // client-node's declarations need @types/ws, which this project does not install: the
          // errors are theirs; the time is what a user without them waits too.
          if (p !== "client-node" || !/node_modules/.test(out)) throw err;
        }
        times.get(p)!.push(performance.now() - start);
      }
    const empty = median(times.get("empty")!);
    print("## Type-checking a 10-line program (`tsc --noEmit`)");
    print();
    print("| program | time | (fastest–slowest) | added to the empty program | × client-node's added time |");
    print("|---|--:|--:|--:|--:|");
    const nodeAdded = median(times.get("client-node")!) - empty;
    for (const p of programs) {
      const t = times.get(p)!;
      const added = median(t) - empty;
      print(
        `| ${p} | ${ms(median(t))} | ${ms(Math.min(...t))}–${ms(Math.max(...t))} | ${p === "empty" ? "–" : ms(added)} | ${p === "kubegen" ? ratio(added, nodeAdded) : "–"} |`,
      );
    }
    print();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

print(
  `Finished ${new Date().toISOString()}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ")}.`,
);
writeFileSync(resultsFile, `${output.join("\n")}\n`);
