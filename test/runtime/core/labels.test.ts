/**
 * Label selectors as given/want tables: selector strings and their canonical form, the label
 * sets they match, the inputs apimachinery's `labels.Parse` refuses (with the position named),
 * and `metav1.LabelSelector` objects.
 */
import { describe, expect } from "vitest";
import {
  everything,
  type LabelSelectorObject,
  labelSelectorFromObject,
  nothing,
  parseLabelSelector,
} from "../../../runtime/core/labels.js";
import { type Cases, runCases } from "../../support/cases.js";

/** A `want` that only needs to contain `text` (vitest's asymmetric matcher, typed as the string it stands for). */
function containing(text: string): string {
  return expect.stringContaining(text) as unknown as string;
}

/** The error message of `run`, or the string "no error". */
function errorOf(run: () => unknown): string {
  try {
    run();
    return "no error";
  } catch (error) {
    return (error as Error).message;
  }
}

describe("parseLabelSelector: canonical strings", () => {
  const cases: Cases<string, string> = [
    ["empty", { given: "", want: "" }],
    ["only whitespace", { given: " \t\r\n ", want: "" }],
    ["equals", { given: "app=web", want: "app=web" }],
    ["double equals is kept", { given: "app==web", want: "app==web" }],
    ["not equals", { given: "app!=web", want: "app!=web" }],
    ["exists", { given: "app", want: "app" }],
    ["does not exist", { given: "!app", want: "!app" }],
    ["does not exist with spaces", { given: " ! app ", want: "!app" }],
    ["in, values sorted", { given: "tier in (b,a)", want: "tier in (a,b)" }],
    ["in, duplicates dropped", { given: "tier in (a,a,b)", want: "tier in (a,b)" }],
    ["notin", { given: "tier notin (x)", want: "tier notin (x)" }],
    [
      "spaces around tokens",
      { given: "  app = web ,  tier  in  ( a , b )  ", want: "app=web,tier in (a,b)" },
    ],
    ["tabs and line breaks", { given: "app\t=\nweb", want: "app=web" }],
    ["no space before the parenthesis", { given: "tier in(a)", want: "tier in (a)" }],
    ["requirements sorted by key", { given: "z=1,a=2,m", want: "a=2,m,z=1" }],
    ["equal keys keep their order", { given: "a!=2,a=1", want: "a!=2,a=1" }],
    ["empty value", { given: "app=", want: "app=" }],
    ["empty value before a comma", { given: "app=,b", want: "app=,b" }],
    ["empty parentheses are the empty value", { given: "a in ()", want: "a in ()" }],
    ["leading comma is the empty value", { given: "a in (,b)", want: "a in (,b)" }],
    ["trailing comma is the empty value", { given: "a in (b,)", want: "a in (,b)" }],
    ["double comma is the empty value", { given: "a in (b,,c)", want: "a in (,b,c)" }],
    ["keywords as key and values", { given: "in in (notin,in)", want: "in in (in,notin)" }],
    ["notin as a key", { given: "notin=in", want: "notin=in" }],
    ["greater than", { given: "replicas>2", want: "replicas>2" }],
    ["less than", { given: "replicas < 10", want: "replicas<10" }],
    ["prefixed key", { given: "app.kubernetes.io/name=web", want: "app.kubernetes.io/name=web" }],
    ["value with dots, dashes, underscores", { given: "v=1.2-3_x", want: "v=1.2-3_x" }],
    ["NUL ends the input, as in Go", { given: "a=b\0,this is ignored", want: "a=b" }],
  ];
  runCases(cases, (text) => parseLabelSelector(text).toString());
});

describe("parseLabelSelector: errors name the selector, the position and the problem", () => {
  const cases: Cases<string, string> = [
    [
      "two identifiers",
      { given: "a b", want: `label selector "a b" at 2: found 'b', expected: in, notin, =, ==, !=, gt, lt` },
    ],
    [
      "leading comma",
      {
        given: ",a",
        want: `label selector ",a" at 0: found ',', expected: !, identifier, or 'end of string'`,
      },
    ],
    [
      "trailing comma",
      {
        given: "a=b,",
        want: `label selector "a=b," at 4: found end of string, expected: identifier after ','`,
      },
    ],
    [
      "double comma",
      { given: "a,,b", want: `label selector "a,,b" at 2: found ',', expected: identifier after ','` },
    ],
    [
      "operator without key",
      {
        given: "=b",
        want: `label selector "=b" at 0: found '=', expected: !, identifier, or 'end of string'`,
      },
    ],
    [
      "bang without key",
      { given: "!", want: `label selector "!" at 1: found end of string, expected: identifier` },
    ],
    [
      "bang with operator",
      { given: "!a=b", want: `label selector "!a=b" at 2: found '=', expected: ',' or 'end of string'` },
    ],
    [
      "triple equals",
      { given: "a===b", want: `label selector "a===b" at 3: found '=', expected: identifier` },
    ],
    [
      "greater or equal",
      { given: "a>=1", want: `label selector "a>=1" at 2: found '=', expected: identifier` },
    ],
    [
      "in without parenthesis",
      { given: "a in b", want: `label selector "a in b" at 5: found 'b', expected: '('` },
    ],
    [
      "in without values",
      { given: "a in", want: `label selector "a in" at 4: found end of string, expected: '('` },
    ],
    [
      "unclosed parenthesis",
      { given: "a in (b", want: `label selector "a in (b" at 7: found end of string, expected: ',' or ')'` },
    ],
    [
      "three commas in a set, as labels.Parse",
      {
        given: "a in (,,)",
        want: `label selector "a in (,,)" at 8: found ')', expected: ',', or identifier`,
      },
    ],
    [
      "operator among values",
      {
        given: "a in (b,=)",
        want: `label selector "a in (b,=)" at 8: found '=', expected: ',', or identifier`,
      },
    ],
    [
      "parenthesis after =",
      { given: "a=(b)", want: `label selector "a=(b)" at 2: found '(', expected: identifier` },
    ],
    [
      "something after a requirement",
      { given: "a=b c", want: `label selector "a=b c" at 4: found 'c', expected: ',' or 'end of string'` },
    ],
    [
      "a value in a set must be a label value",
      {
        given: "a in (-b)",
        want: containing(`label selector "a in (-b)" at 0: invalid label value "-b" for key "a"`),
      },
    ],
    [
      "invalid key",
      {
        given: "-a=b",
        want: containing(`label selector "-a=b" at 0: invalid label key "-a": name part must consist of`),
      },
    ],
    [
      "uppercase prefix",
      {
        given: "Example.com/a",
        want: containing(
          `invalid label key "Example.com/a": prefix part must be a lowercase RFC 1123 subdomain`,
        ),
      },
    ],
    [
      "empty prefix",
      {
        given: "/a",
        want: `label selector "/a" at 0: invalid label key "/a": prefix part must be non-empty`,
      },
    ],
    [
      "two slashes",
      { given: "a/b/c", want: containing(`invalid label key "a/b/c": a qualified name has at most one '/'`) },
    ],
    [
      "name too long",
      { given: `${"k".repeat(64)}=v`, want: containing("name part must be no more than 63 characters") },
    ],
    [
      "value too long",
      { given: `k=${"v".repeat(64)}`, want: containing("must be no more than 63 characters") },
    ],
    ["bad value", { given: "k=v$", want: containing(`invalid label value "v$" for key "k"`) }],
    [
      "gt needs an integer",
      {
        given: "a>b",
        want: `label selector "a>b" at 0: for 'Gt', 'Lt' operators, the value must be an integer, not "b"`,
      },
    ],
    ["gt with no value", { given: "a>", want: containing("the value must be an integer") }],
    [
      "position of the second requirement",
      { given: "a=b, c!=-x", want: containing(`label selector "a=b, c!=-x" at 5: invalid label value "-x"`) },
    ],
  ];
  runCases(cases, (text) => errorOf(() => parseLabelSelector(text)));

  describe("valid at the limits", () => {
    const limits: Cases<string, string> = [
      ["63-character name", { given: `${"k".repeat(63)}`, want: "no error" }],
      ["253-character prefix", { given: `${"p".repeat(253)}/k`, want: "no error" }],
      [
        "254-character prefix",
        {
          given: `${"p".repeat(254)}/k`,
          want: containing("prefix part must be no more than 253 characters"),
        },
      ],
      ["63-character value", { given: `k=${"v".repeat(63)}`, want: "no error" }],
      ["int64 max", { given: "a<9223372036854775807", want: "no error" }],
      ["beyond int64", { given: "a<9223372036854775808", want: containing("must be an integer") }],
    ];
    runCases(limits, (text) => errorOf(() => parseLabelSelector(text)));
  });
});

type Labels = Record<string, string> | undefined;

describe("LabelSelector.matches", () => {
  const cases: Cases<[selector: string, labels: Labels], boolean> = [
    ["empty selector, no labels", { given: ["", undefined], want: true }],
    ["empty selector, some labels", { given: ["", { a: "b" }], want: true }],
    ["equals, same value", { given: ["a=b", { a: "b" }], want: true }],
    ["equals, other value", { given: ["a=b", { a: "c" }], want: false }],
    ["equals, missing", { given: ["a=b", {}], want: false }],
    ["equals the empty value, set empty", { given: ["a=", { a: "" }], want: true }],
    ["equals the empty value, missing", { given: ["a=", {}], want: false }],
    ["double equals", { given: ["a==b", { a: "b" }], want: true }],
    ["not equals, other value", { given: ["a!=b", { a: "c" }], want: true }],
    ["not equals, same value", { given: ["a!=b", { a: "b" }], want: false }],
    ["not equals, missing", { given: ["a!=b", {}], want: true }],
    ["in, member", { given: ["a in (x,y)", { a: "y" }], want: true }],
    ["in, not a member", { given: ["a in (x,y)", { a: "z" }], want: false }],
    ["in, missing", { given: ["a in (x,y)", undefined], want: false }],
    ["in with the empty value, set empty", { given: ["a in (,x)", { a: "" }], want: true }],
    ["notin, member", { given: ["a notin (x)", { a: "x" }], want: false }],
    ["notin, not a member", { given: ["a notin (x)", { a: "y" }], want: true }],
    ["notin, missing", { given: ["a notin (x)", {}], want: true }],
    ["exists, present", { given: ["a", { a: "" }], want: true }],
    ["exists, missing", { given: ["a", { b: "a" }], want: false }],
    ["does not exist, missing", { given: ["!a", { b: "" }], want: true }],
    ["does not exist, present", { given: ["!a", { a: "x" }], want: false }],
    ["gt, greater", { given: ["a>2", { a: "3" }], want: true }],
    ["gt, equal", { given: ["a>2", { a: "2" }], want: false }],
    ["gt, not a number", { given: ["a>2", { a: "3x" }], want: false }],
    ["gt, missing", { given: ["a>2", {}], want: false }],
    ["lt, negative label", { given: ["a<0", { a: "-5" }], want: true }],
    [
      "lt, compares as int64 beyond 2^53",
      { given: ["a<9007199254740993", { a: "9007199254740992" }], want: true },
    ],
    ["all requirements must hold", { given: ["a=b,c", { a: "b" }], want: false }],
    ["all requirements hold", { given: ["a=b,c,!d", { a: "b", c: "" }], want: true }],
    ["contradiction", { given: ["a=b,a=c", { a: "b" }], want: false }],
    ["inherited keys are not labels", { given: ["toString", {}], want: false }],
  ];
  runCases(cases, ([selector, labels]) => parseLabelSelector(selector).matches(labels));
});

describe("labelSelectorFromObject", () => {
  const cases: Cases<LabelSelectorObject, { text: string; matchesWeb: boolean }> = [
    ["no requirements selects everything", { given: {}, want: { text: "", matchesWeb: true } }],
    [
      "match labels",
      {
        given: { matchLabels: { tier: "a", app: "web" } },
        want: { text: "app=web,tier=a", matchesWeb: true },
      },
    ],
    [
      "expressions",
      {
        given: {
          matchExpressions: [
            { key: "tier", operator: "In", values: ["b", "a"] },
            { key: "env", operator: "NotIn", values: ["prod"] },
            { key: "app", operator: "Exists" },
            { key: "canary", operator: "DoesNotExist", values: [] },
          ],
        },
        want: { text: "app,!canary,env notin (prod),tier in (a,b)", matchesWeb: true },
      },
    ],
    [
      "repeated values print once, so the string parses",
      {
        given: { matchExpressions: [{ key: "a", operator: "In", values: ["", "", "", "x", "x"] }] },
        want: { text: "a in (,x)", matchesWeb: false },
      },
    ],
    [
      "labels and expressions together",
      {
        given: {
          matchLabels: { app: "db" },
          matchExpressions: [{ key: "tier", operator: "In", values: ["a"] }],
        },
        want: { text: "app=db,tier in (a)", matchesWeb: false },
      },
    ],
  ];
  runCases(cases, (given) => {
    const selector = labelSelectorFromObject(given);
    return { text: selector.toString(), matchesWeb: selector.matches({ app: "web", tier: "a" }) };
  });

  const errors: Cases<LabelSelectorObject, string> = [
    [
      "unknown operator",
      {
        given: { matchExpressions: [{ key: "a", operator: "Gt", values: ["1"] }] },
        want: containing(`"Gt" is not a valid label selector operator`),
      },
    ],
    [
      "In without values",
      {
        given: { matchExpressions: [{ key: "a", operator: "In" }] },
        want: containing("values set can't be empty"),
      },
    ],
    [
      "Exists with values",
      {
        given: { matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] },
        want: containing("values set must be empty"),
      },
    ],
    [
      "bad label value",
      {
        given: { matchLabels: { a: "no spaces" } },
        want: containing(`invalid label value "no spaces" for key "a"`),
      },
    ],
    ["bad key", { given: { matchLabels: { "a b": "x" } }, want: containing(`invalid label key "a b"`) }],
  ];
  runCases(errors, (given) => errorOf(() => labelSelectorFromObject(given)));

  describe("missing selectors", () => {
    runCases<null | undefined, { empty: boolean; matchesNone: boolean; matchesSome: boolean }>(
      [
        [
          "null selects nothing",
          { given: null, want: { empty: false, matchesNone: false, matchesSome: false } },
        ],
        [
          "undefined selects nothing",
          { given: undefined, want: { empty: false, matchesNone: false, matchesSome: false } },
        ],
      ],
      (given) => {
        const selector = labelSelectorFromObject(given);
        return {
          empty: selector.empty,
          matchesNone: selector.matches(undefined),
          matchesSome: selector.matches({ a: "b" }),
        };
      },
    );
  });
});

describe("everything and nothing", () => {
  runCases<"everything" | "nothing", { empty: boolean; text: string; matches: boolean }>(
    [
      ["everything", { given: "everything", want: { empty: true, text: "", matches: true } }],
      ["nothing", { given: "nothing", want: { empty: false, text: "", matches: false } }],
      [
        "parsing the empty string gives everything",
        { given: "everything", want: { empty: parseLabelSelector("").empty, text: "", matches: true } },
      ],
    ],
    (which) => {
      const selector = which === "everything" ? everything : nothing;
      return { empty: selector.empty, text: selector.toString(), matches: selector.matches({ x: "y" }) };
    },
  );
});
