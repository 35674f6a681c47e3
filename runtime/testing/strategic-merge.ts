/**
 * Kubernetes strategic merge patch, applied as the apiserver applies it (apimachinery's
 * `strategicpatch`, with the options the apiserver passes: parallel deletion lists merged, unmatched
 * nulls dropped), driven by the generated {@link PatchMeta} instead of Go struct tags:
 *
 * - objects merge key by key; `null` deletes a key;
 * - a list whose field has the `merge` strategy merges: items of objects by the field's merge key
 *   (each matched item merged recursively), primitives as a set; any other list is replaced;
 * - a field with the `replace` strategy is replaced whole;
 * - directives: `$patch: replace` / `delete` in an object (replace it by the rest of the patch /
 *   empty it) and as a list item (replace the list by the other items / delete the item with that
 *   merge key), `$retainKeys` (keep only these keys of the object), `$deleteFromPrimitiveList/<f>`
 *   (remove values from a merged primitive list), `$setElementOrder/<f>` (the order of the merged
 *   list's items);
 * - order: the patch's items in the patch's order (or `$setElementOrder`'s), the server's other
 *   items in their order, interleaved where both know an item's place, as `normalizeElementOrder`
 *   orders them.
 *
 * Pure: the inputs are not changed. A patch that cannot be applied throws a {@link PatchError}.
 *
 * @see https://github.com/kubernetes/community/blob/master/contributors/devel/sig-api-machinery/strategic-merge-patch.md
 */

import { getOwn, hasOwn, setOwn } from "../core/own.js";
import type { PatchMeta, PatchMetaField, PatchMetaType } from "../core/patch-meta.js";
import { patchMetaOfKind } from "../core/patch-meta.js";
import { PatchError } from "./patches.js";

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

const directive = "$patch";
const retainKeys = "$retainKeys";
const deleteFromPrimitiveList = "$deleteFromPrimitiveList/";
const setElementOrder = "$setElementOrder/";

/**
 * What the metadata says of the value being merged: the fields of a named type, or a map whose
 * every value is of one type (`map: true` fields); undefined when nothing is known of it.
 */
type Node = { fields: PatchMetaType } | { values: PatchMetaField } | undefined;

/**
 * A JSON value as Go's `%v` prints the decoded value (`map[image:x name:a]`, `[a b]`, `<nil>`):
 * the apiserver's strategic merge errors show patch values so, and the fake's answers match them.
 */
function goValue(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (Array.isArray(value)) return `[${value.map(goValue).join(" ")}]`;
  if (isObject(value))
    return `map[${Object.keys(value)
      .sort()
      .map((k) => `${k}:${goValue(value[k])}`)
      .join(" ")}]`;
  return String(value);
}

/**
 * Applies a strategic merge patch to an object. The object's `apiVersion` and `kind` pick its type
 * in `meta`; a kind `meta` does not know (a `Scale`) merges objects, replaces lists and honours the
 * directives, as a type without patch metadata does in the apiserver.
 *
 * @example
 * const patched = applyStrategicMergePatch(deployment, {
 *   spec: { template: { spec: { containers: [{ name: "app", image: "app:2" }] } } },
 * }, patchMeta);
 */
export function applyStrategicMergePatch(original: unknown, patch: unknown, meta: PatchMeta): unknown {
  if (!isObject(patch)) throw new PatchError("a strategic merge patch must be a JSON object", 400);
  const base = isObject(original) ? original : {};
  const apiVersion = getOwn(base, "apiVersion");
  const kind = getOwn(base, "kind");
  const type =
    typeof apiVersion === "string" && typeof kind === "string"
      ? patchMetaOfKind(meta, apiVersion, kind)
      : undefined;
  return new Merger(meta).mergeObject(
    structuredClone(base),
    structuredClone(patch),
    type && { fields: type },
  );
}

class Merger {
  constructor(readonly meta: PatchMeta) {}

  /** The metadata of field `key` of a value described by `node`. */
  field(node: Node, key: string): PatchMetaField | undefined {
    if (!node) return undefined;
    if ("values" in node) return node.values;
    const field = getOwn(node.fields, key);
    return isObject(field) ? (field as PatchMetaField) : undefined;
  }

  /** What is known of the value of a field (of its items, for a list). */
  child(field: PatchMetaField | undefined): Node {
    if (!field?.type) return undefined;
    if (field.map) return { values: { type: field.type } };
    const type = getOwn(this.meta.types, field.type);
    return isObject(type) ? { fields: type as PatchMetaType } : undefined;
  }

  /** Merges `patch` into `original`; both are owned copies, and `original` is changed in place. */
  mergeObject(original: JsonObject, patch: JsonObject, node: Node): JsonObject {
    if (hasOwn(patch, directive)) {
      const value = patch[directive];
      if (value === "replace") {
        delete patch[directive];
        return this.mergeObject({}, patch, node);
      }
      if (value === "delete") return {};
      throw new PatchError(`unknown patch type: ${goValue(value)} in map: ${goValue(patch)}`, 500);
    }
    this.retainKeys(original, patch);
    this.setElementOrders(original, patch, node);
    for (const rawKey of Object.keys(patch)) {
      const value = patch[rawKey];
      const deleteList = rawKey.startsWith(deleteFromPrimitiveList);
      const key = deleteList ? rawKey.slice(deleteFromPrimitiveList.length) : rawKey;
      if (deleteList && !Array.isArray(value))
        throw new PatchError("invalid patch format of primitive list", 400);
      if (value === null) {
        delete original[key];
        continue;
      }
      const field = this.field(node, key);
      if (!hasOwn(original, key)) {
        // A new value is merged into nothing, which drops its nulls and applies its directives.
        if (!deleteList) setOwn(original, key, this.fresh(value, field));
        continue;
      }
      const current = original[key];
      if (Array.isArray(current) && Array.isArray(value)) {
        setOwn(original, key, this.mergeList(current, value, field, deleteList));
      } else if (deleteList) {
        // A deletion list for a value that is not a list deletes nothing.
      } else if (isObject(current) && isObject(value)) {
        const replaced = strategies(field).includes("replace");
        setOwn(
          original,
          key,
          replaced ? this.fresh(value, field) : this.mergeObject(current, value, this.child(field)),
        );
      } else {
        setOwn(original, key, this.fresh(value, field));
      }
    }
    return original;
  }

  /** A patch value taken whole: merged into an empty value of its type, so directives and nulls go. */
  fresh(value: unknown, field: PatchMetaField | undefined): unknown {
    if (isObject(value)) return this.mergeObject({}, value, this.child(field));
    if (Array.isArray(value)) {
      if (strategies(field).includes("merge")) return this.mergeList([], value, field, false);
      const items = this.child(field);
      return value.map((item) => (isObject(item) ? this.mergeObject({}, item, items) : item));
    }
    return value;
  }

  /** `$retainKeys`: keys of `original` not in the list go; the patch may set only listed keys. */
  retainKeys(original: JsonObject, patch: JsonObject): void {
    if (!hasOwn(patch, retainKeys)) return;
    const keys = patch[retainKeys];
    delete patch[retainKeys];
    if (!Array.isArray(keys)) throw new PatchError("invalid patch format of retainKeys", 400);
    const retained = new Set(keys);
    for (const key of Object.keys(patch)) {
      if (patch[key] === null || key.startsWith(deleteFromPrimitiveList) || key.startsWith(setElementOrder))
        continue;
      if (!retained.has(key)) throw new PatchError("invalid patch format of retainKeys", 400);
    }
    for (const key of Object.keys(original)) if (!retained.has(key)) delete original[key];
  }

  /**
   * `$setElementOrder/<field>`: the field's list is merged with the patch's (taken out of the patch),
   * then its items ordered: those the order lists as it says, the server's others where they were.
   */
  setElementOrders(original: JsonObject, patch: JsonObject, node: Node): void {
    for (const directiveKey of Object.keys(patch)) {
      if (!directiveKey.startsWith(setElementOrder)) continue;
      const order = patch[directiveKey];
      delete patch[directiveKey];
      const key = directiveKey.slice(setElementOrder.length);
      if (!Array.isArray(order))
        throw new PatchError(`${directiveKey}: expected a list, found ${goValue(order)}`, 500);
      const current = hasOwn(original, key) ? original[key] : undefined;
      const given = hasOwn(patch, key) ? patch[key] : undefined;
      if ((current !== undefined && !Array.isArray(current)) || (given != null && !Array.isArray(given)))
        throw new PatchError(`${directiveKey}: ${key} is not a list`, 500);
      const field = this.field(node, key);
      const mergeKey = field?.key;
      const identity = identityOf(mergeKey);
      if (Array.isArray(given)) checkOrder(given, order, identity, directiveKey);
      let merged: unknown[];
      if (Array.isArray(current) && Array.isArray(given))
        merged = this.mergeList(current, given, field, false);
      else if (Array.isArray(given)) merged = this.fresh(given, field) as unknown[];
      else if (Array.isArray(current)) merged = current;
      else continue;
      delete patch[key];
      setOwn(original, key, ordered(merged, order, Array.isArray(current) ? current : [], identity));
    }
  }

  /** Merges two lists as the field's strategy says; `deleteList` is a `$deleteFromPrimitiveList`. */
  mergeList(
    original: unknown[],
    patch: unknown[],
    field: PatchMetaField | undefined,
    deleteList: boolean,
  ): unknown[] {
    // Without the merge strategy the patch's list replaces the list (a deletion list too, as in
    // the apiserver).
    if (!strategies(field).includes("merge"))
      return deleteList ? patch : (this.fresh(patch, undefined) as unknown[]);
    if (original.length === 0 && patch.length === 0) return original;
    const all = [...original, ...patch];
    if (all.some(Array.isArray)) throw new PatchError("lists of lists are not supported", 422);
    const objects = all.filter(isObject).length;
    if (objects !== 0 && objects !== all.length)
      throw new PatchError(`list element types are not identical: ${goValue(all)}`, 500);
    if (objects === 0) {
      if (deleteList) return original.filter((v) => !patch.includes(v));
      const merged = [...new Set(all)];
      return ordered(merged, patch, original, identityOf(undefined));
    }
    const mergeKey = field?.key;
    if (!mergeKey) throw new PatchError("cannot merge lists without merge key", 500);
    const identity = identityOf(mergeKey);
    let server = original as JsonObject[];
    let items: JsonObject[] = [];
    let replace = false;
    for (const item of patch as JsonObject[]) {
      if (!hasOwn(item, directive)) {
        items.push(item);
        continue;
      }
      const value = item[directive];
      if (value === "delete") {
        if (!hasOwn(item, mergeKey))
          throw new PatchError(`map: ${goValue(item)} does not contain declared merge key: ${mergeKey}`, 500);
        server = server.filter((s) => !hasOwn(s, mergeKey) || s[mergeKey] !== item[mergeKey]);
      } else if (value === "replace") replace = true;
      else if (value === "merge")
        throw new PatchError("merging lists cannot yet be specified in the patch", 500);
      else throw new PatchError(`unknown patch type: ${goValue(value)} in map: ${goValue(item)}`, 500);
    }
    const itemNode = this.child(field);
    if (replace) {
      // The list becomes the patch's other items, in their order.
      server = items.map((item) => this.mergeObject({}, item, itemNode));
      items = [];
    }
    const merged = [...server];
    for (const item of items) {
      if (!hasOwn(item, mergeKey))
        throw new PatchError(`map: ${goValue(item)} does not contain declared merge key: ${mergeKey}`, 500);
      const at = merged.findIndex((s) => hasOwn(s, mergeKey) && s[mergeKey] === item[mergeKey]);
      if (at >= 0) merged[at] = this.mergeObject(merged[at]!, item, itemNode);
      else merged.push(this.mergeObject({}, item, itemNode));
    }
    return ordered(merged, items, server, identity);
  }
}

/** The strategies of a field: `merge,retainKeys` → `["merge", "retainKeys"]`. */
function strategies(field: PatchMetaField | undefined): string[] {
  return field?.strategy?.split(",") ?? [];
}

/** What identifies a list item: its merge key's value, or a primitive itself. */
function identityOf(mergeKey: string | undefined): (item: unknown) => unknown {
  if (mergeKey === undefined) return (item) => item;
  return (item) => (isObject(item) && hasOwn(item, mergeKey) ? item[mergeKey] : undefined);
}

/**
 * The merged list in order: the items `order` lists (the patch, or `$setElementOrder`) as it
 * orders them, the others as `server` did, the two interleaved where the server's order places
 * both (a patch item the server did not have comes before the server's remaining items).
 */
function ordered(
  merged: unknown[],
  order: readonly unknown[],
  server: readonly unknown[],
  identity: (item: unknown) => unknown,
): unknown[] {
  const orderIds = order.map(identity);
  const serverIds = server.map(identity);
  const inOrder = (item: unknown) => orderIds.indexOf(identity(item));
  const inServer = (item: unknown) => serverIds.indexOf(identity(item));
  const byIndex = (index: (item: unknown) => number) => (a: unknown, b: unknown) => index(a) - index(b);
  const patchItems = merged.filter((item) => inOrder(item) >= 0).sort(byIndex(inOrder));
  const serverOnly = merged.filter((item) => inOrder(item) < 0).sort(byIndex(inServer));
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patchItems.length) {
    if (j >= patchItems.length) out.push(serverOnly[i++]);
    else if (i >= serverOnly.length) out.push(patchItems[j++]);
    else {
      const left = inServer(serverOnly[i]);
      const right = inServer(patchItems[j]);
      if (left >= 0 && right >= 0 && left < right) out.push(serverOnly[i++]);
      else out.push(patchItems[j++]);
    }
  }
  return out;
}

/** The patch's items (directives aside) must appear in `$setElementOrder` in the same order. */
function checkOrder(
  given: readonly unknown[],
  order: readonly unknown[],
  identity: (item: unknown) => unknown,
  directiveKey: string,
): void {
  let at = 0;
  for (const item of given) {
    if (isObject(item) && hasOwn(item, directive)) continue;
    const id = identity(item);
    while (at < order.length && identity(order[at]) !== id) at++;
    if (at === order.length)
      throw new PatchError(`the order in the patch list doesn't match the ${directiveKey} list`, 500);
    at++;
  }
}
