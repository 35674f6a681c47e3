/**
 * Shared types: model → model, pure. CRDs inline the same shapes again and again (every
 * `SecretKeySelector`, every copy of `Container`), and `from-crd.ts` names each copy after its path.
 * This stage makes one type of each shape, and refers to the built-in Kubernetes types where a CRD
 * copied one of them. Give it the CRD model only: built-in types have API names that must stay.
 *
 * **Sharing within a module.** Type definitions of one module that are structurally identical
 * (their canonical serialization is equal once descriptions, defaults, deprecation text, origins
 * and strategic merge metadata are dropped, and refs compare by what they point to after sharing)
 * become one type, and
 * every ref to a duplicate points to it. Kinds and the types resources name are never merged.
 * - Name: the shortest of the duplicates' names, ties broken by code-unit order (`compareStrings`).
 *   Names thus stay unique in the module and never collide with a kind.
 * - JSDoc (type and properties) and origin: those of the first duplicate in that same order that
 *   has a description (else the named one's).
 * - Order: each survivor stays where its name was in the module's type list.
 *
 * **Built-in types.** A CRD object type is replaced by a built-in type (`core/v1` `Container`...)
 * when its shape matches the built-in one, tolerating what CRDs and the OpenAPI write differently
 * and an older Kubernetes (see `matchBuiltins`). The insides of replaced copies, unreachable now,
 * are dropped.
 */
import type { ApiModel, Module, Property, Shape, TypeDef, TypeRef } from "../model/ir.js";
import { compareStrings } from "../order.js";

/** The built-in types CRD objects are matched against, without docs. */
export interface BuiltinTypes {
  /** Where they come from (the snapshot, a cluster). */
  source: string;
  types: { module: string; name: string; shape: Shape }[];
}

/** How `shareTypes` runs. */
export interface ShareOptions {
  /** Built-in types to reuse; none when absent (`--no-builtin-types`). */
  builtins?: BuiltinTypes;
}

/** What the stage did, for the CLI's summary. */
export interface ShareStats {
  typesBefore: number;
  typesAfter: number;
  /** Distinct built-in types each module now imports instead of declaring, summed over modules. */
  builtinImports: number;
}

type ObjectShape = Extract<Shape, { kind: "object" | "embeddedResource" }>;

/** A standalone CRD object lacking some of a built-in type's properties needs this many of its own. */
const minSkewProperties = 4;

/**
 * The keys `Docs` and `TypeDef.origin` add, the strategic merge patch metadata of built-in
 * properties (CRD schemas have none) and server-side apply's list and map types: none changes a
 * TypeScript type, so they never make two types different.
 */
const docKeys = new Set([
  "description",
  "default",
  "deprecated",
  "origin",
  "patchStrategy",
  "patchMergeKey",
  // Server-side apply's list and map semantics: the TypeScript types are the same either way.
  "listType",
  "mapType",
]);

const refKey = (ref: TypeRef) => `${ref.module}\u0000${ref.name}`;

function isRefShape(value: object): value is { kind: "ref"; ref: TypeRef } {
  const v = value as { kind?: unknown; ref?: unknown };
  return v.kind === "ref" && typeof v.ref === "object" && v.ref !== null;
}

/** Raw text in `canonicalParts`' work stack, as opposed to a value still to serialize. */
class Text {
  constructor(readonly text: string) {}
}

/**
 * The canonical serialization of JSON data as text parts around refs: object keys sorted, doc keys
 * and `undefined` left out, and each `{ kind: "ref" }` shape cut out as a slot, so a key can be
 * recomputed cheaply as refs get other meanings. Generic on purpose: a field added to the IR later
 * takes part without a change here. Iterative: no recursion on the data's depth.
 */
export function canonicalParts(value: unknown): { texts: string[]; refs: TypeRef[] } {
  const texts: string[] = [];
  const refs: TypeRef[] = [];
  let current = "";
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item instanceof Text) {
      current += item.text;
    } else if (Array.isArray(item)) {
      stack.push(new Text("]"));
      for (let i = item.length - 1; i >= 0; i--) {
        stack.push(item[i] === undefined ? null : item[i]);
        if (i > 0) stack.push(new Text(","));
      }
      current += "[";
    } else if (item !== null && typeof item === "object") {
      if (isRefShape(item)) {
        texts.push(current);
        refs.push(item.ref);
        current = "";
        continue;
      }
      const record = item as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((k) => !docKeys.has(k) && record[k] !== undefined)
        .sort(compareStrings);
      stack.push(new Text("}"));
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push(record[keys[i]!]);
        stack.push(new Text(`${i > 0 ? "," : ""}${JSON.stringify(keys[i])}:`));
      }
      current += "{";
    } else {
      current += JSON.stringify(item);
    }
  }
  texts.push(current);
  return { texts, refs };
}

/** Canonical parts joined into one key, each ref written as `token` says. */
function joinKey(
  { texts, refs }: { texts: string[]; refs: TypeRef[] },
  token: (ref: TypeRef) => string,
): string {
  let key = texts[0]!;
  for (let i = 0; i < refs.length; i++) key += `<${token(refs[i]!)}>${texts[i + 1]}`;
  return key;
}

/**
 * The structural key of a type definition: its canonical serialization without its name, docs and
 * origin, each ref written as `token` says (by default, what it names).
 */
export function typeKey(def: TypeDef, token: (ref: TypeRef) => string = refKey): string {
  return joinKey(canonicalParts({ ...def, name: undefined }), token);
}

/** A deep copy of JSON data, keeping key order; iterative. */
function cloneJson<T>(value: T): T {
  const root: Record<string, unknown> = {};
  const stack: [unknown, Record<string | number, unknown>, string | number][] = [[value, root, "v"]];
  while (stack.length > 0) {
    const [src, parent, key] = stack.pop()!;
    if (Array.isArray(src)) {
      const copy: unknown[] = new Array(src.length);
      parent[key] = copy;
      for (let i = 0; i < src.length; i++)
        stack.push([src[i], copy as unknown as Record<number, unknown>, i]);
    } else if (src !== null && typeof src === "object") {
      const copy: Record<string, unknown> = {};
      parent[key] = copy;
      const record = src as Record<string, unknown>;
      // Keys are set in order first, so filling them from the stack keeps the order.
      for (const k of Object.keys(record)) copy[k] = undefined;
      for (const k of Object.keys(record)) stack.push([record[k], copy, k]);
    } else {
      parent[key] = src;
    }
  }
  return root.v as T;
}

/** Calls `visit` on every ref shape inside `value`; iterative. */
function forEachRef(value: unknown, visit: (shape: { kind: "ref"; ref: TypeRef }) => void): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (Array.isArray(item)) {
      for (const child of item) stack.push(child);
    } else if (item !== null && typeof item === "object") {
      if (isRefShape(item)) visit(item);
      else for (const child of Object.values(item)) stack.push(child);
    }
  }
}

/** A copy of a shape without docs (for the built-in index). */
function withoutDocs(shape: Shape): Shape {
  const copy = cloneJson(shape);
  const stack: unknown[] = [copy];
  while (stack.length > 0) {
    const item = stack.pop();
    if (Array.isArray(item)) {
      for (const child of item) stack.push(child);
    } else if (item !== null && typeof item === "object") {
      const record = item as Record<string, unknown>;
      for (const k of Object.keys(record)) {
        if (docKeys.has(k)) delete record[k];
        else stack.push(record[k]);
      }
    }
  }
  return copy;
}

/** Schema ids of the Kubernetes API packages (built-in group-versions, meta, apimachinery). */
const builtinSchemaIds = /^io\.k8s\.(api|apimachinery|apiextensions-apiserver|kube-aggregator)\./;

/**
 * The built-in types worth matching, from a model of the Kubernetes OpenAPI: object and alias types
 * of the GA group-versions and the shared meta/apimachinery modules (alpha and beta types come and
 * go), from the Kubernetes packages' schema ids only (a cluster's OpenAPI also has its CRDs, and
 * `gateway.networking.k8s.io` makes `io.k8s.networking.gateway...`), kinds left out (their
 * `apiVersion`/`kind` are literals). Sorted by module, then name.
 */
export function builtinTypesOf(model: ApiModel, source: string): BuiltinTypes {
  const types: BuiltinTypes["types"] = [];
  for (const m of model.modules) {
    if (m.stability !== "stable") continue;
    for (const t of m.types) {
      if (t.typeMeta || !builtinSchemaIds.test(t.origin)) continue;
      types.push({ module: m.path, name: t.name, shape: withoutDocs(t.shape) });
    }
  }
  types.sort((a, b) => compareStrings(a.module, b.module) || compareStrings(a.name, b.name));
  return { source, types };
}

/** The committed text of built-in types: one type per line, so a diff shows which types changed. */
export function builtinTypesToJson(builtins: BuiltinTypes): string {
  const lines = builtins.types.map((t) => JSON.stringify({ module: t.module, name: t.name, shape: t.shape }));
  return `{"source":${JSON.stringify(builtins.source)},"types":[\n${lines.join(",\n")}\n]}\n`;
}

/** Parses `builtinTypesToJson`'s text; throws naming `file` when it is not that. */
export function builtinTypesFromJson(text: string, file: string): BuiltinTypes {
  const data = JSON.parse(text) as Partial<BuiltinTypes>;
  if (typeof data.source !== "string" || !Array.isArray(data.types))
    throw new Error(`${file}: not an index of built-in types; regenerate it with \`npm run generate\``);
  return { source: data.source, types: data.types };
}

/** Types that keep their names and are never merged: kinds, and what resources name. */
function fixedNames(module: Module): Set<string> {
  const fixed = new Set<string>();
  for (const t of module.types) if (t.typeMeta) fixed.add(t.name);
  for (const r of module.resources) {
    if (r.objectType.module === module.path) fixed.add(r.objectType.name);
    if (r.listType.module === module.path) fixed.add(r.listType.name);
  }
  return fixed;
}

/**
 * Classes of structurally identical types within one module: the coarsest partition in which
 * duplicates have equal keys with refs to the module's types read as their class, so children
 * collapse first and parents that differ only in which duplicate child they name collapse too.
 * Acyclic (every CRD): one pass in dependency order, children first. With a cycle: partition
 * refinement (all types in one class, split by key until nothing splits), which merges identical
 * cycles too. Both iterative.
 */
function duplicateClasses(module: Module): string[][] {
  const fixed = fixedNames(module);
  const mergeable = module.types.filter((t) => !fixed.has(t.name));
  if (mergeable.length < 2) return [];
  const parts = new Map(mergeable.map((t) => [t.name, canonicalParts({ ...t, name: undefined })]));
  let classOf = new Map<string, number>();
  const token = (ref: TypeRef): string => {
    if (ref.module !== module.path) return `${ref.module}:${ref.name}`;
    const c = classOf.get(ref.name);
    return c === undefined ? `=${ref.name}` : `#${c}`;
  };
  const order = dependencyOrder(parts, module.path);
  if (order) {
    const ids = new Map<string, number>();
    for (const name of order) {
      const key = joinKey(parts.get(name)!, token);
      let id = ids.get(key);
      if (id === undefined) {
        id = ids.size;
        ids.set(key, id);
      }
      classOf.set(name, id);
    }
  } else {
    classOf = new Map(mergeable.map((t) => [t.name, 0]));
    for (let count = 1; ; ) {
      const ids = new Map<string, number>();
      const next = new Map<string, number>();
      for (const t of mergeable) {
        const key = `${classOf.get(t.name)}|${joinKey(parts.get(t.name)!, token)}`;
        let id = ids.get(key);
        if (id === undefined) {
          id = ids.size;
          ids.set(key, id);
        }
        next.set(t.name, id);
      }
      classOf = next;
      // Classes only ever split, so an unchanged count is an unchanged partition.
      if (ids.size === count) break;
      count = ids.size;
    }
  }
  const members = new Map<number, string[]>();
  for (const [name, c] of classOf) {
    const list = members.get(c) ?? [];
    list.push(name);
    members.set(c, list);
  }
  return [...members.values()].filter((names) => names.length > 1);
}

/**
 * The given types, each after the types of the module it refers to (iterative depth-first
 * post-order); undefined when they refer to each other in a cycle.
 */
function dependencyOrder(
  parts: ReadonlyMap<string, { refs: TypeRef[] }>,
  module: string,
): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const order: string[] = [];
  for (const start of parts.keys()) {
    if (state.has(start)) continue;
    state.set(start, "open");
    const stack: [string, number][] = [[start, 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const refs = parts.get(top[0])!.refs;
      if (top[1] < refs.length) {
        const ref = refs[top[1]++]!;
        if (ref.module !== module || !parts.has(ref.name)) continue;
        const seen = state.get(ref.name);
        if (seen === "open") return undefined;
        if (seen === undefined) {
          state.set(ref.name, "open");
          stack.push([ref.name, 0]);
        }
      } else {
        state.set(top[0], "done");
        order.push(top[0]);
        stack.pop();
      }
    }
  }
  return order;
}

/** The types (`refKey`) that the kinds and resources of each module reach; iterative. */
function reachable(modules: Module[]): Set<string> {
  const byKey = new Map<string, TypeDef>();
  for (const m of modules) for (const t of m.types) byKey.set(refKey({ module: m.path, name: t.name }), t);
  const reached = new Set<string>();
  const pending: string[] = [];
  for (const m of modules) for (const name of fixedNames(m)) pending.push(refKey({ module: m.path, name }));
  while (pending.length > 0) {
    const key = pending.pop()!;
    if (reached.has(key)) continue;
    reached.add(key);
    const def = byKey.get(key);
    if (def) forEachRef(def.shape, (shape) => pending.push(refKey(shape.ref)));
  }
  return reached;
}

const byNameRule = (a: string, b: string) => a.length - b.length || compareStrings(a, b);

/**
 * Merges each module's duplicates in place (on a copy). `evidence` (type → descriptions) gains the
 * descriptions of the types merged into each survivor.
 */
function shareWithinModules(modules: Module[], evidence: Map<string, string[]>): void {
  const renamed = new Map<string, string>();
  for (const module of modules) {
    const byName = new Map(module.types.map((t) => [t.name, t]));
    const replacement = new Map<string, TypeDef>();
    const dropped = new Set<string>();
    for (const names of duplicateClasses(module)) {
      names.sort(byNameRule);
      const survivor = names[0]!;
      const donor = names.map((n) => byName.get(n)!).find((t) => t.description) ?? byName.get(survivor)!;
      replacement.set(survivor, { ...donor, name: survivor });
      const survivorKey = refKey({ module: module.path, name: survivor });
      for (const n of names.slice(1)) {
        const key = refKey({ module: module.path, name: n });
        dropped.add(n);
        renamed.set(key, survivor);
        const merged = evidence.get(key);
        if (merged) {
          const into = evidence.get(survivorKey) ?? [];
          for (const text of merged) into.push(text);
          evidence.set(survivorKey, into);
          evidence.delete(key);
        }
      }
    }
    if (dropped.size === 0) continue;
    module.types = module.types.filter((t) => !dropped.has(t.name)).map((t) => replacement.get(t.name) ?? t);
  }
  if (renamed.size === 0) return;
  for (const module of modules) {
    forEachRef(module.types, (shape) => {
      const name = renamed.get(refKey(shape.ref));
      if (name !== undefined) shape.ref = { module: shape.ref.module, name };
    });
  }
}

/**
 * Structural sharing within each module, then built-in types in place of CRD copies (then sharing
 * again: parents that differed only in which copy they named now collapse), then unreachable types
 * dropped. Pure: the input is not modified.
 */
export function shareTypes(
  model: ApiModel,
  options: ShareOptions = {},
): { model: ApiModel; stats: ShareStats } {
  const modules = cloneJson(model.modules);
  const count = (ms: Module[]) => ms.reduce((n, m) => n + m.types.length, 0);
  const outside = (ms: Module[]) =>
    new Map(
      ms.map((m) => {
        const refs = new Set<string>();
        forEachRef(m.types, (s) => {
          if (s.ref.module !== m.path) refs.add(refKey(s.ref));
        });
        return [m.path, refs];
      }),
    );
  const before = outside(modules);
  const reachedBefore = reachable(modules);
  const evidence = new Map<string, string[]>();
  for (const m of modules) {
    for (const t of m.types)
      if (t.description) evidence.set(refKey({ module: m.path, name: t.name }), [t.description]);
  }
  shareWithinModules(modules, evidence);
  if (options.builtins && options.builtins.types.length > 0) {
    const replaced = matchBuiltins(modules, options.builtins, evidence);
    if (replaced.size > 0) {
      for (const module of modules) {
        forEachRef(module.types, (shape) => {
          const to = replaced.get(refKey(shape.ref));
          if (to) shape.ref = to;
        });
        module.types = module.types.filter(
          (t) => !replaced.has(refKey({ module: module.path, name: t.name })),
        );
      }
      shareWithinModules(modules, evidence);
    }
  }
  // Drops the types this stage left unreachable (the insides of replaced copies), nothing else.
  const reached = reachable(modules);
  for (const m of modules) {
    m.types = m.types.filter((t) => {
      const key = refKey({ module: m.path, name: t.name });
      return reached.has(key) || !reachedBefore.has(key);
    });
  }
  let builtinImports = 0;
  for (const [path, refs] of outside(modules)) {
    const had = before.get(path) ?? new Set();
    for (const r of refs) if (!had.has(r)) builtinImports++;
  }
  return {
    model: { modules },
    stats: { typesBefore: count(model.modules), typesAfter: count(modules), builtinImports },
  };
}

// ---------------------------------------------------------------------------------------------
// Built-in matching

/**
 * Which CRD object types become built-in types (CRD type → built-in type).
 *
 * A CRD object O **matches** a built-in object B when every property of O exists in B with the same
 * `required` flag and a matching shape, every required property of B exists in O, and both agree on
 * being open (`preserve-unknown-fields`). Shapes match when equal, with these allowances for what
 * CRDs and the Kubernetes OpenAPI write differently:
 * - B's refs to alias types are read through (`Time` is a string, `IntOrString` int-or-string);
 * - B's `Quantity` accepts an int-or-string or a string;
 * - a string enum and a plain string match either way (Kubernetes marks enums with `+enum`,
 *   controller-gen with `validation:Enum`; neither copies the other's);
 * - int-or-string and `string | number` are the same;
 * - a CRD's named object matches the object B refers to, recursively (cycles included);
 * - arrays compare their items only (list-type markers and list-map keys are ignored).
 *
 * Inside a matched parent the parent's property says which built-in type a child is, so a child
 * only has to match. A standalone O (every mergeable CRD object is tried) takes B only when:
 * 1. O has every property of B (exact), or, version skew, O lacks some of B's properties (a CRD
 *    built against an older Kubernetes has no newer fields: an old `Container` has no
 *    `resizePolicy`) but has at least 4 properties and at least half of B's;
 * 2. among the built-in types O matches so, B lacks the fewest of O's properties (an old
 *    `Container` is a `Container`, not an `EphemeralContainer`); on a tie, those whose name appears
 *    in O's descriptions (controller-gen copies the Go type's comment, which starts with its name:
 *    `SecretKeySelector selects a key of a Secret.`); if that does not leave exactly one, none;
 * 3. O has at least 3 properties, or no other built-in type has all of O's property names
 *    (`{ matchExpressions, matchLabels }` is a `LabelSelector`), or B's name appears in O's
 *    descriptions: a `{ name?: string }` is only a `LocalObjectReference` when its schema says so.
 *
 * `evidence` holds each CRD type's descriptions, those of its merged duplicates included.
 */
export function matchBuiltins(
  modules: Module[],
  builtins: BuiltinTypes,
  evidence: ReadonlyMap<string, readonly string[]> = new Map(),
): Map<string, TypeRef> {
  const builtinDefs = new Map(builtins.types.map((t) => [refKey(t), t]));
  const crdDefs = new Map<string, TypeDef>();
  for (const m of modules) for (const t of m.types) crdDefs.set(refKey({ module: m.path, name: t.name }), t);
  const matcher = new Matcher(crdDefs, builtinDefs);

  // Candidates by property names: a built-in type must have every property the CRD type has.
  const byProperty = new Map<string, { ref: TypeRef; size: number }[]>();
  for (const t of builtins.types) {
    if (t.shape.kind !== "object") continue;
    for (const p of t.shape.properties) {
      const list = byProperty.get(p.name) ?? [];
      list.push({ ref: { module: t.module, name: t.name }, size: t.shape.properties.length });
      byProperty.set(p.name, list);
    }
  }
  const roots: { ref: TypeRef; def: TypeDef; candidates: TypeRef[]; distinctive: boolean }[] = [];
  for (const m of modules) {
    const fixed = fixedNames(m);
    for (const def of m.types) {
      if (fixed.has(def.name) || def.shape.kind !== "object" || def.shape.properties.length === 0) continue;
      const props = def.shape.properties;
      const names = new Set(props.map((p) => p.name));
      const containing = (byProperty.get(props[0]!.name) ?? []).filter((c) => {
        const shape = builtinDefs.get(refKey(c.ref))!.shape as ObjectShape;
        return props.every((p) => shape.properties.some((q) => q.name === p.name));
      });
      const candidates = containing
        .filter(
          (c) => c.size === props.length || (props.length >= minSkewProperties && props.length * 2 >= c.size),
        )
        .filter((c) =>
          (builtinDefs.get(refKey(c.ref))!.shape as ObjectShape).properties.every(
            (p) => !p.required || names.has(p.name),
          ),
        )
        .map((c) => c.ref);
      if (candidates.length === 0) continue;
      const ref = { module: m.path, name: def.name };
      for (const c of candidates) matcher.explore(ref, c);
      roots.push({ ref, def, candidates, distinctive: containing.length === 1 });
    }
  }
  matcher.settle();

  const chosen = new Map<string, TypeRef>();
  for (const { ref, def, candidates, distinctive } of roots) {
    const size = (def.shape as ObjectShape).properties.length;
    const matching = candidates.filter((c) => matcher.matches(ref, c));
    if (matching.length === 0) continue;
    const lacking = (c: TypeRef) =>
      (builtinDefs.get(refKey(c))!.shape as ObjectShape).properties.length - size;
    const fewest = matching.reduce((n, c) => Math.min(n, lacking(c)), Number.POSITIVE_INFINITY);
    let best = matching.filter((c) => lacking(c) === fewest);
    const words = new Set((evidence.get(refKey(ref)) ?? [def.description ?? ""]).join(" ").match(/[\w$]+/g));
    const named = (c: TypeRef) => words.has(c.name);
    if (best.length > 1) best = best.filter(named);
    if (best.length !== 1) continue;
    const winner = best[0]!;
    if (size < 3 && !distinctive && !named(winner)) continue;
    chosen.set(refKey(ref), winner);
  }
  return chosen;
}

interface Pair {
  ok: boolean;
  /** The pairs this one holds only if they hold (CRD type, built-in type it must match). */
  dependsOn: string[];
}

/**
 * The match relation between CRD types and built-in types, as a greatest fixpoint: pairs are
 * explored with a work list (no recursion on depth), each pair's own properties are compared and the
 * pairs of named types it needs are recorded; `settle` then fails every pair that needs a failed one.
 * Pairs on a cycle that fail nowhere hold, as for recursive types they should.
 */
class Matcher {
  readonly #pairs = new Map<string, Pair>();
  readonly #pending: [TypeRef, TypeRef][] = [];

  constructor(
    readonly crd: ReadonlyMap<string, TypeDef>,
    readonly builtin: ReadonlyMap<string, { shape: Shape }>,
  ) {}

  explore(crdRef: TypeRef, builtinRef: TypeRef): void {
    this.#pending.push([crdRef, builtinRef]);
    while (this.#pending.length > 0) {
      const [c, b] = this.#pending.pop()!;
      const key = `${refKey(c)}\u0001${refKey(b)}`;
      if (this.#pairs.has(key)) continue;
      const pair: Pair = { ok: true, dependsOn: [] };
      this.#pairs.set(key, pair);
      const cDef = this.crd.get(refKey(c));
      const bDef = this.builtin.get(refKey(b));
      const needs: [TypeRef, TypeRef][] = [];
      pair.ok = cDef !== undefined && bDef !== undefined && this.#compare(cDef.shape, bDef.shape, needs);
      if (!pair.ok) continue;
      for (const [nc, nb] of needs) {
        pair.dependsOn.push(`${refKey(nc)}\u0001${refKey(nb)}`);
        this.#pending.push([nc, nb]);
      }
    }
  }

  /** Fails, transitively, every pair that depends on a failed pair. */
  settle(): void {
    const dependents = new Map<string, string[]>();
    const failed: string[] = [];
    for (const [key, pair] of this.#pairs) {
      if (!pair.ok) failed.push(key);
      for (const d of pair.dependsOn) {
        const list = dependents.get(d) ?? [];
        list.push(key);
        dependents.set(d, list);
      }
    }
    while (failed.length > 0) {
      const key = failed.pop()!;
      for (const dependent of dependents.get(key) ?? []) {
        const pair = this.#pairs.get(dependent)!;
        if (pair.ok) {
          pair.ok = false;
          failed.push(dependent);
        }
      }
    }
  }

  matches(crdRef: TypeRef, builtinRef: TypeRef): boolean {
    return this.#pairs.get(`${refKey(crdRef)}\u0001${refKey(builtinRef)}`)?.ok ?? false;
  }

  /** Reads a built-in ref through alias types; stops at object types and unknown refs. */
  #builtinTarget(shape: Shape): Shape {
    let current = shape;
    for (let hops = 0; current.kind === "ref" && hops < 16; hops++) {
      const target = this.builtin.get(refKey(current.ref));
      if (!target || target.shape.kind === "object") return current;
      if (current.ref.module === "apimachinery/resource" && current.ref.name === "Quantity") return current;
      current = target.shape;
    }
    return current;
  }

  /** Compares two shapes up to named types, whose pairs go to `needs`; iterative. */
  #compare(crdShape: Shape, builtinShape: Shape, needs: [TypeRef, TypeRef][]): boolean {
    const stack: [Shape, Shape][] = [[crdShape, builtinShape]];
    while (stack.length > 0) {
      const [c, raw] = stack.pop()!;
      const b = this.#builtinTarget(raw);
      if (c.kind === "ref" && b.kind === "ref" && refKey(c.ref) === refKey(b.ref)) continue;
      if (b.kind === "ref") {
        if (b.ref.module === "apimachinery/resource" && b.ref.name === "Quantity") {
          if (!isIntOrString(c) && c.kind !== "string") return false;
          continue;
        }
        if (c.kind === "ref" && this.crd.has(refKey(c.ref))) {
          needs.push([c.ref, b.ref]);
          continue;
        }
        // An inline object (no CRD names one, but the IR allows it) against the named one.
        const target = this.builtin.get(refKey(b.ref));
        if ((c.kind !== "object" && c.kind !== "embeddedResource") || !target) return false;
        stack.push([c, target.shape]);
        continue;
      }
      if (c.kind === "ref") {
        const def = this.crd.get(refKey(c.ref));
        if (!def || (b.kind !== "object" && b.kind !== "embeddedResource")) return false;
        stack.push([def.shape, b]);
        continue;
      }
      switch (b.kind) {
        case "string":
          // Kubernetes and controller-gen mark enums differently (`+enum`, `validation:Enum`).
          if (c.kind !== "string" && !(c.kind === "literals" && c.values.every((v) => typeof v === "string")))
            return false;
          break;
        case "number":
        case "boolean":
        case "unknown":
          if (c.kind !== b.kind) return false;
          break;
        case "intOrString":
          if (!isIntOrString(c)) return false;
          break;
        case "literals":
          if (c.kind === "string" && b.values.every((v) => typeof v === "string")) break;
          if (c.kind !== "literals" || !sameValues(c.values, b.values)) return false;
          break;
        case "array":
          if (c.kind !== "array") return false;
          stack.push([c.items, b.items]);
          break;
        case "map":
          if (c.kind !== "map") return false;
          stack.push([c.values, b.values]);
          break;
        case "nullable":
          // A built-in `Time | null` is nullable by our rule for zero times, not by its schema:
          // a CRD's date-time string is the same field.
          if (c.kind !== "nullable" && isZeroTime(b.inner)) {
            stack.push([c, b.inner]);
            break;
          }
          if (c.kind !== "nullable") return false;
          stack.push([c.inner, b.inner]);
          break;
        case "union":
          if (isIntOrString(b)) {
            if (!isIntOrString(c)) return false;
            break;
          }
          if (c.kind !== "union" || c.options.length !== b.options.length) return false;
          for (let i = 0; i < b.options.length; i++) stack.push([c.options[i]!, b.options[i]!]);
          break;
        case "object":
        case "embeddedResource":
          if (c.kind !== b.kind || !comparableObjects(c as ObjectShape, b, stack)) return false;
          break;
      }
    }
    return true;
  }
}

/** A ref to `metav1.Time` or `MicroTime`, which the OpenAPI front end makes nullable. */
function isZeroTime(shape: Shape): boolean {
  return (
    shape.kind === "ref" &&
    shape.ref.module === "meta/v1" &&
    (shape.ref.name === "Time" || shape.ref.name === "MicroTime")
  );
}

/** int-or-string, or its `string | number` union spelling. */
function isIntOrString(shape: Shape): boolean {
  if (shape.kind === "intOrString") return true;
  if (shape.kind !== "union" || shape.options.length !== 2) return false;
  const kinds = shape.options.map((o) => o.kind).sort();
  return kinds[0] === "number" && kinds[1] === "string";
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  const set = new Set(b);
  return a.length === set.size && a.every((v) => set.has(v));
}

/** The object-level rules; property shapes go on the stack. */
function comparableObjects(c: ObjectShape, b: ObjectShape, stack: [Shape, Shape][]): boolean {
  if (c.open !== b.open) return false;
  const builtinProps = new Map<string, Property>(b.properties.map((p) => [p.name, p]));
  const crdNames = new Set(c.properties.map((p) => p.name));
  for (const p of b.properties) if (p.required && !crdNames.has(p.name)) return false;
  for (const p of c.properties) {
    const other = builtinProps.get(p.name);
    if (!other || other.required !== p.required) return false;
    stack.push([p.shape, other.shape]);
  }
  return true;
}
