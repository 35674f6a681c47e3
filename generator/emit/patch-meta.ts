/**
 * Emits `patch-meta.ts`: the strategic merge patch metadata of the clientset's kinds (the runtime's
 * `PatchMeta`), from the `patchStrategy` and `patchMergeKey` the normalize stage read off the
 * schemas. The fake apiserver applies strategic merge patches with it.
 *
 * One table per type rather than one per kind: `PodSpec` sits in ten kinds, and recursive types
 * (`JSONSchemaProps`) have no finite list of paths. Only what a strategic merge treats otherwise
 * than a JSON merge patch is kept: fields with a strategy or merge key, and the fields leading to
 * them. Custom resources never take strategic merge patches (the apiserver answers 415), so
 * CRD-only output gets the module too, with empty tables: a fake clientset imports it the same way
 * for every output.
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

/** A strategy that merges list items (rather than replacing the list) reads the items' metadata. */
const mergesItems = (strategy: string | undefined) => strategy?.split(",").includes("merge") ?? false;

/**
 * The named type a property's value leads to, for the table: of a ref, itself; of a map, its
 * values' (`map`); of a list, its items', when the strategy merges them (a replaced list is taken
 * whole). Inline object shapes have no name; built-in schemas always use `$ref`.
 */
function childOf(property: Property): { ref: TypeRef; map: boolean } | undefined {
  const unwrap = (shape: Shape): Shape => (shape.kind === "nullable" ? unwrap(shape.inner) : shape);
  const shape = unwrap(property.shape);
  if (property.patchStrategy?.split(",").includes("replace")) return undefined;
  if (shape.kind === "ref") return { ref: shape.ref, map: false };
  if (shape.kind === "map") {
    const values = unwrap(shape.values);
    return values.kind === "ref" ? { ref: values.ref, map: true } : undefined;
  }
  if (shape.kind === "array" && mergesItems(property.patchStrategy)) {
    const items = unwrap(shape.items);
    return items.kind === "ref" ? { ref: items.ref, map: false } : undefined;
  }
  return undefined;
}

const propertiesOf = (def: TypeDef): Property[] =>
  def.shape.kind === "object" || def.shape.kind === "embeddedResource" ? def.shape.properties : [];

const hasOwnMeta = (p: Property) => p.patchStrategy !== undefined || p.patchMergeKey !== undefined;

/** The `kinds` and `types` tables, sorted, as plain data (tests read it without printing). */
export function patchMetaOf(modules: readonly Module[]): {
  kinds: [kind: string, type: string][];
  types: [type: string, fields: [name: string, field: Record<string, string | true>][]][];
} {
  const defs = new Map<string, TypeDef>();
  for (const m of modules) for (const t of m.types) defs.set(typeId({ module: m.path, name: t.name }), t);

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

  const kinds = new Map<string, string>();
  for (const m of modules) {
    const gv = m.groupVersion;
    if (!gv) continue;
    const apiVersion = gv.group ? `${gv.group}/${gv.version}` : gv.version;
    for (const r of m.resources)
      if (r.strategicMergePatch) kinds.set(`${apiVersion}/${r.kind}`, typeId(r.objectType));
  }

  // The relevant types the kinds reach.
  const reached = new Set<string>();
  const stack = [...kinds.values()].filter((id) => relevant.has(id));
  const types = new Map<string, [string, Record<string, string | true>][]>();
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    const fields: [string, Record<string, string | true>][] = [];
    for (const p of propertiesOf(defs.get(id)!)) {
      const c = childOf(p);
      const childId = c && relevant.has(typeId(c.ref)) ? typeId(c.ref) : undefined;
      if (!hasOwnMeta(p) && !childId) continue;
      const field: Record<string, string | true> = {};
      if (p.patchStrategy !== undefined) field.strategy = p.patchStrategy;
      if (p.patchMergeKey !== undefined) field.key = p.patchMergeKey;
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
  const value = (v: string | true) => (v === true ? "true" : quote(v));
  f.print(
    ...jsDoc([
      "Strategic merge patch metadata of the clientset's kinds, from the schemas'",
      "`x-kubernetes-patch-strategy` and `x-kubernetes-patch-merge-key`: `kinds` gives each kind's type,",
      "`types` the fields of each type that a strategic merge patch merges by a key, keeps to the patch's",
      "keys (`retainKeys`) or replaces whole, and the fields that lead to them.",
      ...(kinds.length === 0
        ? [
            "",
            "Empty: no kind here takes strategic merge patches (custom resources never do: the apiserver answers 415).",
          ]
        : []),
      "",
      "@module",
    ]),
    "",
    `export const patchMeta = /*@__PURE__*/ ${define}({`,
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
        f.print(`      ${literalKey(name)}: { ${entries.join(", ")} },`);
      }
      f.print("    },");
    }
    f.print("  },");
  }
  f.print("});");
  return f.toString(header);
}
