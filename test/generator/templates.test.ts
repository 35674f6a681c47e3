/**
 * The templates (templates/*.ts, type-checked against the runtime) and the emitter agree: each
 * `#region` of a template, placeholders filled in, appears verbatim in what the emitter prints
 * for the same kind.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { generate } from "../../generator/generate.js";
import type { ApiModel } from "../../generator/model/ir.js";

const values: Record<string, string> = {
  Kind: "Widget",
  KindList: "WidgetList",
  apiVersion: "example.kubegen.dev/v1",
  group: "example.kubegen.dev",
  version: "v1",
  plural: "widgets",
  singular: "widget",
  accessor: "widgets",
  clientName: "exampleV1",
  Clientset: "Clientset",
  InformerFactory: "InformerFactory",
};

const model: ApiModel = {
  modules: [
    {
      path: "example.kubegen.dev/v1",
      groupVersion: { group: "example.kubegen.dev", version: "v1", clientName: "exampleV1" },
      stability: "stable",
      source: "test",
      types: [
        {
          name: "Widget",
          origin: "test",
          typeMeta: { apiVersion: "example.kubegen.dev/v1", kind: "Widget" },
          constructorHelper: true,
          shape: { kind: "object", open: false, properties: [] },
        },
        { name: "WidgetList", origin: "test", shape: { kind: "object", open: false, properties: [] } },
      ],
      resources: [
        {
          accessor: "widgets",
          plural: "widgets",
          singular: "widget",
          kind: "Widget",
          listKind: "WidgetList",
          namespaced: true,
          verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
          subresources: ["scale", "status"],
          shortNames: [],
          categories: [],
          objectType: { module: "example.kubegen.dev/v1", name: "Widget" },
          listType: { module: "example.kubegen.dev/v1", name: "WidgetList" },
          storageVersion: true,
        },
      ],
    },
  ],
};
const files = generate(model, { source: "test" });

async function regions(template: string): Promise<Map<string, string>> {
  const text = await readFile(resolve(import.meta.dirname, "../../templates", template), "utf8");
  const out = new Map<string, string>();
  for (const m of text.matchAll(/\/\/ #region (\S+)\n([\s\S]*?)\/\/ #endregion/g)) {
    out.set(
      m[1]!,
      m[2]!.replace(/__([A-Za-z]+)__/g, (all, key: string) => values[key] ?? all),
    );
  }
  return out;
}

describe("templates", () => {
  it("group-version.ts matches the emitted group-version module", async () => {
    const found = await regions("group-version.ts");
    expect([...found.keys()]).toEqual(["constructor", "resource", "group-version"]);
    const emitted = files.get("example.kubegen.dev/v1.ts")!;
    for (const [name, text] of found) expect(emitted, name).toContain(text);
  });

  it("index.ts matches the emitted clientset", async () => {
    const found = await regions("index.ts");
    expect([...found.keys()]).toEqual(["clientset", "informers"]);
    for (const [name, text] of found) expect(files.get("index.ts"), name).toContain(text);
  });
});
