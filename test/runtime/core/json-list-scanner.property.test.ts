/**
 * Properties of the list scanner against `JSON.parse`: however a body is cut into chunks, a list
 * (or any JSON value) decodes to what `JSON.parse` of the whole gives, keys in the same order; a
 * body that `JSON.parse` refuses (a valid one with a byte taken out, put in or changed) is refused
 * with a SyntaxError, and one it accepts decodes to the same value.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cutAt } from "../../support/cut.js";
import { decodeWithScanner } from "./decode-with-scanner.js";

const budget = { numRuns: 400, interruptAfterTimeLimit: 4000 };
const encoder = new TextEncoder();

const json = fc.jsonValue({ maxDepth: 4 });
const item = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.string({ unit: "binary" }), json, { maxKeys: 5 }) },
  { weight: 1, arbitrary: json },
);
/** A list body: members around `items` (maybe none, maybe more than one), pretty-printed or not. */
const listBody = fc
  .record({
    before: fc.dictionary(fc.string(), json, { maxKeys: 3 }),
    items: fc.array(item, { maxLength: 8 }),
    after: fc.dictionary(fc.string(), json, { maxKeys: 3 }),
    indent: fc.constantFrom(undefined, 1, "\t", " \r\n"),
  })
  .map(({ before, items, after, indent }) => {
    const { items: _b, ...b } = before;
    const { items: _a, ...a } = after;
    return JSON.stringify({ ...b, items, ...a }, null, indent);
  });
const anyBody = fc.oneof(
  listBody,
  json.map((v) => JSON.stringify(v)),
);

const same = (body: string, chunks: Uint8Array[]) =>
  expect(JSON.stringify(decodeWithScanner(chunks).value)).toBe(JSON.stringify(JSON.parse(body)));

describe("JsonListScanner, properties", () => {
  it("any cut of a list or any JSON value decodes to JSON.parse's value", () => {
    fc.assert(
      fc.property(anyBody, fc.array(fc.nat(), { maxLength: 12 }), (body, points) => {
        same(body, cutAt(encoder.encode(body), points));
      }),
      budget,
    );
  });

  it("every cut of a small list in two decodes to JSON.parse's value", () => {
    fc.assert(
      fc.property(listBody, (body) => {
        const bytes = encoder.encode(body);
        for (let at = 0; at <= bytes.length; at++) same(body, [bytes.subarray(0, at), bytes.subarray(at)]);
      }),
      { numRuns: 60, interruptAfterTimeLimit: 4000 },
    );
  });

  it("a damaged body is refused when JSON.parse refuses it, and decoded the same when not", () => {
    const damaged = fc
      .tuple(
        listBody,
        fc.nat(),
        fc.constantFrom("delete", "insert", "replace"),
        fc.constantFrom(...'{}[],:"\\ 1an'),
      )
      .map(([body, at, how, char]) => {
        const i = at % (body.length + 1);
        if (how === "delete") return body.slice(0, i) + body.slice(i + 1);
        if (how === "insert") return body.slice(0, i) + char + body.slice(i);
        return body.slice(0, i) + char + body.slice(i + 1);
      });
    fc.assert(
      fc.property(damaged, fc.array(fc.nat(), { maxLength: 6 }), (body, points) => {
        const bytes = encoder.encode(body);
        const chunks = cutAt(bytes, points);
        let want: unknown;
        try {
          // The bytes' text: a damaged surrogate pair is encoded as U+FFFD.
          want = JSON.parse(new TextDecoder().decode(bytes));
        } catch {
          expect(() => decodeWithScanner(chunks)).toThrow(SyntaxError);
          return;
        }
        expect(JSON.stringify(decodeWithScanner(chunks).value)).toBe(JSON.stringify(want));
      }),
      { numRuns: 1000, interruptAfterTimeLimit: 5000 },
    );
  });
});
