/**
 * Strategic merge patch and server-side apply metadata through the generator: the normalize stage
 * reads `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key` onto properties and list and
 * map types onto shapes, and `patch-meta.ts` keeps, per type, only the fields a strategic merge or
 * server-side apply treats otherwise than by default, for the kinds that need them.
 */
import { describe, expect, it } from "vitest";
import { emitPatchMeta, patchMetaOf } from "../../../generator/emit/patch-meta.js";
import { emitContext, generate } from "../../../generator/generate.js";
import type { OpenApiDocument } from "../../../generator/load/openapi-v3.js";
import type { Module, Property, Resource, TypeDef } from "../../../generator/model/ir.js";
import { modelFromOpenApi } from "../../../generator/normalize/from-openapi.js";
import { compileDiagnostics } from "../support/compile.js";

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
        // Server-side apply only: a list-map, one keyed as its merge key says (no `keys` needed),
        // a set, an atomic struct and an atomic map.
        prop("ports", { kind: "array", items: ref("apps/v1", "Plain"), listMapKeys: ["port", "protocol"] }),
        prop(
          "conditions",
          { kind: "array", items: ref("apps/v1", "Plain"), listMapKeys: ["type"] },
          { patchStrategy: "merge", patchMergeKey: "type" },
        ),
        prop("tags", { kind: "array", items: { kind: "string" }, listType: "set" }),
        prop("selector", ref("apps/v1", "Selector")),
        prop("params", { kind: "map", values: { kind: "string" }, mapType: "atomic" }),
      ]),
      {
        name: "Selector",
        origin: "Selector",
        shape: { kind: "object", properties: [], open: false, mapType: "atomic" },
      },
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
  it("keeps the fields a strategic merge or server-side apply needs, per type, for the kinds that need them", () => {
    expect(patchMetaOf(modules)).toEqual({
      // Widget takes no strategic merge patches, but its spec says something to server-side apply.
      kinds: [
        ["apps/v1/Deployment", "apps/v1.Deployment"],
        ["apps/v1/Widget", "apps/v1.Widget"],
      ],
      types: [
        ["apps/v1.Container", [["env", { strategy: "merge", key: "name" }]]],
        ["apps/v1.Deployment", [["spec", { type: "apps/v1.Spec" }]]],
        [
          "apps/v1.Spec",
          [
            ["__proto__", { strategy: "merge" }],
            ["byName", { type: "apps/v1.Container", map: true }],
            ["conditions", { strategy: "merge", key: "type" }],
            ["containers", { strategy: "merge", key: "name", type: "apps/v1.Container" }],
            ["params", { atomic: true }],
            ["ports", { keys: ["port", "protocol"] }],
            ["selector", { atomic: true }],
            ["strategy", { strategy: "retainKeys" }],
            ["tags", { list: "set" }],
          ],
        ],
        ["apps/v1.Widget", [["spec", { type: "apps/v1.Spec" }]]],
      ],
    });
  });

  it("prints one frozen constant, keys bare where they can be and `__proto__` computed", () => {
    const text = emitPatchMeta(modules, ctx, "// header");
    expect(text).toContain('import { type PatchMeta, definePatchMeta } from "kubegen";');
    expect(text).toContain(
      [
        "export const patchMeta: PatchMeta = /*@__PURE__*/ definePatchMeta({",
        "  kinds: {",
        '    "apps/v1/Deployment": "apps/v1.Deployment",',
        '    "apps/v1/Widget": "apps/v1.Widget",',
        "  },",
        "  types: {",
        '    "apps/v1.Container": {',
        '      env: { strategy: "merge", key: "name" },',
        "    },",
      ].join("\n"),
    );
    expect(text).toContain('      ["__proto__"]: { strategy: "merge" },');
    expect(text).toContain('      byName: { type: "apps/v1.Container", map: true },');
    expect(text).toContain('      ports: { keys: ["port", "protocol"] },');
  });

  it("is empty where no kind takes strategic merge patches and nothing differs for server-side apply", () => {
    const crdOnly = modules.map((m) => ({
      ...m,
      resources: m.resources.filter((r) => !r.strategicMergePatch),
      types: [
        object("Widget", [prop("spec", ref("apps/v1", "Plain"))]),
        object("Plain", [prop("name", { kind: "string" })]),
      ],
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

  it("reads set lists and atomic maps and structs onto the shapes", () => {
    const shapes = (extensions: Record<string, unknown>, type: "array" | "object") => {
      const doc = document({});
      const deployment = doc.components!.schemas!["io.k8s.api.apps.v1.Deployment"] as {
        properties: Record<string, unknown>;
      };
      deployment.properties.finalizers =
        type === "array"
          ? { type: "array", items: { type: "string" }, ...extensions }
          : { type: "object", additionalProperties: { type: "string" }, ...extensions };
      const model = modelFromOpenApi([{ source: "apps.json", document: doc }]);
      const def = model.modules.flatMap((m) => m.types).find((t) => t.name === "Deployment")!;
      if (def.shape.kind !== "object") throw new Error("Deployment is an object");
      return def.shape.properties[0]!.shape;
    };
    expect(shapes({ "x-kubernetes-list-type": "set" }, "array")).toMatchObject({ listType: "set" });
    expect(shapes({ "x-kubernetes-list-type": "atomic" }, "array")).not.toHaveProperty("listType");
    expect(shapes({ "x-kubernetes-map-type": "atomic" }, "object")).toMatchObject({
      kind: "map",
      mapType: "atomic",
    });
    expect(shapes({ "x-kubernetes-map-type": "granular" }, "object")).not.toHaveProperty("mapType");
  });

  it("names a malformed extension by its pointer", () => {
    expect(() =>
      modelFromOpenApi([{ source: "apps.json", document: document({ "x-kubernetes-patch-merge-key": 5 }) }]),
    ).toThrow(
      "#/components/schemas/io.k8s.api.apps.v1.Deployment/properties/finalizers/x-kubernetes-patch-merge-key: expected a non-empty string, found 5",
    );
  });
});

it("compiles a table whose fields are named like Object.prototype members, their literals kept", () => {
  // Found by the generator's property test: `constructor: { list: "set" }` was typed by
  // Object's own `constructor` and widened to string.
  const names = ["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__", "plain"];
  const gvk = { group: "fuzz.dev", version: "v1", kind: "Thing" };
  const set = { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" };
  const atomic = {
    type: "object",
    additionalProperties: { type: "string" },
    "x-kubernetes-map-type": "atomic",
  };
  const document = {
    paths: {
      "/apis/fuzz.dev/v1/things/{name}": {
        get: { "x-kubernetes-action": "get", "x-kubernetes-group-version-kind": gvk },
      },
    },
    components: {
      schemas: {
        "dev.fuzz.v1.Thing": {
          type: "object",
          "x-kubernetes-group-version-kind": [gvk],
          properties: Object.fromEntries(names.map((n, i) => [n, i % 2 ? atomic : set])),
        },
      },
    },
  } as unknown as OpenApiDocument;
  const tree = generate(modelFromOpenApi([{ source: "names.json", document }]), {
    source: "names.json",
    external: { "meta/v1": { specifier: "kubegen/kubernetes/meta/v1" } },
  });
  const text = tree.get("patch-meta.ts")!;
  expect(text).toContain('constructor: { list: "set" } as const,');
  expect(text).toContain("plain: { atomic: true },");
  expect(compileDiagnostics({ names: tree })).toEqual([]);
}, 60_000);
