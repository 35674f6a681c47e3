/**
 * `npm run bench`, first part: the generator's speed, as a ratio against an anchor measured in the
 * same run on the same machine (the absolute number is printed too, for the target: generating the
 * built-in API under 10 s): load + model + emit of the OpenAPI snapshot, against only reading and
 * JSON.parse-ing the same documents. The cost of type-checking a program that imports the
 * clientset is measured in bench/clients.ts, against client-node.
 */
import { latestSnapshot } from "../generator/cli.js";
import { generate } from "../generator/generate.js";
import { loadOpenApiFiles } from "../generator/load/openapi-v3.js";
import { modelFromOpenApi } from "../generator/normalize/from-openapi.js";
import { readTree } from "../generator/write.js";

async function median(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

const snapshot = await latestSnapshot();
const files = await readTree(snapshot);
const parseOnly = await median(5, async () => {
  for (const text of (await readTree(snapshot)).values()) JSON.parse(text);
});
let outputBytes = 0;
const generation = await median(5, async () => {
  const model = modelFromOpenApi(await loadOpenApiFiles(snapshot));
  const out = generate(model, { source: "bench", runtime: { specifier: "kubegen" } });
  outputBytes = [...out.values()].reduce((n, s) => n + s.length, 0);
});

console.log(
  `inputs: ${files.size} OpenAPI documents (${snapshot}); output ${(outputBytes / 1024).toFixed(0)} KiB`,
);
console.log(
  [
    "generate built-in API",
    fmt(generation),
    `anchor: read + JSON.parse inputs ${fmt(parseOnly)}`,
    `${(generation / parseOnly).toFixed(2)}×`,
    generation < 10_000 ? "target < 10 s: met" : "target < 10 s: MISSED",
  ].join(" | "),
);
