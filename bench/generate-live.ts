/**
 * `npm run bench`, generation from a live cluster: a control plane of the test harness with every
 * CRD of `../shared/fixtures/crds/` installed (130 from 11 projects), then `kubegen generate
 * --kubeconfig` (discovery, the OpenAPI v3 documents, the CRDs, the model, the emitted tree, the
 * atomic write), against the anchor of only fetching the same OpenAPI documents and
 * `JSON.parse`-ing them. Target: under 10 s. Alone: `npx tsx bench/generate-live.ts`
 * (`BENCH_RUNS`, default 5).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../generator/cli.js";
import { startControlPlane } from "../test/cluster/control-plane.js";
import { installCrdCorpus } from "../test/support/cluster.js";
import { rawClient } from "../test/support/raw-client.js";
import { median, positiveInteger, repo } from "./processes.js";

const runs = positiveInteger("BENCH_RUNS", 5);
const corpus = join(repo, "..", "shared", "fixtures", "crds");
const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`);

const cp = await startControlPlane({ log: () => {} });
const raw = await rawClient(cp.kubeconfig);
const tmp = await mkdtemp(join(tmpdir(), "kubegen-bench-live-"));
try {
  const installed = await installCrdCorpus(raw, corpus);

  const fetchOnly = async () => {
    const index = await raw.request<{ paths: Record<string, { serverRelativeURL: string }> }>(
      "GET",
      "/openapi/v3",
    );
    // Without the hash: an index older than the newest CRD change would be redirected.
    for (const { serverRelativeURL } of Object.values(index.body.paths)) {
      const path = serverRelativeURL.split("?")[0]!;
      const doc = await raw.request("GET", path);
      if (doc.status !== 200) throw new Error(`${path}: ${doc.status}`);
    }
  };
  const generate = async (n: number) => {
    let stderr = "";
    const code = await main(["generate", "--kubeconfig", cp.kubeconfig, "--out", join(tmp, `out-${n}`)], {
      stdout: () => {},
      stderr: (t) => {
        stderr += t;
      },
    });
    if (code !== 0) throw new Error(`generate failed: ${stderr}`);
  };
  const anchor: number[] = [];
  const times: number[] = [];
  // Interleaved, after one warm-up of each (connections, the apiserver's OpenAPI caches).
  await fetchOnly();
  await generate(0);
  for (let i = 1; i <= runs; i++) {
    let start = performance.now();
    await fetchOnly();
    anchor.push(performance.now() - start);
    start = performance.now();
    await generate(i);
    times.push(performance.now() - start);
  }
  const g = median(times);
  const a = median(anchor);
  console.log(`generation from a live cluster with ${installed} CRDs installed, medians of ${runs}`);
  console.log(
    [
      "generate --kubeconfig",
      `${ms(g)} (${ms(Math.min(...times))}–${ms(Math.max(...times))})`,
      `anchor: fetch + JSON.parse the OpenAPI documents ${ms(a)}`,
      `${(g / a).toFixed(2)}×`,
      g < 10_000 ? "target < 10 s: met" : "target < 10 s: MISSED",
    ].join(" | "),
  );
} finally {
  await raw.close();
  await cp.stop();
  await rm(tmp, { recursive: true, force: true });
}
