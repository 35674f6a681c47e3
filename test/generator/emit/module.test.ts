/**
 * IR → TypeScript text, one mapping rule per case (the emit half of the table-driven unit tests;
 * the normalize half is in test/generator/normalize/schema.test.ts).
 */
import { describe, expect, it } from "vitest";
import { FileBuilder, jsDoc, relativeSpecifier } from "../../../generator/emit/file-builder.js";
import {
  emitIndex,
  emitModule,
  printShape,
  repairFences,
  stabilityNote,
} from "../../../generator/emit/module.js";
import { emitContext } from "../../../generator/generate.js";
import type { Module, Shape } from "../../../generator/model/ir.js";
import { type Cases, runCases } from "../../support/cases.js";

const ctx = emitContext({ runtime: { specifier: "kubegen" } });

describe("printShape", () => {
  const cases: Cases<Shape, string> = [
    ["string", { given: { kind: "string" }, want: "string" }],
    ["int-or-string", { given: { kind: "intOrString" }, want: "number | string" }],
    ["enum literals", { given: { kind: "literals", values: ["A", 1, true] }, want: '"A" | 1 | true' }],
    ["nullable", { given: { kind: "nullable", inner: { kind: "string" } }, want: "string | null" }],
    [
      "array of a union is parenthesized",
      { given: { kind: "array", items: { kind: "intOrString" } }, want: "(number | string)[]" },
    ],
    ["map", { given: { kind: "map", values: { kind: "number" } }, want: "{ [key: string]: number }" }],
    [
      "ref to another module",
      { given: { kind: "ref", ref: { module: "meta/v1", name: "ObjectMeta" } }, want: "ObjectMeta" },
    ],
    [
      "union keeps distinct options",
      {
        given: { kind: "union", options: [{ kind: "string" }, { kind: "number" }, { kind: "string" }] },
        want: "string | number",
      },
    ],
    [
      "closed object with required and quoted names",
      {
        given: {
          kind: "object",
          open: false,
          properties: [
            { name: "a-b", required: true, shape: { kind: "string" } },
            { name: "default", required: false, shape: { kind: "boolean" } },
          ],
        },
        want: '{\n  "a-b": string;\n  default?: boolean;\n}',
      },
    ],
    [
      "open object keeps known properties",
      {
        given: {
          kind: "object",
          open: true,
          properties: [{ name: "x", required: false, shape: { kind: "string" } }],
        },
        want:
          "{\n  x?: string;\n  /** Fields the schema does not list are kept (`x-kubernetes-preserve-unknown-fields`). */\n" +
          "  [key: string]: unknown;\n}",
      },
    ],
    [
      "embedded resource gets apiVersion, kind and ObjectMeta",
      {
        given: {
          kind: "embeddedResource",
          open: false,
          properties: [
            { name: "metadata", required: false, shape: { kind: "map", values: { kind: "unknown" } } },
          ],
        },
        want: "{\n  apiVersion?: string;\n  kind?: string;\n  metadata?: ObjectMeta;\n}",
      },
    ],
  ];
  runCases(cases, (shape) => printShape(shape, ctx));
});

describe("jsDoc", () => {
  const cases: Cases<string[], string[]> = [
    ["one line", { given: ["Hello."], want: ["/** Hello. */"] }],
    ["nothing", { given: ["", ""], want: [] }],
    ["a comment end is escaped", { given: ["a */ b"], want: ["/** a *\\/ b */"] }],
    [
      "several lines",
      { given: ["a", "", "@default 1"], want: ["/**", " * a", " *", " * @default 1", " */"] },
    ],
  ];
  runCases(cases, (lines) => jsDoc(lines));
});

describe("relativeSpecifier", () => {
  const cases: Cases<[string, string], string> = [
    ["sibling group", { given: ["apps/v1", "core/v1"], want: "../core/v1.js" }],
    ["same folder", { given: ["apps/v1", "apps/v1beta1"], want: "./v1beta1.js" }],
    ["from the index", { given: ["index", "apps/v1"], want: "./apps/v1.js" }],
    ["outside the output", { given: ["apps/v1", "../../runtime/index"], want: "../../../runtime/index.js" }],
  ];
  runCases(cases, ([from, to]) => relativeSpecifier(from, to));
});

describe("emitModule", () => {
  const module: Module = {
    path: "widgets.example.dev/v1alpha1",
    groupVersion: { group: "widgets.example.dev", version: "v1alpha1", clientName: "widgetsV1alpha1" },
    stability: "alpha",
    source: "test",
    types: [
      {
        name: "ObjectMeta",
        origin: "a local type named like an import",
        shape: { kind: "object", open: false, properties: [] },
      },
      {
        name: "Widget",
        origin: "test",
        typeMeta: { apiVersion: "widgets.example.dev/v1alpha1", kind: "Widget" },
        constructorHelper: true,
        shape: {
          kind: "object",
          open: false,
          properties: [
            { name: "kind", required: true, shape: { kind: "string" } },
            {
              name: "metadata",
              required: false,
              shape: { kind: "ref", ref: { module: "meta/v1", name: "ObjectMeta" } },
            },
          ],
        },
      },
    ],
    resources: [],
  };
  const text = emitModule(module, ctx, "// header");

  it("aliases an import that collides with a local name", () => {
    expect(text).toContain('import type { ObjectMeta as MetaV1ObjectMeta } from "../meta/v1.js";');
    expect(text).toContain("metadata?: MetaV1ObjectMeta;");
  });
  it("makes kind an optional literal even when the schema requires it", () => {
    expect(text).toContain('kind?: "Widget";');
  });
  it("marks an alpha group-version in the module JSDoc, as a custom resource's promise", () => {
    expect(text).toContain("**Alpha** version of a custom resource API");
    expect(text).not.toContain("runtime-config");
  });
  it("writes the header first", () => {
    expect(text.startsWith("// header\n")).toBe(true);
  });
});

describe("stabilityNote", () => {
  const gv = (group: string, version: string, stability: Module["stability"]): Module => ({
    path: "x/v",
    groupVersion: { group, version, clientName: "x" },
    stability,
    source: "t",
    types: [],
    resources: [],
  });
  it("says nothing of a stable version", () => {
    expect(stabilityNote(gv("apps", "v1", "stable"))).toBeUndefined();
  });
  it("says a built-in alpha is served only where enabled", () => {
    expect(stabilityNote(gv("resource.k8s.io", "v1alpha3", "alpha"))).toMatch(
      /^\*\*Alpha\*\*: .*--runtime-config/,
    );
  });
  it("says new built-in betas are off since 1.24", () => {
    expect(stabilityNote(gv("", "v1beta1", "beta"))).toMatch(/^\*\*Beta\*\*: .*since Kubernetes 1\.24/);
  });
  it("leaves a custom resource's beta to its authors, with no apiserver flag", () => {
    const note = stabilityNote(gv("example.dev", "v1beta1", "beta"));
    expect(note).toBe("**Beta** version of a custom resource API: its authors may still change it.");
  });
});

describe("emitIndex", () => {
  it("documents alpha and beta members of the clientset, where a user reaches them", () => {
    const module = (version: string, stability: Module["stability"]): Module => ({
      path: `resource/${version}`,
      groupVersion: { group: "resource.k8s.io", version, clientName: `resource${version.toUpperCase()}` },
      stability,
      source: "t",
      types: [],
      resources: [
        {
          accessor: "things",
          plural: "things",
          singular: "thing",
          kind: "Thing",
          listKind: "ThingList",
          namespaced: false,
          verbs: ["get"],
          subresources: [],
          shortNames: [],
          categories: [],
          objectType: { module: `resource/${version}`, name: "Thing" },
          listType: { module: `resource/${version}`, name: "Thing" },
        },
      ],
    });
    const text = emitIndex([module("v1", "stable"), module("v1alpha3", "alpha")], ctx, "// h");
    expect(text).toContain('import { groupVersion as resourceV1 } from "./resource/v1.js";');
    expect(text).toMatch(
      /\n {2}readonly resourceV1: typeof resourceV1;\n {2}\/\*\*\n {3}\* `resource\.k8s\.io\/v1alpha3`\. \*\*Alpha\*\*: [\s\S]*?\*\/\n {2}readonly resourceV1ALPHA3: typeof resourceV1ALPHA3;/,
    );
  });
});

describe("FileBuilder", () => {
  it("prints a body of any length (no spread into one call)", () => {
    const f = new FileBuilder("big/v1", (_from, t) => ("specifier" in t ? t.specifier : t.module));
    const lines = Array.from({ length: 500_000 }, (_, i) => `// ${i}`);
    f.printLines(lines);
    const text = f.toString("// h");
    expect(text.split("\n")).toHaveLength(500_003);
  });

  it("emits a type with 200,000 properties", () => {
    const properties = Array.from({ length: 200_000 }, (_, i) => ({
      name: `p${i}`,
      required: false,
      shape: { kind: "string" } as Shape,
    }));
    const text = emitModule(
      {
        path: "big.example.dev/v1",
        stability: "stable",
        source: "t",
        types: [{ name: "Big", origin: "t", shape: { kind: "object", open: false, properties } }],
        resources: [],
      },
      ctx,
      "// h",
    );
    expect(text).toContain("  p199999?: string;\n}");
  });
});

describe("code fences in descriptions", () => {
  it("puts fences that Kubernetes' OpenAPI joined to a line back on lines of their own", () => {
    expect(
      repairFences(
        "The format is:\n\n``` <quantity> ::= <number><suffix>\n\n<digit> ::= 0 | 1 ```\n\nAfter.",
      ),
    ).toBe("The format is:\n\n```\n<quantity> ::= <number><suffix>\n\n<digit> ::= 0 | 1\n```\n\nAfter.");
    // A fence with a language, and fences already alone, stay as they are.
    const fine = "```yaml\nmatches:\n- path: /foo\n```";
    expect(repairFences(fine)).toBe(fine);
  });

  it("wraps prose but leaves the lines inside a fence as they are", () => {
    const long = `x ::= ${"a | ".repeat(40)}b`;
    const doc = jsDoc([`${"word ".repeat(30)}end`, "```", long, "```"]);
    expect(doc).toContain(` * ${long}`);
    expect(doc.filter((l) => l.startsWith(" * word")).length).toBe(2);
  });
});
