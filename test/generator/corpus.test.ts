/**
 * Corpus tests on real-world inputs read from the shared fixtures: the whole Kubernetes 1.35
 * OpenAPI and every CRD of the popular projects there generate without error, and the output
 * compiles under `tsc --strict` against the runtime. CRDs go through the shared types stage as the
 * CLI does, which must shrink every project's types.
 */

import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate, modulesReferencedOutside } from "../../generator/generate.js";
import { loadCrdFiles } from "../../generator/load/crd.js";
import { loadOpenApiFiles } from "../../generator/load/openapi-v3.js";
import { modelFromCrds } from "../../generator/normalize/from-crd.js";
import { modelFromOpenApi } from "../../generator/normalize/from-openapi.js";
import { builtinTypesFromJson, shareTypes } from "../../generator/normalize/share.js";
import { writeTreeAtomically } from "../../generator/write.js";

const fixtures = resolve(import.meta.dirname, "../../../shared/fixtures");
const repo = resolve(import.meta.dirname, "../..");
const crdRoot = join(fixtures, "crds");
/** The shared CRD fixtures are part of every checkout's surroundings (CI included): their absence fails. */
const withCrds = (name: string, fn: () => Promise<void>) =>
  it(name, async () => {
    if (!existsSync(crdRoot)) throw new Error(`${crdRoot} is absent: the shared CRD fixtures are needed`);
    await fn();
  }, 300_000);
let tmp: string;

async function builtins() {
  const file = join(repo, "generator/builtin-types.json");
  return builtinTypesFromJson(await readFile(file, "utf8"), file);
}

/** CRD-only output: everything outside the model comes from the package. */
const externalsOf = (model: Parameters<typeof modulesReferencedOutside>[0]) =>
  Object.fromEntries(
    modulesReferencedOutside(model).map((m) => [m, { specifier: `kubegen/kubernetes/${m}` }]),
  );

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "kubegen-corpus-"));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

async function typecheck(dir: string): Promise<void> {
  await writeFile(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        noUncheckedIndexedAccess: true,
        module: "NodeNext",
        moduleResolution: "NodeNext",
        target: "ES2022",
        lib: ["ES2023"],
        types: ["node"],
        typeRoots: [join(repo, "node_modules/@types")],
        skipLibCheck: false,
        paths: {
          kubegen: [join(repo, "runtime/index.ts")],
          "kubegen/kubernetes/*": [join(repo, "generated/kubernetes/*")],
        },
      },
      include: ["out/**/*.ts"],
    }),
  );
  const tsc = join(repo, "node_modules/.bin/tsc");
  await promisify(execFile)(tsc, ["-p", dir], { maxBuffer: 16 << 20 }).catch((err: { stdout?: string }) => {
    throw new Error(`tsc found errors in the generated code:\n${(err.stdout ?? "").slice(0, 4000)}`);
  });
}

describe("corpus", () => {
  it("generates the whole Kubernetes OpenAPI v3 (1.35 fixtures) into code that compiles", async () => {
    const docs = await loadOpenApiFiles(join(fixtures, "kubernetes/openapi-v3"));
    expect(docs).toHaveLength(36);
    const model = modelFromOpenApi(docs);
    const files = generate(model, { source: "fixtures", runtime: { specifier: "kubegen" } });
    const core = model.modules.find((m) => m.path === "core/v1")!;
    expect(core.resources.find((r) => r.plural === "pods")?.subresources).toEqual(
      expect.arrayContaining(["binding", "eviction", "exec", "log", "status"]),
    );
    expect(core.resources.find((r) => r.plural === "componentstatuses")?.verbs).toEqual(["get", "list"]);
    // Every resource's scope, verbs and subresources, as a reviewable table.
    const table = model.modules
      .filter((m) => m.groupVersion)
      .flatMap((m) =>
        m.resources.map(
          (r) =>
            `${m.groupVersion!.group || "core"}/${m.groupVersion!.version} ${r.accessor} ${r.namespaced ? "namespaced" : "cluster"} ` +
            `[${r.verbs.join(" ")}] [${r.subresources.join(" ")}]`,
        ),
      );
    await expect(`${table.join("\n")}\n`).toMatchFileSnapshot("__snapshots__/kubernetes-1.35-resources.txt");
    const dir = join(tmp, "kubernetes");
    await writeTreeAtomically(join(dir, "out"), files);
    await typecheck(dir);
  }, 120_000);

  it("generates from the v2 swagger.json fallback the same resources as from v3, into code that compiles", async () => {
    const resources = (docs: Awaited<ReturnType<typeof loadOpenApiFiles>>) =>
      modelFromOpenApi(docs)
        .modules.filter((m) => m.groupVersion)
        .flatMap((m) =>
          m.resources.map((r) => `${m.path} ${r.plural} ${r.namespaced} [${r.verbs}] [${r.subresources}]`),
        );
    const v2 = await loadOpenApiFiles(join(fixtures, "kubernetes/swagger.json"));
    expect(v2).toHaveLength(1);
    expect(resources(v2)).toEqual(resources(await loadOpenApiFiles(join(fixtures, "kubernetes/openapi-v3"))));
    const model = modelFromOpenApi(v2);
    const intOrString = model.modules
      .find((m) => m.path === "apimachinery/intstr")
      ?.types.find((t) => t.name === "IntOrString");
    expect(intOrString?.shape).toEqual({ kind: "intOrString" });
    const dir = join(tmp, "swagger");
    await writeTreeAtomically(
      join(dir, "out"),
      generate(model, { source: "fixtures", runtime: { specifier: "kubegen" } }),
    );
    await typecheck(dir);
  }, 120_000);

  withCrds("generates every CRD in the shared fixtures into code that compiles", async () => {
    const warnings: string[] = [];
    const crds = await loadCrdFiles([crdRoot], (w) => warnings.push(w));
    expect(crds.length).toBeGreaterThan(100);
    const { model } = shareTypes(modelFromCrds(crds), { builtins: await builtins() });
    const files = generate(model, {
      source: "fixtures",
      runtime: { specifier: "kubegen" },
      external: externalsOf(model),
    });
    const modules = new Set(model.modules.map((m) => `${m.path}.ts`));
    // Beside the modules: the index, the fake clientset and the (empty: CRDs take no strategic
    // merge) patch metadata.
    expect([...files.keys()].filter((path) => !modules.has(path))).toEqual([
      "fake.ts",
      "index.ts",
      "patch-meta.ts",
    ]);
    const dir = join(tmp, "crds");
    await writeTreeAtomically(join(dir, "out"), files);
    await typecheck(dir);
  });

  withCrds(
    "generates each project alone with far fewer types after sharing, into code that compiles",
    async () => {
      const index = await builtins();
      const projects = readdirSync(crdRoot).sort();
      expect(projects.length).toBeGreaterThanOrEqual(11);
      const dir = join(tmp, "projects");
      const rows: string[] = [];
      let before = 0;
      let after = 0;
      for (const project of projects) {
        const crds = await loadCrdFiles([join(crdRoot, project)], () => {});
        const { model, stats } = shareTypes(modelFromCrds(crds), { builtins: index });
        expect(stats.typesAfter, project).toBeLessThan(stats.typesBefore);
        before += stats.typesBefore;
        after += stats.typesAfter;
        rows.push(
          `${project.padEnd(22)} ${String(stats.typesBefore).padStart(5)} → ${String(stats.typesAfter).padStart(4)} types, ${stats.builtinImports} built-in imports`,
        );
        const files = generate(model, {
          source: project,
          runtime: { specifier: "kubegen" },
          external: externalsOf(model),
        });
        await writeTreeAtomically(join(dir, "out", project), files);
      }
      console.log(`CRD types before → after sharing, per project:\n${rows.join("\n")}`);
      // Real CRDs inline the same shapes again and again: together they shrink to well under a third.
      expect(after * 3).toBeLessThan(before);
      await typecheck(dir);
    },
  );
});
