/**
 * Strategic merge patch metadata through the generator: the normalize stage reads
 * `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key` onto properties, and
 * `patch-meta.ts` keeps, per type, only the fields a strategic merge needs, for the kinds that take
 * strategic merge patches.
 */
import { describe, expect, it } from "vitest";
import { emitPatchMeta, patchMetaOf } from "../../../generator/emit/patch-meta.js";
import { emitContext } from "../../../generator/generate.js";
import type { OpenApiDocument } from "../../../generator/load/openapi-v3.js";
import type { Module, Property, Resource, TypeDef } from "../../../generator/model/ir.js";
import { modelFromOpenApi } from "../../../generator/normalize/from-openapi.js";

const ctx = emitContext({ runtime: { specifier: "kubegen" } });

const ref = (module: string, name: string) => ({ kind: "ref" as const, ref: { module, name } });
const prop = (name: string, shape: Property["shape"], patch: Partial<Property> = {}): Property => ({
  name,
  required: false,
  shape,
  ...patch,
});
const object = (name: string, properties: Property[]): TypeDef => ({
  name,
  origin: name,
  shape: { kind: "object", properties, open: false },
});
const resource = (kind: string, plural: string, strategicMergePatch: boolean): Resource => ({
  accessor: plural,
  plural,
  singular: kind.toLowerCase(),
  kind,
  listKind: `${kind}List`,
  namespaced: true,
  verbs: ["get", "patch"],
  subresources: [],
  shortNames: [],
  categories: [],
  objectType: { module: "apps/v1", name: kind },
  listType: { module: "apps/v1", name: `${kind}List` },
  ...(strategicMergePatch ? { strategicMergePatch: true } : {}),
});

/** A Deployment-like kind with every case: merged lists, a replaced list, a map of types, recursion. */
const modules: Module[] = [
  {
    path: "apps/v1",
    groupVersion: { group: "apps", version: "v1", clientName: "appsV1" },
    stability: "stable",
    source: "test",
    resources: [resource("Deployment", "deployments", true), resource("Widget", "widgets", false)],
    types: [
      object("Deployment", [prop("spec", ref("apps/v1", "Spec")), prop("status", ref("apps/v1", "Plain"))]),
      object("Spec", [
        prop(
          "containers",
          { kind: "array", items: ref("apps/v1", "Container") },
          {
            patchStrategy: "merge",
            patchMergeKey: "name",
          },
        ),
        prop("replaced", { kind: "array", items: ref("apps/v1", "Container") }),
        prop("byName", { kind: "map", values: ref("apps/v1", "Container") }),
        prop("strategy", ref("apps/v1", "Plain"), { patchStrategy: "retainKeys" }),
        prop("tree", ref("apps/v1", "Tree")),
        prop("__proto__", { kind: "array", items: { kind: "string" } }, { patchStrategy: "merge" }),
        prop("replicas", { kind: "number" }),
      ]),
      object("Container", [
        prop("name", { kind: "string" }),
        prop(
          "env",
          { kind: "array", items: ref("apps/v1", "Plain") },
          { patchStrategy: "merge", patchMergeKey: "name" },
        ),
      ]),
      object("Plain", [prop("name", { kind: "string" })]),
      // Recursive, without any metadata: left out, and so is the field leading to it.
      object("Tree", [prop("children", { kind: "array", items: ref("apps/v1", "Tree") })]),
      object("Widget", [prop("spec", ref("apps/v1", "Spec"))]),
    ],
  },
];

describe("patch metadata", () => {
  it("keeps the fields a strategic merge needs, per type, for the kinds that take it", () => {
    expect(patchMetaOf(modules)).toEqual({
      kinds: [["apps/v1/Deployment", "apps/v1.Deployment"]],
      types: [
        ["apps/v1.Container", [["env", { strategy: "merge", key: "name" }]]],
        ["apps/v1.Deployment", [["spec", { type: "apps/v1.Spec" }]]],
        [
          "apps/v1.Spec",
          [
            ["__proto__", { strategy: "merge" }],
            ["byName", { type: "apps/v1.Container", map: true }],
            ["containers", { strategy: "merge", key: "name", type: "apps/v1.Container" }],
            ["strategy", { strategy: "retainKeys" }],
          ],
        ],
      ],
    });
  });

  it("prints one frozen constant, keys bare where they can be and `__proto__` computed", () => {
    const text = emitPatchMeta(modules, ctx, "// header");
    expect(text).toContain('import { definePatchMeta } from "kubegen";');
    expect(text).toContain(
      [
        "export const patchMeta = /*@__PURE__*/ definePatchMeta({",
        "  kinds: {",
        '    "apps/v1/Deployment": "apps/v1.Deployment",',
        "  },",
        "  types: {",
        '    "apps/v1.Container": {',
        '      env: { strategy: "merge", key: "name" },',
        "    },",
      ].join("\n"),
    );
    expect(text).toContain('      ["__proto__"]: { strategy: "merge" },');
    expect(text).toContain('      byName: { type: "apps/v1.Container", map: true },');
  });

  it("is empty where no kind takes strategic merge patches (custom resources)", () => {
    const crdOnly = modules.map((m) => ({
      ...m,
      resources: m.resources.filter((r) => !r.strategicMergePatch),
    }));
    const text = emitPatchMeta(crdOnly, ctx, "// header");
    expect(text).toContain("  kinds: {},\n  types: {},\n});");
    expect(text).toContain("custom resources never do");
  });
});

describe("reading the extensions", () => {
  const document = (extensions: Record<string, unknown>): OpenApiDocument => ({
    paths: {
      "/apis/apps/v1/namespaces/{namespace}/deployments/{name}": {
        get: {
          "x-kubernetes-action": "get",
          "x-kubernetes-group-version-kind": { group: "apps", version: "v1", kind: "Deployment" },
        },
      },
    },
    components: {
      schemas: {
        "io.k8s.api.apps.v1.Deployment": {
          type: "object",
          "x-kubernetes-group-version-kind": [{ group: "apps", version: "v1", kind: "Deployment" }],
          properties: {
            finalizers: { type: "array", items: { type: "string" }, ...extensions },
          },
        },
      },
    },
  });

  it("carries strategy and merge key onto the property, as the schema writes them", () => {
    const model = modelFromOpenApi([
      {
        source: "apps.json",
        document: document({
          "x-kubernetes-patch-strategy": "merge,retainKeys",
          "x-kubernetes-patch-merge-key": "k",
        }),
      },
    ]);
    const deployment = model.modules.flatMap((m) => m.types).find((t) => t.name === "Deployment")!;
    if (deployment.shape.kind !== "object") throw new Error("Deployment is an object");
    expect(deployment.shape.properties[0]).toMatchObject({
      name: "finalizers",
      patchStrategy: "merge,retainKeys",
      patchMergeKey: "k",
    });
  });

  it("names a malformed extension by its pointer", () => {
    expect(() =>
      modelFromOpenApi([{ source: "apps.json", document: document({ "x-kubernetes-patch-merge-key": 5 }) }]),
    ).toThrow(
      "#/components/schemas/io.k8s.api.apps.v1.Deployment/properties/finalizers/x-kubernetes-patch-merge-key: expected a non-empty string, found 5",
    );
  });
});
