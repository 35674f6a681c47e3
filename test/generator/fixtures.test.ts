/**
 * Snapshot tests of our own small inputs, one folder per mapping rule or edge case
 * (test/fixtures/crds/<case>/, and a hand-written OpenAPI document for the rules only OpenAPI has):
 * each generates alone into `__snapshots__/<case>/` (the emitted text) plus `model.json` (the IR),
 * and all of the output compiles under `--strict` against the runtime. CRDs go through the shared
 * types stage with the committed built-in index, as the CLI does.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { generate, modulesReferencedOutside } from "../../generator/generate.js";
import { loadCrdFiles } from "../../generator/load/crd.js";
import { loadOpenApiFiles } from "../../generator/load/openapi-v3.js";
import type { ApiModel } from "../../generator/model/ir.js";
import { modelFromCrds } from "../../generator/normalize/from-crd.js";
import { modelFromOpenApi } from "../../generator/normalize/from-openapi.js";
import { builtinTypesFromJson, shareTypes } from "../../generator/normalize/share.js";
import { compileDiagnostics, declarationsOf, hoverIn } from "./support/compile.js";

const repo = resolve(import.meta.dirname, "../..");
const crdRoot = "test/fixtures/crds";
const cases = (await readdir(join(repo, crdRoot))).sort();
const outputs: Record<string, ReadonlyMap<string, string>> = {};
const builtinsFile = join(repo, "generator/builtin-types.json");
const builtins = builtinTypesFromJson(await readFile(builtinsFile, "utf8"), builtinsFile);

async function snapshot(name: string, model: ApiModel, files: ReadonlyMap<string, string>): Promise<void> {
  outputs[name] = files;
  const dir = join(import.meta.dirname, "__snapshots__", name);
  await expect(`${JSON.stringify(model, null, 2)}\n`).toMatchFileSnapshot(join(dir, "model.json"));
  for (const [path, text] of files) await expect(text).toMatchFileSnapshot(join(dir, path));
}

describe("CRD fixtures", () => {
  it("has a folder per edge case", () => {
    expect(cases).toEqual(
      expect.arrayContaining([
        "embedded-resource",
        "int-or-string",
        "mixed-case",
        "multi-version",
        "name-collisions",
        "no-status",
        "nullable-enum",
        "preserve-unknown-fields",
        "reserved-words",
        "shared-types",
        "builtin-types",
      ]),
    );
  });

  for (const name of cases) {
    it(`generates ${name}`, async () => {
      const crds = await loadCrdFiles([`${crdRoot}/${name}`], () => {});
      const { model } = shareTypes(modelFromCrds(crds), { builtins });
      const files = generate(model, {
        source: `${crdRoot}/${name}`,
        external: Object.fromEntries(
          modulesReferencedOutside(model).map((m) => [m, { specifier: `kubegen/kubernetes/${m}` }]),
        ),
      });
      await snapshot(name, model, files);
    });
  }
});

describe("OpenAPI fixture", () => {
  it("generates the OpenAPI-only mapping rules", async () => {
    const docs = await loadOpenApiFiles("test/generator/fixtures/openapi");
    const model = modelFromOpenApi(docs);
    await snapshot("openapi", model, generate(model, { source: "test/generator/fixtures/openapi" }));
  });
});

describe("all fixture output", () => {
  it("the compile check can fail", () => {
    const bad = new Map([["bad.ts", 'export const n: number = "not a number";\n']]);
    expect(compileDiagnostics({ bad }).join("\n")).toMatch(
      /bad\.ts:1: Type 'string' is not assignable to type 'number'/,
    );
  });

  it("compiles under --strict against the runtime", () => {
    expect(Object.keys(outputs)).toHaveLength(cases.length + 1);
    expect(compileDiagnostics(outputs)).toEqual([]);
  }, 60_000);

  it("declares types by name: no import() type in the declarations a program loads", () => {
    // Each `import("...")` in a .d.ts is one more module reference every importing program
    // resolves, and an inferred clientset type spelled every resource out again through them.
    const declarations = declarationsOf(outputs["multi-version"]!);
    expect([...declarations.keys()].sort()).toEqual(
      expect.arrayContaining(["example.kubegen.dev/v1.d.ts", "fake.d.ts", "index.d.ts"]),
    );
    for (const [path, text] of declarations)
      expect({ path, importTypes: text.match(/import\(/g) }).toEqual({ path, importTypes: null });
    const index = declarations.get("index.d.ts")!;
    expect(index).toContain("export declare const Clientset: ClientsetClass<{");
    expect(index).toMatch(/readonly exampleV1: typeof exampleV1;/);
    expect(index).toContain(
      'export declare const InformerFactory: InformerFactoryClass<(typeof Clientset)["groupVersions"]>;',
    );
    expect(declarations.get("example.kubegen.dev/v1.d.ts")).toMatch(
      /export declare const widgets: TypedResource<Widget, WidgetList, /,
    );
    // The clientset's members keep their notes where a user reaches them, through the declarations.
    const program = [
      'import type { Clientset } from "./index.js";',
      "declare const clientset: Clientset;",
      'await clientset.exampleV1beta1.widgets("default").list();',
      "",
    ].join("\n");
    const hover = hoverIn(declarations, program, "exampleV1beta1.");
    expect(hover).toMatch(/^\(property\) exampleV1beta1: \{/);
    expect(hover).toContain("`example.kubegen.dev/v1beta1`. **Beta** version of a custom resource API");
  }, 60_000);
});
