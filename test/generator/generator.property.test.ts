/**
 * Properties of the generator on random input (fast-check, bounded in time): random CRDs and
 * random OpenAPI documents (names, nesting, refs, Kubernetes extensions, wrong types) either fail
 * with an Error naming the source, or generate a tree whose paths stay inside the output and which
 * compiles under strict tsc. Never a TypeError, a RangeError or a crash of another kind.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generate } from "../../generator/generate.js";
import { type CustomResourceDefinition, checkedCrd } from "../../generator/load/crd.js";
import type { OpenApiDocument } from "../../generator/load/openapi-v3.js";
import type { ApiModel } from "../../generator/model/ir.js";
import { modelFromCrds } from "../../generator/normalize/from-crd.js";
import { modelFromOpenApi } from "../../generator/normalize/from-openapi.js";
import { shareTypes } from "../../generator/normalize/share.js";
import { checkTreePaths } from "../../generator/write.js";
import { compileDiagnostics } from "./support/compile.js";

const budget = { numRuns: 150, interruptAfterTimeLimit: 4000 };
const meta = { "meta/v1": { specifier: "kubegen/kubernetes/meta/v1" } };

/** Names as input gives them: mostly valid, sometimes hostile. */
const label = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("__proto__", "constructor", "../x", 'v1"', "a\nb", "default", "Café"),
  },
);
const propertyName = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,6}$/) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom("__proto__", "constructor", "toString", "*/", "a-b", "é") },
);

/** Schemas of every shape the stages read, with a few wrong types among them. */
const { schema } = fc.letrec<{ schema: unknown }>((tie) => ({
  schema: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record(
      {
        type: fc.constantFrom("string", "integer", "number", "boolean"),
        format: fc.constantFrom("date-time", "int32", "byte"),
        enum: fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null)), {
          maxLength: 3,
        }),
        nullable: fc.boolean(),
        description: fc.string({ maxLength: 30 }),
        default: fc.jsonValue({ maxDepth: 1 }),
      },
      { requiredKeys: ["type"] },
    ),
    fc.record(
      {
        type: fc.constant("object"),
        properties: fc.dictionary(propertyName, tie("schema"), { maxKeys: 4 }),
        required: fc.array(propertyName, { maxLength: 2 }),
        "x-kubernetes-preserve-unknown-fields": fc.boolean(),
        "x-kubernetes-embedded-resource": fc.boolean(),
        additionalProperties: fc.oneof(fc.boolean(), tie("schema")),
        description: fc.string({ maxLength: 30 }),
      },
      { requiredKeys: ["type"] },
    ),
    fc.record(
      {
        type: fc.constant("array"),
        items: tie("schema"),
        "x-kubernetes-list-type": fc.constantFrom("map", "set", "atomic"),
        "x-kubernetes-list-map-keys": fc.array(propertyName, { maxLength: 2 }),
      },
      { requiredKeys: ["type"] },
    ),
    fc.record({ "x-kubernetes-int-or-string": fc.constant(true) }),
    fc.record({ oneOf: fc.array(tie("schema"), { minLength: 1, maxLength: 2 }) }),
    // Wrong types, as a hand-edited file may have them.
    fc.record({
      type: fc.constant("object"),
      properties: fc.oneof(fc.string(), fc.integer(), fc.array(fc.integer())),
    }),
    fc.record({ type: fc.constant("object"), required: fc.oneof(fc.integer(), fc.string()) }),
    fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
  ),
}));

const crd: fc.Arbitrary<CustomResourceDefinition> = fc
  .record({
    group: fc.oneof(
      fc.tuple(label, label).map(([a, b]) => `${a}.${b}.dev`),
      label,
    ),
    plural: label,
    kind: fc.oneof(fc.stringMatching(/^[A-Z][a-zA-Z0-9]{0,8}$/), label),
    version: fc.oneof(fc.constantFrom("v1", "v1beta1", "v2alpha1"), label),
    root: fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          type: fc.constant("object"),
          properties: fc.dictionary(propertyName, schema, { maxKeys: 4 }),
        }),
      },
      { weight: 1, arbitrary: schema },
    ),
  })
  .map(
    ({ group, plural, kind, version, root }) =>
      ({
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: `${plural}.${group}` },
        spec: {
          group,
          scope: "Namespaced",
          names: { plural, kind },
          versions: [{ name: version, served: true, storage: true, schema: { openAPIV3Schema: root } }],
        },
      }) as unknown as CustomResourceDefinition,
  );

/** Runs one input to a tree or to an Error naming `source`; anything else fails the property. */
function outcome(source: string, build: () => ApiModel): Map<string, string> | undefined {
  try {
    const files = generate(build(), { source, external: meta });
    checkTreePaths("out", files);
    return files;
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(TypeError);
    expect(err).not.toBeInstanceOf(RangeError);
    expect((err as Error).message).toContain(source);
    return undefined;
  }
}

describe("the generator on random input", () => {
  it("random CRDs: an error naming the file, or a tree that stays inside --out and compiles", () => {
    const trees: Record<string, ReadonlyMap<string, string>> = {};
    let failed = 0;
    fc.assert(
      fc.property(crd, (input) => {
        const files = outcome("fuzz.yaml", () => {
          const loaded = checkedCrd(input, "fuzz.yaml");
          return shareTypes(modelFromCrds([loaded]), {}).model;
        });
        if (files && Object.keys(trees).length < 25) trees[`crd${Object.keys(trees).length}`] = files;
        if (!files) failed++;
      }),
      budget,
    );
    // Both outcomes happen, so the property covers both; and what was generated compiles.
    expect(Object.keys(trees).length).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);
    expect(compileDiagnostics(trees)).toEqual([]);
  }, 120_000);

  it("random OpenAPI documents: an error naming the document, or a tree that compiles", () => {
    const id = fc.oneof(
      {
        weight: 5,
        arbitrary: fc
          .tuple(label, label)
          .map(([a, b]) => `dev.fuzz.${a}.v1.${b.charAt(0).toUpperCase()}${b.slice(1)}`),
      },
      { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
    );
    const document = fc
      .record({
        extraPaths: fc.dictionary(
          fc.oneof(
            fc.constant("/apis/fuzz.dev/v1/namespaces/{namespace}/others/{name}"),
            fc.string({ maxLength: 20 }),
          ),
          fc.oneof(fc.constant(null), fc.string(), fc.record({ get: fc.jsonValue({ maxDepth: 2 }) })),
          { maxKeys: 2 },
        ),
        ids: fc.uniqueArray(id, { minLength: 1, maxLength: 4 }),
        schemas: fc.array(schema, { minLength: 4, maxLength: 4 }),
        refs: fc.array(fc.nat(5), { maxLength: 4 }),
      })
      .map(({ extraPaths, ids, schemas, refs }) => {
        const components: Record<string, unknown> = {};
        ids.forEach((i, n) => {
          components[i] = schemas[n];
        });
        // References among them, to themselves, and dangling.
        refs.forEach((r, n) => {
          const target = ids[r] ?? "dev.fuzz.missing.v1.Gone";
          components[ids[n % ids.length]!] = {
            properties: { ref: { $ref: `#/components/schemas/${target}` } },
          };
        });
        const gvk = { group: "fuzz.dev", version: "v1", kind: "Thing" };
        components["dev.fuzz.v1.Thing"] = {
          type: "object",
          "x-kubernetes-group-version-kind": [gvk],
          properties: Object.fromEntries(ids.map((i, n) => [`p${n}`, { $ref: `#/components/schemas/${i}` }])),
        };
        return {
          paths: {
            ...extraPaths,
            "/apis/fuzz.dev/v1/things/{name}": {
              get: { "x-kubernetes-action": "get", "x-kubernetes-group-version-kind": gvk },
            },
          },
          components: { schemas: components },
        } as OpenApiDocument;
      });
    const trees: Record<string, ReadonlyMap<string, string>> = {};
    fc.assert(
      fc.property(document, (doc) => {
        const files = outcome("fuzz.json", () => modelFromOpenApi([{ source: "fuzz.json", document: doc }]));
        if (files && Object.keys(trees).length < 25) trees[`doc${Object.keys(trees).length}`] = files;
      }),
      budget,
    );
    expect(Object.keys(trees).length).toBeGreaterThan(0);
    expect(compileDiagnostics(trees)).toEqual([]);
  }, 120_000);
});
