/**
 * What a bundler makes of the package: importing one constructor helper from a generated module
 * (`kubegen/kubernetes/apps/v1`) must pull in neither the runtime's transport (undici) nor YAML,
 * thanks to `"sideEffects": false` and the `@__PURE__` descriptors. esbuild bundles the sources,
 * with `kubegen/*` resolved through package.json's `exports` (each `dist/…js` target mapped to its
 * `.ts` source), so the exports map and the sideEffects flag are the ones that ship.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Metafile, type Plugin } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
type Exports = Record<string, { default: string }>;
let exportsMap: Exports;
let dir: string;

beforeAll(async () => {
  const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { exports: Exports };
  exportsMap = pkg.exports;
  dir = await mkdtemp(join(tmpdir(), "kubegen-bundle-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** `kubegen` and `kubegen/<subpath>` as package.json's exports say, on the TypeScript sources. */
const packageSources: Plugin = {
  name: "kubegen-exports",
  setup(b) {
    b.onResolve({ filter: /^kubegen(\/.*)?$/ }, ({ path }) => {
      const subpath = `.${path.slice("kubegen".length)}`;
      for (const [key, value] of Object.entries(exportsMap)) {
        const star = key.indexOf("*");
        let target: string | undefined;
        if (star < 0 && key === subpath) target = value.default;
        else if (
          star >= 0 &&
          subpath.startsWith(key.slice(0, star)) &&
          subpath.endsWith(key.slice(star + 1))
        ) {
          const match = subpath.slice(star, subpath.length - (key.length - star - 1));
          target = value.default.replace("*", match);
        }
        if (target) return { path: join(root, target.replace(/^\.\/dist\//, "").replace(/\.js$/, ".ts")) };
      }
      return { errors: [{ text: `package.json exports no ${subpath}` }] };
    });
  },
};

async function bundle(source: string): Promise<{ code: string; inputs: string[]; file: string }> {
  const result = await build({
    stdin: { contents: source, resolveDir: dir, sourcefile: "entry.ts", loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    target: "node20",
    write: false,
    metafile: true,
    logLevel: "silent",
    plugins: [packageSources],
  });
  const code = result.outputFiles[0]!.text;
  const file = join(dir, `bundle-${Math.random().toString(36).slice(2)}.mjs`);
  await writeFile(file, code);
  // Every file esbuild read is listed in `inputs`; only those with bytes in the output are in it.
  const output = Object.values((result.metafile as Metafile).outputs)[0]!;
  const inputs = Object.entries(output.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path);
  return { code, inputs, file };
}

const fromDependency = (inputs: string[], name: string) =>
  inputs.filter((input) => input.includes(`node_modules/${name}/`));

describe("bundling a generated module", () => {
  it("keeps a constructor helper small: no undici, no yaml, no runtime", async () => {
    const { code, inputs, file } = await bundle(`
      import { Deployment } from "kubegen/kubernetes/apps/v1";
      export const deployment = Deployment({ spec: { selector: {}, template: {} } });
    `);
    expect(code.length).toBeLessThan(20_000);
    expect(fromDependency(inputs, "undici")).toEqual([]);
    expect(fromDependency(inputs, "yaml")).toEqual([]);
    expect(inputs.filter((i) => i.startsWith("runtime/"))).toEqual([]);
    // The bundle still works.
    const { deployment } = (await import(pathToFileURL(file).href)) as { deployment: object };
    expect(deployment).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      spec: { selector: {}, template: {} },
    });
  });

  it("does bring in the transport once a client is used (the check above can see it)", async () => {
    const { inputs } = await bundle(`
      import { Clientset } from "kubegen/kubernetes";
      export const make = (config) => Clientset.forConfig(config);
    `);
    expect(fromDependency(inputs, "undici").length).toBeGreaterThan(0);
  });
});
