/**
 * Properties of the unstructured helpers under random paths (built from `__proto__`,
 * `constructor`, `prototype`, Object.prototype's own member names and random strings): no
 * prototype ever changes, what was set is read back, what was removed is gone, and the result is
 * still plain JSON.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nestedField, removeNestedField, setNestedField } from "../../../runtime/clients/unstructured.js";

const budget = { numRuns: 500, interruptAfterTimeLimit: 3000 };

/** Every own property of the prototypes a path could reach, with its descriptor. */
function snapshot() {
  const of = (o: object) =>
    Object.getOwnPropertyNames(o).map((name) => {
      const d = Object.getOwnPropertyDescriptor(o, name)!;
      return [name, d.value, d.get, d.set, d.writable, d.enumerable, d.configurable] as const;
    });
  return {
    object: of(Object.prototype),
    array: of(Array.prototype),
    function: of(Function.prototype),
    string: of(String.prototype),
    objectProto: Object.getPrototypeOf(Object.prototype) as unknown,
  };
}
let before: ReturnType<typeof snapshot>;
beforeAll(() => {
  before = snapshot();
});
afterAll(() => {
  // The whole file's runs together changed nothing either.
  expect(snapshot()).toEqual(before);
});

/** Only JSON values, in objects and arrays with their ordinary prototypes, all the way down. */
function plainJson(value: unknown): boolean {
  if (value === null || ["string", "number", "boolean"].includes(typeof value)) return true;
  if (Array.isArray(value)) return Object.getPrototypeOf(value) === Array.prototype && value.every(plainJson);
  if (typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.getOwnPropertyNames(value).every((k) => {
    const d = Object.getOwnPropertyDescriptor(value, k)!;
    return "value" in d && d.enumerable && d.writable && plainJson(d.value);
  });
}

const segment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("__proto__", "constructor", "prototype") },
  { weight: 2, arbitrary: fc.constantFrom(...Object.getOwnPropertyNames(Object.prototype)) },
  { weight: 1, arbitrary: fc.constantFrom("spec", "metadata", "labels", "length", "0") },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);
const path = fc.array(segment, { minLength: 1, maxLength: 5 });
/** A JSON document as JSON.parse makes it: `__proto__` keys included, as own keys. */
const document = fc
  .jsonValue({ maxDepth: 3 })
  .chain((base) =>
    fc
      .array(fc.tuple(path, fc.jsonValue({ maxDepth: 1 })), { maxLength: 3 })
      .map((entries) => ({ base, entries })),
  )
  .map(({ base, entries }) => {
    let text = JSON.stringify(base ?? null);
    if (!text.startsWith("{")) text = "{}";
    // Spell keys into the text, so they are own keys whatever they are.
    for (const [keys, value] of entries) {
      const nested = keys.reduceRight<string>(
        (inner, k) => `{${JSON.stringify(k)}:${inner}}`,
        JSON.stringify(value),
      );
      text = text === "{}" ? `{"x":${nested}}` : `{"x":${nested},${text.slice(1)}`;
    }
    return text;
  });

describe("unstructured helpers, property-based", () => {
  it("set, read back, remove: no prototype changes, the object stays plain JSON", () => {
    fc.assert(
      fc.property(document, path, fc.jsonValue({ maxDepth: 2 }), path, (text, setPath, value, removePath) => {
        const obj = JSON.parse(text) as Record<string, unknown>;
        let set = false;
        try {
          setNestedField(obj, value, ...setPath);
          set = true;
        } catch (err) {
          // Only a non-object in the way may stop it.
          expect(err).toBeInstanceOf(TypeError);
          expect((err as Error).message).toMatch(/ is not an object$/);
        }
        if (set) {
          expect(nestedField(obj, ...setPath)).toBe(value);
          expect(Object.hasOwn(nestedField(obj, ...setPath.slice(0, -1)) as object, setPath.at(-1)!)).toBe(
            true,
          );
        }
        removeNestedField(obj, ...removePath);
        expect(nestedField(obj, ...removePath)).toBeUndefined();
        removeNestedField({}, ...removePath);
        expect(nestedField({}, ...removePath)).toBeUndefined();
        expect(plainJson(obj)).toBe(true);
        expect(snapshot()).toEqual(before);
      }),
      budget,
    );
  });

  it("reads only own fields: nothing inherited is ever returned", () => {
    fc.assert(
      fc.property(path, (keys) => {
        expect(nestedField({}, ...keys)).toBeUndefined();
        expect(nestedField([], ...keys)).toBeUndefined();
        expect(nestedField(Object.create({ [keys[0]!]: { a: 1 } }), ...keys)).toBeUndefined();
      }),
      budget,
    );
  });
});
