/**
 * Built-in types reused, proven by the compiler: with them, the containers of a CRD's pod template
 * (test/fixtures/crds/builtin-types) are the built-in `Container`, so containers go between the
 * built-in clientset and the CRD client with no cast; with `--no-builtin-types` they are a CRD type
 * of their own, and reading them back into a `Container` does not compile.
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { generate, modulesReferencedOutside } from "../../generator/generate.js";
import { loadCrdFiles } from "../../generator/load/crd.js";
import { modelFromCrds } from "../../generator/normalize/from-crd.js";
import { type BuiltinTypes, builtinTypesFromJson, shareTypes } from "../../generator/normalize/share.js";
import { compileDiagnostics } from "./support/compile.js";

const repo = resolve(import.meta.dirname, "../..");
const indexFile = join(repo, "generator/builtin-types.json");

async function generated(builtins: BuiltinTypes | undefined): Promise<Map<string, string>> {
  const crds = await loadCrdFiles([join(repo, "test/fixtures/crds/builtin-types")], () => {});
  const { model } = shareTypes(modelFromCrds(crds), { builtins });
  return generate(model, {
    source: "test",
    external: Object.fromEntries(
      modulesReferencedOutside(model).map((m) => [m, { specifier: `kubegen/kubernetes/${m}` }]),
    ),
  });
}

const program = `
import type { Clientset } from "kubegen/kubernetes/index";
import type { Container } from "kubegen/kubernetes/core/v1";
import { Runner } from "./builtin-types.kubegen.dev/v1.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Template = NonNullable<NonNullable<NonNullable<Runner["spec"]>["template"]>["spec"]>;

export async function copy(clientset: Clientset): Promise<Container[]> {
  const pod = await clientset.coreV1.pods("default").get("web");
  const runner = Runner({ spec: { template: { spec: { containers: pod.spec!.containers } } } });
  const containers: Container[] = runner.spec!.template!.spec!.containers;
  const same: Equal<Template["containers"][number], Container> = true;
  return same ? containers : [];
}
`;

describe("built-in types in CRD output", () => {
  it("a pod template's containers are the built-in Container: no cast either way", async () => {
    const builtins = builtinTypesFromJson(await readFile(indexFile, "utf8"), indexFile);
    const files = await generated(builtins);
    expect(files.get("builtin-types.kubegen.dev/v1.ts")).toContain(
      'import type { Container } from "kubegen/kubernetes/core/v1";',
    );
    files.set("program.ts", program);
    expect(compileDiagnostics({ reuse: files })).toEqual([]);
  }, 60_000);

  it("without them (--no-builtin-types), the CRD's own container type does not fit a Container", async () => {
    const files = await generated(undefined);
    expect(files.get("builtin-types.kubegen.dev/v1.ts")).not.toContain("kubegen/kubernetes/core/v1");
    files.set("program.ts", program);
    const diagnostics = compileDiagnostics({ own: files }).join("\n");
    expect(diagnostics).toMatch(
      /program\.ts:12: Type 'RunnerSpecTemplateSpecContainers\[\]' is not assignable to type 'Container\[\]'/,
    );
    expect(diagnostics).toMatch(/program\.ts:13: Type 'true' is not assignable to type 'false'/);
  }, 60_000);
});
