/** Discovery's verbs, short names and categories on the model; list-map keys an apply must give. */
import { describe, expect, it } from "vitest";
import type { ApiModel, Resource, Shape } from "../../../generator/model/ir.js";
import { applyDiscovery } from "../../../generator/normalize/discovery.js";
import { narrowListMapKeys } from "../../../generator/normalize/list-maps.js";
import { maxDepth, schemaToShape } from "../../../generator/normalize/schema.js";

const resource: Resource = {
  accessor: "widgets",
  plural: "widgets",
  singular: "widget",
  kind: "Widget",
  listKind: "WidgetList",
  namespaced: true,
  verbs: ["get", "list"],
  subresources: [],
  shortNames: [],
  categories: [],
  objectType: { module: "x.dev/v1", name: "Widget" },
  listType: { module: "x.dev/v1", name: "WidgetList" },
};

const model = (shape: Shape): ApiModel => ({
  modules: [
    {
      path: "x.dev/v1",
      groupVersion: { group: "x.dev", version: "v1", clientName: "xV1" },
      stability: "stable",
      source: "t",
      types: [
        { name: "Widget", origin: "t", shape },
        {
          name: "Port",
          origin: "t",
          shape: {
            kind: "object",
            open: false,
            properties: [
              { name: "port", required: true, shape: { kind: "number" } },
              { name: "protocol", required: false, shape: { kind: "string" } },
            ],
          },
        },
      ],
      resources: [resource],
    },
  ],
});

describe("applyDiscovery", () => {
  it("takes verbs (known ones, sorted), short names and categories from discovery", () => {
    const out = applyDiscovery(model({ kind: "string" }), [
      {
        group: "x.dev",
        version: "v1",
        plural: "widgets",
        verbs: ["watch", "get", "list", "proxy"],
        shortNames: ["wd"],
        categories: ["all"],
      },
    ]);
    const r = out.modules[0]!.resources[0]!;
    expect(r.verbs).toEqual(["get", "list", "watch"]);
    expect(r.shortNames).toEqual(["wd"]);
    expect(r.categories).toEqual(["all"]);
  });

  it("leaves a resource that discovery does not list as it was", () => {
    const out = applyDiscovery(model({ kind: "string" }), []);
    expect(out.modules[0]!.resources[0]).toEqual(resource);
  });
});

describe("list-map keys", () => {
  it("reads x-kubernetes-list-map-keys and rejects keys that are not item properties", () => {
    const ctx = { resolveRef: () => ({ module: "m", name: "n" }) };
    const list = {
      type: "array",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["name"],
      items: { type: "object", properties: { name: { type: "string" } } },
    };
    expect(schemaToShape(list, ctx, ["p"], "#/p")).toMatchObject({ kind: "array", listMapKeys: ["name"] });
    expect(() =>
      schemaToShape({ ...list, "x-kubernetes-list-map-keys": ["nope"] }, ctx, ["p"], "#/p"),
    ).toThrow('#/p/x-kubernetes-list-map-keys: "nope" is not a property of the items');
    expect(() => schemaToShape({ ...list, "x-kubernetes-list-map-keys": [] }, ctx, ["p"], "#/p")).toThrow(
      "#/p: x-kubernetes-list-type map needs x-kubernetes-list-map-keys",
    );
  });

  it("keeps only the keys the item type requires (a defaulted protocol may be left out)", () => {
    const out = narrowListMapKeys(
      model({
        kind: "object",
        open: false,
        properties: [
          {
            name: "ports",
            required: false,
            shape: {
              kind: "array",
              items: { kind: "ref", ref: { module: "x.dev/v1", name: "Port" } },
              listMapKeys: ["port", "protocol"],
            },
          },
        ],
      }),
    );
    const widget = out.modules[0]!.types[0]!.shape;
    expect(widget.kind === "object" && widget.properties[0]!.shape).toMatchObject({ listMapKeys: ["port"] });
  });

  it("drops the marker when no key is required", () => {
    const out = narrowListMapKeys(model({ kind: "array", items: { kind: "string" }, listMapKeys: ["name"] }));
    expect(out.modules[0]!.types[0]!.shape).toEqual({ kind: "array", items: { kind: "string" } });
  });

  it("walks shapes nested far deeper than the stack would allow recursion to", () => {
    let shape: Shape = { kind: "string" };
    for (let i = 0; i < 100_000; i++) shape = { kind: "array", items: shape };
    expect(() => narrowListMapKeys(model(shape))).not.toThrow();
  });
});

describe("schema depth", () => {
  it("fails with the pointer, not a stack overflow, on a schema nested past the limit", () => {
    let schema: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < maxDepth + 5; i++) schema = { type: "array", items: schema };
    const ctx = { resolveRef: () => ({ module: "m", name: "n" }) };
    expect(() => schemaToShape(schema, ctx, ["root"], "crd.yaml#/spec")).toThrow(
      new RegExp(`^crd\\.yaml#/spec(/items)+: schema nested deeper than ${maxDepth} levels$`),
    );
  });
});
