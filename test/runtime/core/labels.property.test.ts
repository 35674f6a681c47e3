/**
 * Properties of label selectors: any selector written with any spacing parses, and its
 * canonical string parses back to a selector that prints the same and matches exactly the same
 * label sets; matching agrees with a direct reading of each requirement.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseLabelSelector } from "../../../runtime/core/labels.js";

const budget = { numRuns: 300, interruptAfterTimeLimit: 3000 };

// Small alphabets, so generated label sets often hit the selector's keys and values. Set values
// are distinct: labels.Parse itself refuses some repeated empty values, such as `a in (,,)`.
const name = fc.constantFrom("a", "b", "app", "in", "notin", "x.y", "k-1", "A_b");
const key = fc.oneof(
  name,
  name.map((n) => `example.com/${n}`),
);
const value = fc.constantFrom("", "v", "w", "1", "10", "in", "x_y.z");
const number = fc.constantFrom("0", "1", "7", "10", "123");
const space = fc.constantFrom("", " ", "  ", "\t", "\n");

type Req = { key: string; op: string; values: readonly string[] };

const requirement: fc.Arbitrary<Req> = fc.oneof(
  fc.record({ key, op: fc.constantFrom("=", "==", "!="), values: fc.tuple(value) }),
  fc.record({
    key,
    op: fc.constantFrom("in", "notin"),
    values: fc.uniqueArray(value, { minLength: 1, maxLength: 4 }),
  }),
  fc.record({ key, op: fc.constantFrom("exists", "!"), values: fc.constant([]) }),
  fc.record({ key, op: fc.constantFrom(">", "<"), values: fc.tuple(number) }),
);

/** `r` written out with `s` (whitespace) wherever the syntax allows it. */
function write(r: Req, s: () => string): string {
  switch (r.op) {
    case "exists":
      return `${s()}${r.key}${s()}`;
    case "!":
      return `${s()}!${s()}${r.key}${s()}`;
    case "in":
    case "notin":
      // A space is needed between the key and the keyword, and the keyword and "(" may touch.
      return `${s()}${r.key} ${s()}${r.op}${s()}(${r.values.map((v) => `${s()}${v}${s()}`).join(",")})${s()}`;
    default:
      // A value may not be followed directly by another identifier, so the space is harmless.
      return `${s()}${r.key}${s()}${r.op}${s()}${r.values[0]}${s()}`;
  }
}

/** What each requirement means, read directly (the oracle for `matches`). */
function holds(r: Req, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const v = labels[r.key];
  switch (r.op) {
    case "=":
    case "==":
    case "in":
      return has && r.values.includes(v as string);
    case "!=":
    case "notin":
      return !has || !r.values.includes(v as string);
    case "exists":
      return has;
    case "!":
      return !has;
    default: {
      if (!has || !/^[0-9]+$/.test(v as string)) return false;
      const [left, right] = [BigInt(v as string), BigInt(r.values[0] as string)];
      return r.op === ">" ? left > right : left < right;
    }
  }
}

const labels = fc.dictionary(key, fc.oneof(value, number), { maxKeys: 5 });

describe("label selector properties", () => {
  it("the canonical string parses back to an equal selector", () => {
    fc.assert(
      fc.property(
        fc.array(requirement, { maxLength: 5 }),
        fc.infiniteStream(space),
        fc.array(labels, { minLength: 1, maxLength: 8 }),
        (reqs, spaces, labelSets) => {
          const s = () => spaces.next().value as string;
          const text = reqs.map((r) => write(r, s)).join(",");
          const parsed = parseLabelSelector(text);
          const canonical = parsed.toString();
          const again = parseLabelSelector(canonical);
          expect(again.toString()).toBe(canonical);
          expect(again.empty).toBe(parsed.empty);
          expect(again.requirements).toEqual(parsed.requirements);
          for (const set of labelSets) {
            expect(again.matches(set)).toBe(parsed.matches(set));
            expect(parsed.matches(set)).toBe(reqs.every((r) => holds(r, set)));
          }
        },
      ),
      budget,
    );
  });

  it("parsing arbitrary text gives a selector or an Error naming it, never anything else", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("a", "=", "!", "(", ")", ",", " ", "i", "n", "<", "-") }),
        (text) => {
          try {
            const selector = parseLabelSelector(text);
            expect(parseLabelSelector(selector.toString()).toString()).toBe(selector.toString());
          } catch (error) {
            expect(error).toBeInstanceOf(Error);
            expect((error as Error).message.startsWith(`label selector ${JSON.stringify(text)} at `)).toBe(
              true,
            );
          }
        },
      ),
      budget,
    );
  });
});
