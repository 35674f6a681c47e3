/**
 * `npm run bench`: the generator's speed, as ratios against anchors measured in the same run on
 * the same machine (absolute numbers are printed too, for the targets: generating the built-in API
 * under 10 s, type-checking a 10-line program that imports the clientset under 3 s).
 *
 * - generate: load + model + emit of the OpenAPI snapshot, against the anchor of only reading and
 *   JSON.parse-ing the same documents.
 * - tsc: type-checking a 10-line clientset program, against type-checking an empty program
 *   (the compiler's own start-up).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { latestSnapshot } from "../generator/cli.js";
import { generate } from "../generator/generate.js";
import { loadOpenApiFiles } from "../generator/load/openapi-v3.js";
import { modelFromOpenApi } from "../generator/normalize/from-openapi.js";
import { readTree } from "../generator/write.js";

const repo = resolve(import.meta.dirname, "..");

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

const dir = mkdtempSync(join(tmpdir(), "kubegen-bench-"));
try {
  const tsconfig = (include: string) =>
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
        paths: {
          kubegen: [join(repo, "runtime/index.ts")],
          "kubegen/kubernetes": [join(repo, "generated/kubernetes/index.ts")],
        },
      },
      files: [include],
    });
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  writeFileSync(join(dir, "empty.ts"), "export const x = 1;\n");
  writeFileSync(join(dir, "program.ts"), readFileSync(join(repo, "examples/clientset-pods.ts"), "utf8"));
  writeFileSync(join(dir, "tsconfig.empty.json"), tsconfig("empty.ts"));
  writeFileSync(join(dir, "tsconfig.program.json"), tsconfig("program.ts"));
  const tsc = join(repo, "node_modules/.bin/tsc");
  const check = (config: string) => () => execFileSync(tsc, ["-p", join(dir, config)], { stdio: "inherit" });
  const tscEmpty = await median(3, check("tsconfig.empty.json"));
  const tscProgram = await median(3, check("tsconfig.program.json"));

  const rows = [
    [
      "generate built-in API",
      fmt(generation),
      `anchor: read + JSON.parse inputs ${fmt(parseOnly)}`,
      `${(generation / parseOnly).toFixed(2)}×`,
      generation < 10_000 ? "target < 10 s: met" : "target < 10 s: MISSED",
    ],
    [
      "tsc of a 10-line clientset program",
      fmt(tscProgram),
      `anchor: tsc of an empty program ${fmt(tscEmpty)}`,
      `${(tscProgram / tscEmpty).toFixed(2)}×`,
      tscProgram < 3000 ? "target < 3 s: met" : "target < 3 s: MISSED",
    ],
  ];
  console.log(
    `inputs: ${files.size} OpenAPI documents (${snapshot}); output ${(outputBytes / 1024).toFixed(0)} KiB`,
  );
  for (const r of rows) console.log(r.join(" | "));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
