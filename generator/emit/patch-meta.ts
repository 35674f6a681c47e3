/**
 * Emits `patch-meta.ts`: the strategic merge patch and server-side apply metadata of the
 * clientset's kinds (the runtime's `PatchMeta`), from what the normalize stage read off the
 * schemas: `patchStrategy` and `patchMergeKey`, list-map keys, set lists, atomic maps and structs.
 * The fake apiserver applies strategic merge patches and tracks field ownership with it.
 *
 * One table per type rather than one per kind: `PodSpec` sits in ten kinds, and recursive types
 * (`JSONSchemaProps`) have no finite list of paths. Only what differs from the defaults is kept
 * (a JSON merge for strategic merge patches; granular maps and atomic lists for server-side apply),
 * and the fields leading to it. Custom resources never take strategic merge patches (the apiserver
 * answers 415) but their schemas carry list and map types too; CRD-only output gets the module
 * either way (empty tables when nothing differs), so a fake clientset imports it the same way for
 * every output.
 */

import { isIdentifierName } from "../model/identifiers.js";
import type { Module, Property, Shape, TypeDef, TypeRef } from "../model/ir.js";
import { compareStrings } from "../order.js";
import { FileBuilder, jsDoc } from "./file-builder.js";
import type { EmitContext } from "./module.js";

/** The id of a type in the table: `core/v1.PodSpec` (names have no dots; module paths may). */
const typeId = (ref: TypeRef) => `${ref.module}.${ref.name}`;

const quote = (s: string) => JSON.stringify(s);

/**
 * An object literal key: bare when it is an identifier, `["__proto__"]` computed (a plain
 * `"__proto__":` would set the prototype), else quoted.
 */
const literalKey = (name: string) =>
  name === "__proto__" ? `[${quote(name)}]` : isIdentifierName(name) ? name : quote(name);

// `__proto__` is printed as a computed key, which TypeScript types by the index signature.
const inheritedNames = new Set(Object.getOwnPropertyNames(Object.prototype).filter((n) => n !== "__proto__"));

/** A field's entry in the table. */
type FieldEntry = Record<string, string | true | string[]>;

const unwrap = (shape: Shape): Shape => (shape.kind === "nullable" ? unwrap(shape.inner) : shape);

/** A strategy that merges list items (rather than replacing the list) reads the items' metadata. */
const mergesItems = (strategy: string | undefined) => strategy?.split(",").includes("merge") ?? false;

/**
 * The named type a property's value leads to, for the table: of a ref, itself; of a map, its
 * values' (`map`); of a list, its items', when the strategy merges them (a replaced list is taken
 * whole). Inline object shapes have no name; built-in schemas always use `$ref`.
 */
function childOf(property: Property): { ref: TypeRef; map: boolean } | undefined {
  const shape = unwrap(property.shape);
  if (property.patchStrategy?.split(",").includes("replace")) return undefined;
  if (shape.kind === "ref") return { ref: shape.ref, map: false };
  if (shape.kind === "map") {
    const values = unwrap(shape.values);
    return values.kind === "ref" ? { ref: values.ref, map: true } : undefined;
  }
  // Server-side apply merges the items of a list-map by their keys, whatever the patch strategy.
  if (shape.kind === "array" && (mergesItems(property.patchStrategy) || shape.listMapKeys?.length)) {
    const items = unwrap(shape.items);
    return items.kind === "ref" ? { ref: items.ref, map: false } : undefined;
  }
  return undefined;
}

const propertiesOf = (def: TypeDef): Property[] =>
  def.shape.kind === "object" || def.shape.kind === "embeddedResource" ? def.shape.properties : [];

/**
 * What server-side apply reads of a property, where it is not the default: the keys of a list-map
 * (`keys`), a set (`list: "set"`), an atomic map or struct, inline or named (`atomic`).
 */
function applyMetaOf(p: Property, defs: ReadonlyMap<string, TypeDef>): FieldEntry {
  const shape = unwrap(p.shape);
  const out: FieldEntry = {};
  // Left out where the strategic merge metadata says the same (the runtime reads a merged list
  // with a merge key as keyed by it, a merged list of scalars as a set), to keep the table small.
  const merges = mergesItems(p.patchStrategy);
  if (shape.kind === "array") {
    const keys = shape.listMapKeys ?? [];
    if (keys.length && !(merges && keys.length === 1 && keys[0] === p.patchMergeKey)) out.keys = [...keys];
    else if (shape.listType === "set" && !merges) out.list = "set";
  }
  const target = shape.kind === "ref" ? defs.get(typeId(shape.ref))?.shape : shape;
  const value = target && unwrap(target);
  if ((value?.kind === "map" || value?.kind === "object") && value.mapType === "atomic") out.atomic = true;
  return out;
}

/** The `kinds` and `types` tables, sorted, as plain data (tests read it without printing). */
export function patchMetaOf(modules: readonly Module[]): {
  kinds: [kind: string, type: string][];
  types: [type: string, fields: [name: string, field: FieldEntry][]][];
} {
  const defs = new Map<string, TypeDef>();
  for (const m of modules) for (const t of m.types) defs.set(typeId({ module: m.path, name: t.name }), t);
  const hasOwnMeta = (p: Property) =>
    p.patchStrategy !== undefined ||
    p.patchMergeKey !== undefined ||
    Object.keys(applyMetaOf(p, defs)).length > 0;

  // Types with metadata of their own or through a child: a least fixpoint, so recursive types
  // without any metadata stay out.
  const relevant = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const [id, def] of defs) {
      if (relevant.has(id)) continue;
      const leadsOn = (p: Property) => {
        const c = childOf(p);
        return c !== undefined && relevant.has(typeId(c.ref));
      };
      if (propertiesOf(def).some((p) => hasOwnMeta(p) || leadsOn(p))) {
        relevant.add(id);
        changed = true;
      }
    }
  }

  // The kinds that take strategic merge patches, and those whose types say anything to
  // server-side apply (custom resources among them).
  const kinds = new Map<string, string>();
  for (const m of modules) {
    const gv = m.groupVersion;
    if (!gv) continue;
    const apiVersion = gv.group ? `${gv.group}/${gv.version}` : gv.version;
    for (const r of m.resources)
      if (r.strategicMergePatch || relevant.has(typeId(r.objectType)))
        kinds.set(`${apiVersion}/${r.kind}`, typeId(r.objectType));
  }

  // The relevant types the kinds reach.
  const reached = new Set<string>();
  const stack = [...kinds.values()].filter((id) => relevant.has(id));
  const types = new Map<string, [string, FieldEntry][]>();
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    const fields: [string, FieldEntry][] = [];
    for (const p of propertiesOf(defs.get(id)!)) {
      const c = childOf(p);
      const childId = c && relevant.has(typeId(c.ref)) ? typeId(c.ref) : undefined;
      if (!hasOwnMeta(p) && !childId) continue;
      const field: FieldEntry = {};
      if (p.patchStrategy !== undefined) field.strategy = p.patchStrategy;
      if (p.patchMergeKey !== undefined) field.key = p.patchMergeKey;
      Object.assign(field, applyMetaOf(p, defs));
      if (childId) {
        field.type = childId;
        if (c!.map) field.map = true;
        stack.push(childId);
      }
      fields.push([p.name, field]);
    }
    types.set(
      id,
      fields.sort(([a], [b]) => compareStrings(a, b)),
    );
  }
  return {
    kinds: [...kinds].sort(([a], [b]) => compareStrings(a, b)),
    types: [...types].sort(([a], [b]) => compareStrings(a, b)),
  };
}

/** The text of `patch-meta.ts`. */
export function emitPatchMeta(modules: readonly Module[], ctx: EmitContext, header: string): string {
  const f = new FileBuilder("patch-meta", ctx.resolve);
  f.declare("patchMeta");
  const define = f.importValue("definePatchMeta", ctx.runtime);
  const { kinds, types } = patchMetaOf(modules);
  const value = (v: string | true | string[]) =>
    v === true ? "true" : Array.isArray(v) ? `[${v.map(quote).join(", ")}]` : quote(v);
  f.print(
    ...jsDoc([
      "Strategic merge patch and server-side apply metadata of the clientset's kinds, from the schemas'",
      "`x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key`, `x-kubernetes-list-type`,",
      "`x-kubernetes-list-map-keys` and `x-kubernetes-map-type`: `kinds` gives each kind's type, `types`",
      "the fields of each type that a strategic merge patch merges by a key, keeps to the patch's keys",
      "(`retainKeys`) or replaces whole, the lists server-side apply merges by keys (`keys`) or as sets,",
      "the maps and structs it owns whole (`atomic`), and the fields that lead to them.",
      ...(kinds.length === 0
        ? [
            "",
            "Empty: no kind here takes strategic merge patches (custom resources never do: the apiserver",
            "answers 415), and every list is atomic and every map granular to server-side apply.",
          ]
        : []),
      "",
      "@module",
    ]),
    "",
    // Typed by name, so its declaration (.d.ts) names the type instead of an `import("...")` type.
    `export const patchMeta: ${f.importType("PatchMeta", ctx.runtime)} = /*@__PURE__*/ ${define}({`,
  );
  f.print(kinds.length === 0 ? "  kinds: {}," : "  kinds: {");
  if (kinds.length) {
    for (const [kind, type] of kinds) f.print(`    ${literalKey(kind)}: ${quote(type)},`);
    f.print("  },");
  }
  f.print(types.length === 0 ? "  types: {}," : "  types: {");
  if (types.length) {
    for (const [type, fields] of types) {
      f.print(`    ${literalKey(type)}: {`);
      for (const [name, field] of fields) {
        const entries = Object.entries(field).map(([k, v]) => `${k}: ${value(v)}`);
        // TypeScript types a property named like an Object.prototype member (`constructor`) by
        // that member, not the index signature, and would widen `"set"` and `true`: held as is.
        const held = inheritedNames.has(name) ? " as const" : "";
        f.print(`      ${literalKey(name)}: { ${entries.join(", ")} }${held},`);
      }
      f.print("    },");
    }
    f.print("  },");
  }
  f.print("});");
  return f.toString(header);
}
