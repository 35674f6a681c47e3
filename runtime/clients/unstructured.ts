/**
 * Unstructured objects: plain JSON with `apiVersion` and `kind`, as the dynamic client reads and
 * writes them, with small helpers for nested fields and checked conversion to and from the
 * generated types.
 */
import type { KubeList, KubeObject } from "../core/object.js";
import { getOwn, hasOwn, setOwn } from "../core/own.js";

/** Any Kubernetes object as JSON. */
export interface Unstructured extends KubeObject {
  [field: string]: unknown;
}

export type UnstructuredList = KubeList<Unstructured>;

/**
 * The value at `fields` (`nestedField(obj, "spec", "replicas")`), or undefined. Only own fields
 * count: `__proto__`, `constructor` and `prototype` are field names like any other, as in JSON.
 */
export function nestedField(object: unknown, ...fields: string[]): unknown {
  let value: unknown = object;
  for (const f of fields) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    value = getOwn(value, f);
  }
  return value;
}

/** The string at `fields`; undefined when missing, a TypeError when it is not a string. */
export function nestedString(object: unknown, ...fields: string[]): string | undefined {
  const value = nestedField(object, ...fields);
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new TypeError(`${fields.join(".")} is ${typeof value}, not a string`);
  return value;
}

/** The number at `fields`; undefined when missing, a TypeError when it is not a number. */
export function nestedNumber(object: unknown, ...fields: string[]): number | undefined {
  const value = nestedField(object, ...fields);
  if (value === undefined) return undefined;
  if (typeof value !== "number") throw new TypeError(`${fields.join(".")} is ${typeof value}, not a number`);
  return value;
}

/**
 * Sets the value at `fields`, creating plain objects on the way; a non-object in the way is a
 * TypeError. Every field is written as an own property (`__proto__` too), so no prototype changes.
 */
export function setNestedField(object: Record<string, unknown>, value: unknown, ...fields: string[]): void {
  if (fields.length === 0) throw new TypeError("setNestedField needs at least one field");
  let target: object = object;
  for (const f of fields.slice(0, -1)) {
    let next = getOwn(target, f);
    if (next === undefined || next === null) {
      next = {};
      setOwn(target, f, next);
    } else if (typeof next !== "object" || Array.isArray(next)) throw new TypeError(`${f} is not an object`);
    target = next as object;
  }
  setOwn(target, fields.at(-1)!, value);
}

/** Removes the field at `fields`, if there (an own field: inherited members are never touched). */
export function removeNestedField(object: Record<string, unknown>, ...fields: string[]): void {
  if (fields.length === 0) return;
  const parent = nestedField(object, ...fields.slice(0, -1));
  const last = fields.at(-1)!;
  if (parent && typeof parent === "object" && !Array.isArray(parent) && hasOwn(parent, last))
    delete (parent as Record<string, unknown>)[last];
}

/**
 * An unstructured object as a generated type, after checking its `apiVersion` and `kind`
 * (the typed constructor helpers and descriptors say what they are). The object is copied.
 *
 * @example
 * const pod = fromUnstructured<Pod>(object, { apiVersion: "v1", kind: "Pod" });
 */
export function fromUnstructured<T extends KubeObject>(
  object: Unstructured,
  expected: { apiVersion: string; kind: string },
): T {
  if (object.apiVersion !== expected.apiVersion || object.kind !== expected.kind) {
    throw new TypeError(
      `expected ${expected.apiVersion} ${expected.kind}, got ${object.apiVersion ?? "(no apiVersion)"} ${object.kind ?? "(no kind)"}` +
        (object.metadata?.name ? ` (${object.metadata.name})` : ""),
    );
  }
  return structuredClone(object) as unknown as T;
}

/**
 * The list with each item's `apiVersion` and `kind` filled in from the list's (`DeploymentList` →
 * `Deployment`), for items that have neither: the apiserver leaves them out of the items of
 * built-in lists. client-go's unstructured decoder does the same. Items are copied only when
 * filled; a list whose kind does not end in `List` is returned as is.
 *
 * @example
 * const list = withItemTypeMeta(await dynamic.resource(deploymentsGvr).list());
 * const first = fromUnstructured<Deployment>(list.items[0]!, { apiVersion: "apps/v1", kind: "Deployment" });
 */
export function withItemTypeMeta<L extends UnstructuredList>(list: L): L {
  const { apiVersion, kind } = list;
  if (!apiVersion || !kind?.endsWith("List") || kind === "List") return list;
  const itemKind = kind.slice(0, -"List".length);
  return {
    ...list,
    items: list.items.map((item) =>
      item.apiVersion || item.kind ? item : { apiVersion, kind: itemKind, ...item },
    ),
  };
}

/** A typed object as an unstructured one (a copy); it must carry `apiVersion` and `kind`. */
export function toUnstructured(object: KubeObject): Unstructured {
  if (!object.apiVersion || !object.kind)
    throw new TypeError("toUnstructured: the object needs apiVersion and kind");
  return structuredClone(object) as Unstructured;
}
