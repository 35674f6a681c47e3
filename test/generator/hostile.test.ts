/**
 * Hostile but plausible input (test/fixtures/hostile/, one file per class): each either fails with
 * an error naming the file and the JSON pointer or field at fault, or generates output that stays
 * inside --out, compiles under strict tsc, and runs nothing when imported.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../generator/cli.js";
import { readTree } from "../../generator/write.js";
import { compileDiagnostics } from "./support/compile.js";

const dir = "test/fixtures/hostile";
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "kubegen-hostile-"));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

async function generate(flag: string, input: string, out: string) {
  let stderr = "";
  const code = await main(["generate", flag, input, "--out", out], {
    stdout: () => {},
    stderr: (t) => {
      stderr += t;
    },
  });
  return { code, stderr };
}

describe("refused, naming the file and pointer", () => {
  const cases: [string, string][] = [
    ["group-traversal.yaml", 'at /spec/group: "../../../x" is not a DNS subdomain with at least one dot'],
    ["plural-code.yaml", 'at /spec/names/plural: "w: any = (globalThis.X = 1), w2" is not a DNS-1035 label'],
    ["kind-newline.yaml", "at /spec/names/kind: "],
    ["version-quote.yaml", "at /spec/versions/0/name: "],
    ["properties-string.yaml", '/properties/spec/properties: expected an object of schemas, found "abc"'],
    ["required-number.yaml", "/openAPIV3Schema/required: expected a list of property names, found 5"],
    ["list-map-bad-key.yaml", '/x-kubernetes-list-map-keys: "nope" is not a property of the items'],
    ["deep-nesting.json", "/items/items: schema nested deeper than 200 levels"],
    ["alias-bomb.yaml", "alias"],
    [
      "selectable-field-code.yaml",
      'at /spec/versions/0/selectableFields/1/jsonPath: ".spec.a\\"]; globalThis.X = 1; [\\"" is not a simple path',
    ],
  ];
  for (const [file, message] of cases) {
    it(file, async () => {
      const out = join(tmp, `refused-${file}`);
      const { code, stderr } = await generate("--crd", `${dir}/${file}`, out);
      expect(code).toBe(1);
      expect(stderr).toContain(`kubegen: ${dir}/${file}`);
      expect(stderr).toContain(message);
      // Nothing written, and the message is one line, not a dump of the input.
      expect(await readdir(tmp)).not.toContain(`refused-${file}`);
      expect(stderr.split("\n")[0]!.length).toBeLessThan(400);
    });
  }

  it("an OpenAPI schema id with a quote", async () => {
    const { code, stderr } = await generate("--openapi", `${dir}/openapi-id-quote`, join(tmp, "q"));
    expect(code).toBe(1);
    expect(stderr).toContain('doc.json#/components/schemas/dev.kubegen.hostile.v1".X: the schema id');
  });
});

describe("generated safely", () => {
  const trees: Record<string, ReadonlyMap<string, string>> = {};
  const cases: [string, string][] = [
    ["--crd", "prototype-properties.yaml"],
    ["--crd", "unicode-names.yaml"],
    ["--crd", "comment-breakout.yaml"],
    ["--openapi", "openapi-self-ref"],
  ];
  for (const [flag, input] of cases) {
    it(input, async () => {
      const root = join(tmp, `safe-${input}`);
      const out = join(root, "out");
      await mkdir(root);
      const { code, stderr } = await generate(flag, `${dir}/${input}`, out);
      expect(code, stderr).toBe(0);
      expect(await readdir(root)).toEqual(["out"]);
      const tree = await readTree(out);
      trees[input] = tree;
      const module = [...tree].find(([p]) => p !== "index.ts" && p !== "fake.ts")![1];
      if (input === "prototype-properties.yaml") {
        expect(module).toContain("constructor: string;");
        expect(module).toContain("toString?: number;");
        expect(module).toContain("hasOwnProperty?: boolean;");
        expect(module).toContain("__proto__?: ThingSpecProto;");
        expect(module).not.toContain("[native code]");
      }
      if (input === "unicode-names.yaml") {
        expect(module).toMatch(/"Cafè"\?: ThingSpecCaf;/);
        expect(module).toMatch(/"Café"\?: ThingSpecCaf2;/);
      }
      if (input === "comment-breakout.yaml") expect(module).toContain("ends *\\/ globalThis.pwned = 1;");
      if (input === "openapi-self-ref") {
        expect(module).toContain("export type Loop = unknown;");
        expect(module).toContain("export type A = unknown;");
      }
    });
  }

  it("compiles under --strict and runs nothing when imported", { timeout: 120_000 }, async () => {
    expect(Object.keys(trees)).toHaveLength(cases.length);
    expect(compileDiagnostics(trees)).toEqual([]);
    const marker = globalThis as { pwned?: unknown; X?: unknown };
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    for (const [name, tree] of Object.entries(trees)) {
      const root = join(tmp, "run", name);
      for (const [path, text] of tree) {
        await mkdir(join(root, path, ".."), { recursive: true });
        await writeFile(join(root, path), text);
      }
      await import(join(root, "index.ts"));
    }
    expect(marker.pwned).toBeUndefined();
    expect(marker.X).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
  });
});
