import { describe, expect, it } from "vitest";
import type { SchemaObject } from "../../../generator/load/openapi-v3.js";
import type { Shape } from "../../../generator/model/ir.js";
import { deprecationOf, docsOf, schemaToShape } from "../../../generator/normalize/schema.js";
import { type Cases, runCases } from "../../support/cases.js";

const ctx = {
  resolveRef(ref: string) {
    return { module: "meta/v1", name: ref.split(".").pop()! };
  },
};
const shapeOf = (schema: SchemaObject): Shape => schemaToShape(schema, ctx, ["T"], "#");

describe("schemaToShape: one mapping rule per case", () => {
  const cases: Cases<SchemaObject, Shape> = [
    ["string", { given: { type: "string" }, want: { kind: "string" } }],
    ["integer is number", { given: { type: "integer", format: "int32" }, want: { kind: "number" } }],
    ["boolean", { given: { type: "boolean" }, want: { kind: "boolean" } }],
    [
      "$ref",
      {
        given: { $ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" },
        want: { kind: "ref", ref: { module: "meta/v1", name: "ObjectMeta" } },
      },
    ],
    [
      "v3 allOf wrapping a $ref with siblings",
      {
        given: { allOf: [{ $ref: "#/components/schemas/x.LabelSelector" }], description: "d", default: {} },
        want: { kind: "ref", ref: { module: "meta/v1", name: "LabelSelector" } },
      },
    ],
    [
      "x-kubernetes-int-or-string",
      { given: { "x-kubernetes-int-or-string": true }, want: { kind: "intOrString" } },
    ],
    [
      "format int-or-string",
      { given: { type: "string", format: "int-or-string" }, want: { kind: "intOrString" } },
    ],
    [
      "v3 oneOf integer|string",
      { given: { oneOf: [{ type: "integer" }, { type: "string" }] }, want: { kind: "intOrString" } },
    ],
    [
      "oneOf of other types is a union (Quantity)",
      {
        given: { oneOf: [{ type: "string" }, { type: "number" }] },
        want: { kind: "union", options: [{ kind: "string" }, { kind: "number" }] },
      },
    ],
    [
      "enum",
      { given: { type: "string", enum: ["A", "B", "A"] }, want: { kind: "literals", values: ["A", "B"] } },
    ],
    [
      "nullable",
      { given: { type: "string", nullable: true }, want: { kind: "nullable", inner: { kind: "string" } } },
    ],
    [
      "array",
      {
        given: { type: "array", items: { type: "integer" } },
        want: { kind: "array", items: { kind: "number" } },
      },
    ],
    [
      "map (additionalProperties)",
      {
        given: { type: "object", additionalProperties: { type: "string" } },
        want: { kind: "map", values: { kind: "string" } },
      },
    ],
    [
      "object without properties is an open map",
      { given: { type: "object" }, want: { kind: "map", values: { kind: "unknown" } } },
    ],
    [
      "object keeps required and sorts properties",
      {
        given: {
          type: "object",
          required: ["b"],
          properties: { b: { type: "string" }, a: { type: "integer" } },
        },
        want: {
          kind: "object",
          open: false,
          properties: [
            { name: "a", required: false, shape: { kind: "number" } },
            { name: "b", required: true, shape: { kind: "string" } },
          ],
        },
      },
    ],
    [
      "preserve-unknown-fields keeps known properties",
      {
        given: {
          type: "object",
          "x-kubernetes-preserve-unknown-fields": true,
          properties: { a: { type: "string" } },
        },
        want: {
          kind: "object",
          open: true,
          properties: [{ name: "a", required: false, shape: { kind: "string" } }],
        },
      },
    ],
    [
      "embedded resource",
      {
        given: {
          type: "object",
          "x-kubernetes-embedded-resource": true,
          properties: { spec: { type: "object" } },
        },
        want: {
          kind: "embeddedResource",
          open: false,
          properties: [
            { name: "spec", required: false, shape: { kind: "map", values: { kind: "unknown" } } },
          ],
        },
      },
    ],
    ["no type at all is unknown", { given: {}, want: { kind: "unknown" } }],
  ];
  runCases(cases, shapeOf);
});

describe("docsOf", () => {
  const cases: Cases<SchemaObject, ReturnType<typeof docsOf>> = [
    ["description", { given: { description: "Hello." }, want: { description: "Hello." } }],
    ["default as JSON", { given: { default: { a: 1 } }, want: { default: '{"a":1}' } }],
    [
      "deprecated from the description",
      {
        given: { description: "Deprecated: use spec.foo instead.\nMore text." },
        want: {
          description: "Deprecated: use spec.foo instead.\nMore text.",
          deprecated: "Use spec.foo instead. More text.",
        },
      },
    ],
  ];
  runCases(cases, (schema) => docsOf(schema));
});

describe("deprecationOf", () => {
  const cases: Cases<[string, string | undefined], string | undefined> = [
    [
      "marker with a colon",
      { given: ["Deprecated: use spec.foo instead.", "x"], want: "Use spec.foo instead." },
    ],
    ["marker alone", { given: ["Deprecated.", "x"], want: "Deprecated." }],
    ["upper-case marker", { given: ["DEPRECATED: Use B.", "x"], want: "Use B." }],
    ["marker with a comma", { given: ["Deprecated, use b instead", "x"], want: "Use b instead." }],
    [
      "marker then what to use, in one paragraph only",
      { given: ["Deprecated. Use B.\n\nB does more.", "a"], want: "Use B." },
    ],
    [
      "in favor of",
      { given: ["Deprecated in favor of Conditions", "x"], want: "Deprecated in favor of Conditions." },
    ],
    [
      "marker after the first sentence",
      {
        given: ["Holds info. Deprecated: This API is deprecated in v1.19+", "T"],
        want: "This API is deprecated in v1.19+.",
      },
    ],
    [
      "the field's own name as subject",
      {
        given: ["status is deprecated: this field is never set.", "status"],
        want: "Status is deprecated: this field is never set.",
      },
    ],
    [
      "this field ... deprecated",
      {
        given: ["Topology info. This field is deprecated, and will be removed.", "topology"],
        want: "This field is deprecated, and will be removed.",
      },
    ],
    [
      "a field merely named deprecated",
      {
        given: ["deprecated indicates this version of the API is deprecated.", "deprecated"],
        want: undefined,
      },
    ],
    [
      "a field named deprecated that groups things",
      {
        given: ["deprecated groups all the status fields that are deprecated", "deprecated"],
        want: undefined,
      },
    ],
    [
      "a value that is deprecated",
      { given: ["One of Retain, Delete, Recycle (deprecated).", "policy"], want: undefined },
    ],
    [
      "an annotation that is deprecated",
      { given: ["The annotation is officially deprecated.", "x"], want: undefined },
    ],
    ["no mention", { given: ["Hello.", "x"], want: undefined }],
  ];
  runCases(cases, ([description, name]) => deprecationOf(description, name));
});

describe("CRD naming context", () => {
  it("names nested objects through nameObject and reports dangling refs with the pointer", () => {
    const named: string[] = [];
    const shape = schemaToShape(
      { type: "object", properties: { spec: { type: "object", properties: { x: { type: "string" } } } } },
      {
        resolveRef: () => {
          throw new Error("no refs");
        },
        nameObject(path) {
          named.push(path.join("."));
          return { module: "m", name: path.join("_") };
        },
      },
      ["Kind"],
      "#",
    );
    expect(named).toEqual(["Kind.spec", "Kind"]);
    expect(shape).toEqual({ kind: "ref", ref: { module: "m", name: "Kind" } });
  });
});
