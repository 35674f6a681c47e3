/**
 * Label selectors, sans-IO: the string syntax the apiserver reads in `labelSelector`
 * (`app=web,tier in (a,b),!canary`), parsed, matched and printed as apimachinery's `labels`
 * package does, so a lister selects what the server would; and `metav1.LabelSelector` objects
 * (`matchLabels`, `matchExpressions`) turned into the same selectors.
 *
 * Entry points: `parseLabelSelector(text)`, `labelSelectorFromObject(selector)`, `everything`.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
 */

/**
 * The operators of a requirement, as apimachinery's `selection.Operator` spells them. `gt` and
 * `lt` compare integers (`replicas>2`); the string syntax writes them `>` and `<`.
 */
export type LabelSelectorOperator = "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

/** One requirement of a selector: a key, an operator, and the values it compares with. */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelSelectorOperator;
  /** Empty for `exists` and `!`; one value for `=`, `==`, `!=`, `gt`, `lt`; at least one for `in`, `notin`. */
  readonly values: readonly string[];
}

/**
 * A parsed label selector: requirements that must all hold (comma means AND), as client-go's
 * `labels.Selector`.
 *
 * @example
 * const selector = parseLabelSelector("app=web,tier in (a,b)");
 * selector.matches({ app: "web", tier: "a" }); // true
 * selector.toString(); // "app=web,tier in (a,b)"
 */
export interface LabelSelector {
  /** The requirements, sorted by key (stably: equal keys keep their written order). */
  readonly requirements: readonly LabelRequirement[];
  /** True when the selector has no requirement: it matches every label set. */
  readonly empty: boolean;
  /** Whether every requirement holds for `labels` (`undefined` is an object without labels). */
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /**
   * The canonical string: requirements sorted by key, `in`/`notin` values sorted, as
   * apimachinery's `Selector.String()` prints it. It parses back to an equal selector.
   */
  toString(): string;
}

/** The selector without requirements: it matches everything, and prints as `""` (`labels.Everything()`). */
export const everything: LabelSelector = makeSelector([], true);

/**
 * The selector that matches nothing (`labels.Nothing()`): what a missing `metav1.LabelSelector`
 * means in `labelSelectorFromObject`. It prints as `""`, as client-go's does, so it has no
 * string form of its own.
 */
export const nothing: LabelSelector = Object.freeze({
  requirements: Object.freeze([]),
  empty: false,
  matches: () => false,
  toString: () => "",
});

/** The `metav1.LabelSelector` object, as in a Deployment's `spec.selector`. */
export interface LabelSelectorObject {
  matchLabels?: Readonly<Record<string, string>> | undefined;
  matchExpressions?:
    | readonly {
        key: string;
        operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | (string & {});
        values?: readonly string[] | undefined;
      }[]
    | undefined;
}

/**
 * Parses the string syntax of a label selector exactly as apimachinery's `labels.Parse` does:
 * `key=value`, `key==value`, `key!=value`, `key in (v1,v2)`, `key notin (v1)`, `key` (exists),
 * `!key` (does not exist), `key>1`, `key<1`; a comma separates requirements, all of which must
 * hold. Spaces, tabs and line breaks may stand between tokens. Keys must be qualified names
 * (`[prefix/]name`) and values label values, by Kubernetes' rules. `""` gives `everything`.
 *
 * @example
 * parseLabelSelector("environment in (production, qa), tier notin (frontend), !canary");
 * @throws {Error} naming the selector, the position (0-based) and what was wrong, for input the
 *   apiserver would refuse: `label selector "a b": at 2: found 'b', expected: in, notin, =, ==, !=, gt, lt`.
 */
export function parseLabelSelector(text: string): LabelSelector {
  const requirements = new Parser(text).parse();
  return requirements.length === 0 ? everything : makeSelector(requirements, false);
}

/**
 * Turns a `metav1.LabelSelector` into a selector, as apimachinery's `LabelSelectorAsSelector`:
 * each `matchLabels` entry is a `key=value` requirement and each `matchExpressions` entry an
 * `In`, `NotIn`, `Exists` or `DoesNotExist` one. An object without any selects everything; a
 * missing one (`null`, `undefined`) selects nothing.
 *
 * @example
 * labelSelectorFromObject({ matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["a"] }] });
 * @throws {Error} for an unknown operator, an invalid key or value, or values that do not fit
 *   the operator (`In` without values, `Exists` with some).
 */
export function labelSelectorFromObject(selector: LabelSelectorObject | null | undefined): LabelSelector {
  if (selector == null) return nothing;
  const requirements: LabelRequirement[] = [];
  const context = `label selector ${JSON.stringify(selector)}`;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push(requirement(context, key, "=", [value]));
  }
  for (const expression of selector.matchExpressions ?? []) {
    const operator = OBJECT_OPERATORS.get(expression.operator);
    if (!operator) {
      throw new Error(
        `${context}: ${JSON.stringify(expression.operator)} is not a valid label selector operator`,
      );
    }
    requirements.push(requirement(context, expression.key, operator, [...(expression.values ?? [])]));
  }
  return requirements.length === 0 ? everything : makeSelector(requirements, false);
}

const OBJECT_OPERATORS: ReadonlyMap<string, LabelSelectorOperator> = new Map([
  ["In", "in"],
  ["NotIn", "notin"],
  ["Exists", "exists"],
  ["DoesNotExist", "!"],
]);

function makeSelector(unsorted: LabelRequirement[], empty: boolean): LabelSelector {
  // A stable sort by key (code units, as Go compares strings), so the printed form is canonical.
  const requirements = Object.freeze(
    unsorted
      .map((r, index) => ({ r, index }))
      .sort((a, b) => (a.r.key < b.r.key ? -1 : a.r.key > b.r.key ? 1 : a.index - b.index))
      .map(({ r }) => Object.freeze({ ...r, values: Object.freeze([...r.values]) })),
  );
  const text = requirements.map(requirementString).join(",");
  return Object.freeze({
    requirements,
    empty,
    matches: (labels: Readonly<Record<string, string>> | undefined) =>
      requirements.every((r) => requirementMatches(r, labels ?? {})),
    toString: () => text,
  });
}

function requirementMatches(r: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case "=":
    case "==":
    case "in":
      return has && r.values.includes(value as string);
    case "!=":
    case "notin":
      return !has || !r.values.includes(value as string);
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
    case "lt": {
      // Both sides must be base-10 int64s, as strconv.ParseInt reads them; else no match.
      const left = has ? parseInt64(value as string) : undefined;
      const right = r.values.length === 1 ? parseInt64(r.values[0] as string) : undefined;
      if (left === undefined || right === undefined) return false;
      return r.operator === "gt" ? left > right : left < right;
    }
  }
}

function requirementString(r: LabelRequirement): string {
  switch (r.operator) {
    case "exists":
      return r.key;
    case "!":
      return `!${r.key}`;
    case "in":
    case "notin":
      // Without duplicates: labels.Parse refuses some repeated empty values (`a in (,,)`), and
      // a set means the same with or without them.
      return `${r.key} ${r.operator} (${sortedValues([...new Set(r.values)]).join(",")})`;
    case "gt":
      return `${r.key}>${r.values[0]}`;
    case "lt":
      return `${r.key}<${r.values[0]}`;
    default:
      return `${r.key}${r.operator}${r.values[0]}`;
  }
}

function sortedValues(values: readonly string[]): string[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** `strconv.ParseInt(s, 10, 64)`: an optional sign, then decimal digits, within int64. */
function parseInt64(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

// --- validation: apimachinery's IsQualifiedName and IsValidLabelValue -------------------------

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** What is wrong with `key` as a label key, or `undefined` when it is a valid one. */
function labelKeyProblem(key: string): string | undefined {
  const parts = key.split("/");
  let name: string;
  if (parts.length === 1) {
    name = key;
  } else if (parts.length === 2) {
    const prefix = parts[0] as string;
    name = parts[1] as string;
    if (prefix.length === 0) return "prefix part must be non-empty";
    if (prefix.length > 253) return "prefix part must be no more than 253 characters";
    if (!DNS1123_SUBDOMAIN.test(prefix)) {
      return "prefix part must be a lowercase RFC 1123 subdomain: lowercase alphanumeric characters, '-' or '.', starting and ending with an alphanumeric character";
    }
  } else {
    return "a qualified name has at most one '/' (an optional DNS subdomain prefix and a name)";
  }
  if (name.length === 0) return "name part must be non-empty";
  if (name.length > 63) return "name part must be no more than 63 characters";
  if (!QUALIFIED_NAME.test(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

/** What is wrong with `value` as a label value, or `undefined` when it is a valid one. */
function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return "must be no more than 63 characters";
  if (!LABEL_VALUE.test(value)) {
    return "a valid label value must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

/**
 * A checked requirement, as apimachinery's `NewRequirement`: a valid key, values that fit the
 * operator, each a valid label value. `context` (and `at`) start the error message.
 */
function requirement(
  context: string,
  key: string,
  operator: LabelSelectorOperator,
  values: string[],
  at = "",
): LabelRequirement {
  const fail = (what: string): never => {
    throw new Error(`${context}${at}: ${what}`);
  };
  const keyProblem = labelKeyProblem(key);
  if (keyProblem) fail(`invalid label key ${JSON.stringify(key)}: ${keyProblem}`);
  switch (operator) {
    case "in":
    case "notin":
      if (values.length === 0)
        fail(`for 'in', 'notin' operators, values set can't be empty (key ${JSON.stringify(key)})`);
      break;
    case "=":
    case "==":
    case "!=":
      if (values.length !== 1)
        fail(`exact-match compatibility requires one single value (key ${JSON.stringify(key)})`);
      break;
    case "exists":
    case "!":
      if (values.length !== 0) {
        fail(`values set must be empty for exists and does not exist (key ${JSON.stringify(key)})`);
      }
      break;
    case "gt":
    case "lt":
      if (values.length !== 1)
        fail(`for 'Gt', 'Lt' operators, exactly one value is required (key ${JSON.stringify(key)})`);
      if (parseInt64(values[0] as string) === undefined) {
        fail(`for 'Gt', 'Lt' operators, the value must be an integer, not ${JSON.stringify(values[0])}`);
      }
      break;
  }
  for (const value of values) {
    const problem = labelValueProblem(value);
    if (problem)
      fail(`invalid label value ${JSON.stringify(value)} for key ${JSON.stringify(key)}: ${problem}`);
  }
  return { key, operator, values };
}

// --- the lexer and parser: apimachinery's labels/selector.go, token for token -----------------

type TokenKind =
  | "end"
  | "identifier"
  | "in"
  | "notin"
  | "("
  | ")"
  | ","
  | "!"
  | "="
  | "=="
  | "!="
  | ">"
  | "<";

interface Token {
  kind: TokenKind;
  literal: string;
  /** Offset of its first character in the selector. */
  at: number;
}

const SYMBOL_TOKENS: ReadonlySet<string> = new Set(["(", ")", ",", "!", "=", "==", "!=", ">", "<"]);
const SPECIAL = new Set(["=", "!", "(", ")", ",", ">", "<"]);
const WHITESPACE = new Set([" ", "\t", "\r", "\n"]);

/** Splits the selector into tokens, as apimachinery's `Lexer`. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  // Go reads a NUL byte as the end of the input, so the server ignores whatever follows one.
  const end = text.includes("\0") ? text.indexOf("\0") : text.length;
  for (;;) {
    while (pos < end && WHITESPACE.has(text[pos] as string)) pos++;
    if (pos >= end) {
      tokens.push({ kind: "end", literal: "", at: end });
      return tokens;
    }
    const start = pos;
    if (SPECIAL.has(text[pos] as string)) {
      // The longest run of symbols that is still a token: `!=` rather than `!`, `=` then `(`.
      let longest = "";
      let buffer = "";
      while (pos < end && SPECIAL.has(text[pos] as string)) {
        buffer += text[pos];
        if (SYMBOL_TOKENS.has(buffer)) longest = buffer;
        else if (longest !== "") break;
        pos++;
      }
      // Every single symbol is a token, so `longest` is never empty here.
      pos = start + longest.length;
      tokens.push({ kind: longest as TokenKind, literal: longest, at: start });
    } else {
      while (pos < end && !WHITESPACE.has(text[pos] as string) && !SPECIAL.has(text[pos] as string)) pos++;
      const word = text.slice(start, pos);
      const kind: TokenKind = word === "in" || word === "notin" ? word : "identifier";
      tokens.push({ kind, literal: word, at: start });
    }
  }
}

const BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt";

/** apimachinery's `Parser`: a recursive descent over the tokens, with the same error texts. */
class Parser {
  readonly #text: string;
  readonly #tokens: Token[];
  #position = 0;

  constructor(text: string) {
    this.#text = text;
    this.#tokens = tokenize(text);
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const next = this.#peek(true);
      if (next.kind === "end") return requirements;
      if (next.kind !== "identifier" && next.kind !== "!") {
        this.#fail(next, "expected: !, identifier, or 'end of string'");
      }
      requirements.push(this.#requirement());
      const after = this.#take(true);
      if (after.kind === "end") return requirements;
      if (after.kind !== ",") this.#fail(after, "expected: ',' or 'end of string'");
      const following = this.#peek(true);
      if (following.kind !== "identifier" && following.kind !== "!") {
        this.#fail(following, "expected: identifier after ','");
      }
    }
  }

  #requirement(): LabelRequirement {
    const first = this.#take(true);
    let keyToken = first;
    let operator: LabelSelectorOperator | undefined;
    if (first.kind === "!") {
      operator = "!";
      keyToken = this.#take(true);
    }
    if (keyToken.kind !== "identifier") this.#fail(keyToken, "expected: identifier");
    const key = keyToken.literal;
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) this.#fail(keyToken, `invalid label key ${JSON.stringify(key)}: ${keyProblem}`, false);
    const next = this.#peek(true);
    if (operator === undefined && (next.kind === "end" || next.kind === ",")) operator = "exists";
    if (operator !== undefined) return this.#checked(first, key, operator, []);

    const opToken = this.#take(false);
    const op = OPERATOR_OF_TOKEN[opToken.kind];
    if (op === undefined) this.#fail(opToken, `expected: ${BINARY_OPERATORS}`);
    const values = op === "in" || op === "notin" ? this.#valueSet() : this.#exactValue();
    return this.#checked(first, key, op, values);
  }

  /** `( v1, v2 )`: the values sorted, without duplicates; empty entries are the value `""`. */
  #valueSet(): string[] {
    const open = this.#take(true);
    if (open.kind !== "(") this.#fail(open, "expected: '('");
    const first = this.#peek(true);
    if (first.kind === ")") {
      this.#take(true);
      return [""];
    }
    if (first.kind !== "identifier" && first.kind !== ",")
      this.#fail(first, "expected: ',', ')' or identifier");
    const values = new Set<string>();
    for (;;) {
      const token = this.#take(true);
      if (token.kind === "identifier") {
        values.add(token.literal);
        const next = this.#peek(true);
        if (next.kind === ")") break;
        if (next.kind !== ",") this.#fail(next, "expected: ',' or ')'");
      } else if (token.kind === ",") {
        // A comma with nothing before it, after it (before `)`) or between two stands for "".
        if (values.size === 0) values.add("");
        const next = this.#peek(true);
        if (next.kind === ")") {
          values.add("");
          break;
        }
        if (next.kind === ",") {
          this.#take(true);
          values.add("");
        }
      } else {
        this.#fail(token, "expected: ',', or identifier");
      }
    }
    this.#take(true); // the ")" seen above
    return sortedValues([...values]);
  }

  /** The one value after `=`, `==`, `!=`, `>` or `<`; nothing before `,` or the end is `""`. */
  #exactValue(): string[] {
    const next = this.#peek(true);
    if (next.kind === "end" || next.kind === ",") return [""];
    const token = this.#take(true);
    if (token.kind !== "identifier") this.#fail(token, "expected: identifier");
    return [token.literal];
  }

  #checked(start: Token, key: string, operator: LabelSelectorOperator, values: string[]): LabelRequirement {
    return requirement(this.#context(), key, operator, values, ` at ${start.at}`);
  }

  /**
   * The token at the current position. Where a value is expected (`values`), the words `in`
   * and `notin` are plain identifiers, as in `in in (notin)`.
   */
  #peek(values: boolean): Token {
    const token = this.#tokens[this.#position] as Token;
    return values && (token.kind === "in" || token.kind === "notin")
      ? { ...token, kind: "identifier" }
      : token;
  }

  #take(values: boolean): Token {
    const token = this.#peek(values);
    if (token.kind !== "end") this.#position++;
    return token;
  }

  #context(): string {
    return `label selector ${JSON.stringify(this.#text)}`;
  }

  #fail(token: Token, what: string, found = true): never {
    const shown = token.kind === "end" ? "end of string" : `'${token.literal}'`;
    throw new Error(`${this.#context()} at ${token.at}: ${found ? `found ${shown}, ${what}` : what}`);
  }
}

const OPERATOR_OF_TOKEN: Partial<Record<TokenKind, LabelSelectorOperator>> = {
  in: "in",
  notin: "notin",
  "=": "=",
  "==": "==",
  "!=": "!=",
  ">": "gt",
  "<": "lt",
};
