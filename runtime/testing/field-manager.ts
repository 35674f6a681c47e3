/**
 * Field ownership for the fake apiserver, as the apiserver's field manager keeps it in
 * `metadata.managedFields`: server-side apply (merge an applied configuration into the live object,
 * remove what the manager applied before and no longer applies, refuse changes to fields other
 * managers own unless forced) and the `Update` entries that creates, updates and patches record.
 *
 * Field sets are FieldsV1 trees, the form `managedFields` stores and `extract` reads: `f:<name>` a
 * field, `k:<json>` a list item by its keys, `v:<json>` a set value, `.` the node itself; `{}` owns
 * the whole value. List and map semantics come from the generated patch metadata: a list with keys
 * (`x-kubernetes-list-type: map`, or a strategic merge key) is a map of items, a set list (or a
 * merged list of scalars) is a set, any other list is atomic (the apiserver's default); maps and
 * structs are granular unless `atomic`.
 */

import type { ManagedFieldsEntry } from "../core/extract.js";
import { jsonEqual } from "../core/json.js";
import type { KubeObject } from "../core/object.js";
import { getOwn, hasOwn, setOwn } from "../core/own.js";
import type { PatchMeta, PatchMetaField, PatchMetaType } from "../core/patch-meta.js";

/** A FieldsV1 tree. */
export type FieldSet = { [key: string]: FieldSet };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** What is known of a value: the fields of a struct, or the field metadata every map value shares. */
type Node = { fields: PatchMetaType } | { values: PatchMetaField } | undefined;

/** How a list merges under server-side apply. */
type ListKind = { kind: "atomic" } | { kind: "set" } | { kind: "map"; keys: readonly string[] };

/** One conflict: the other manager (as the apiserver prints it) and the path (`.spec.replicas`). */
export interface FieldConflict {
  manager: string;
  path: string;
}

/** Fields the apiserver never tracks: type meta and the metadata the server owns. */
const untrackedMetadata = new Set([
  "name",
  "namespace",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
]);

const nowRfc3339 = () => `${new Date().toISOString().slice(0, 19)}Z`;

const isEmpty = (set: FieldSet) => Object.keys(set).length === 0;

/** A list item's key: its key fields as a JSON object, sorted, as the apiserver writes them. */
function itemKey(item: unknown, keys: readonly string[]): string {
  if (!isObject(item)) throw new TypeError(`a list with keys ${keys.join(", ")} holds a non-object item`);
  const out: Json = {};
  for (const k of [...keys].sort()) {
    if (!hasOwn(item, k))
      throw new TypeError(`associative list with keys has an element that omits key field "${k}"`);
    out[k] = item[k];
  }
  return `k:${JSON.stringify(out)}`;
}

/** The schema walk: field metadata by name, and how lists merge. */
class Schema {
  constructor(readonly meta: PatchMeta) {}

  field(node: Node, name: string): PatchMetaField | undefined {
    if (!node) return undefined;
    if ("values" in node) return node.values;
    const field = getOwn(node.fields, name);
    return isObject(field) ? (field as PatchMetaField) : undefined;
  }

  child(field: PatchMetaField | undefined): Node {
    if (!field?.type) return undefined;
    if (field.map) return { values: { type: field.type } };
    const type = getOwn(this.meta.types, field.type);
    return isObject(type) ? { fields: type as PatchMetaType } : undefined;
  }

  list(field: PatchMetaField | undefined): ListKind {
    if (field?.keys?.length) return { kind: "map", keys: field.keys };
    if (field?.list === "set") return { kind: "set" };
    const merges = field?.strategy?.split(",").includes("merge") ?? false;
    // Built-in schemas pair `listType=map` with a strategic merge key, `listType=set` with a merge
    // of scalars.
    if (merges && field?.key) return { kind: "map", keys: [field.key] };
    return merges ? { kind: "set" } : { kind: "atomic" };
  }

  /**
   * The fields a value sets, as the apiserver's apply counts them: every leaf, and each item of a
   * keyed list itself (`.`). With `members`, each map, struct and list too (what an `Update`
   * records for what it adds).
   */
  objectFields(value: unknown, node: Node, members: boolean): FieldSet {
    if (!isObject(value)) return {};
    const out: FieldSet = {};
    for (const [name, v] of Object.entries(value))
      if (v !== null && v !== undefined)
        out[`f:${name}`] = this.valueFields(v, this.field(node, name), members);
    return out;
  }

  /** The fields of a list: a set's values, a keyed list's items; none of an atomic list (a leaf). */
  listFields(value: unknown[], field: PatchMetaField | undefined, members: boolean): FieldSet {
    const list = this.list(field);
    const out: FieldSet = {};
    if (list.kind === "atomic") return out;
    for (const item of value) {
      if (list.kind === "set") out[`v:${JSON.stringify(item)}`] = {};
      else
        out[itemKey(item, list.keys)] = { ".": {}, ...this.objectFields(item, this.child(field), members) };
    }
    return out;
  }

  /** The set of one field's value: `{}` for a scalar or atomic value, else its children. */
  valueFields(value: unknown, field: PatchMetaField | undefined, members: boolean): FieldSet {
    if (field?.atomic) return {};
    if (Array.isArray(value)) {
      const items = this.listFields(value, field, members);
      return members && !isEmpty(items) ? { ".": {}, ...items } : items;
    }
    if (!isObject(value)) return {};
    const sub = this.objectFields(value, this.child(field), members);
    return members && !isEmpty(sub) ? { ".": {}, ...sub } : sub;
  }

  /** What an update changes from `before` to `after`: added fields whole, changed ones by their leaves. */
  changed(before: unknown, after: unknown, field: PatchMetaField | undefined, node: Node): FieldSet {
    const out: FieldSet = {};
    if (Array.isArray(after)) {
      const list = this.list(field);
      if (list.kind === "atomic" || !Array.isArray(before)) return out;
      if (list.kind === "set") {
        for (const v of after) if (!before.some((b) => jsonEqual(b, v))) out[`v:${JSON.stringify(v)}`] = {};
        return out;
      }
      const items = this.child(field);
      const old = new Map(before.filter(isObject).map((i) => [itemKey(i, list.keys), i]));
      for (const item of after) {
        const key = itemKey(item, list.keys);
        const was = old.get(key);
        if (was === undefined) out[key] = { ".": {}, ...this.objectFields(item, items, true) };
        else if (!jsonEqual(was, item)) {
          const sub = this.changed(was, item, undefined, items);
          if (!isEmpty(sub)) out[key] = sub;
        }
      }
      return out;
    }
    if (!isObject(after) || !isObject(before)) return out;
    for (const [name, v] of Object.entries(after)) {
      if (v === null || v === undefined) continue;
      const f = this.field(node, name);
      const was = getOwn(before, name);
      if (was === undefined || was === null) out[`f:${name}`] = this.valueFields(v, f, true);
      else if (jsonEqual(was, v)) continue;
      else if (f?.atomic) out[`f:${name}`] = {};
      else if (
        (isObject(v) && isObject(was)) ||
        (Array.isArray(v) && Array.isArray(was) && this.list(f).kind !== "atomic")
      ) {
        // Only removals inside leave nothing changed here: they are `removed`'s.
        const sub = this.changed(was, v, f, Array.isArray(v) ? node : this.child(f));
        if (!isEmpty(sub)) out[`f:${name}`] = sub;
      } else out[`f:${name}`] = {};
    }
    return out;
  }

  /** Paths (`k`eys in the tree) of fields `before` has and `after` lacks, whole. */
  removed(before: unknown, after: unknown, field: PatchMetaField | undefined, node: Node): FieldSet {
    const out: FieldSet = {};
    if (Array.isArray(before) && Array.isArray(after)) {
      const list = this.list(field);
      if (list.kind === "set")
        for (const v of before) if (!after.some((a) => jsonEqual(a, v))) out[`v:${JSON.stringify(v)}`] = {};
      if (list.kind !== "map") return out;
      const items = this.child(field);
      const now = new Map(after.filter(isObject).map((i) => [itemKey(i, list.keys), i]));
      for (const item of before.filter(isObject)) {
        const key = itemKey(item, list.keys);
        const next = now.get(key);
        if (next === undefined) out[key] = {};
        else {
          const sub = this.removed(item, next, undefined, items);
          if (!isEmpty(sub)) out[key] = sub;
        }
      }
      return out;
    }
    if (!isObject(before)) return out;
    for (const [name, v] of Object.entries(before)) {
      const next = isObject(after) ? getOwn(after, name) : undefined;
      const f = this.field(node, name);
      if (next === undefined || next === null) out[`f:${name}`] = {};
      else if (!f?.atomic && (Array.isArray(v) || isObject(v))) {
        const sub = this.removed(v, next, f, Array.isArray(v) ? node : this.child(f));
        if (!isEmpty(sub)) out[`f:${name}`] = sub;
      }
    }
    return out;
  }

  /** `config` merged into `live`: granular maps by key, keyed lists by item, sets by value. */
  merge(live: unknown, config: unknown, field: PatchMetaField | undefined, node: Node): unknown {
    if (Array.isArray(config)) {
      const list = this.list(field);
      if (list.kind === "atomic" || !Array.isArray(live)) return structuredClone(config);
      if (list.kind === "set") {
        const out = structuredClone(live);
        for (const v of config) if (!out.some((o) => jsonEqual(o, v))) out.push(structuredClone(v));
        return out;
      }
      // Live items keep their places; new ones follow, in the configuration's order.
      const items = this.child(field);
      const out = structuredClone(live) as unknown[];
      const index = new Map(out.map((item, i) => [itemKey(item, list.keys), i]));
      for (const item of config) {
        const at = index.get(itemKey(item, list.keys));
        if (at === undefined) out.push(structuredClone(item));
        else out[at] = this.merge(out[at], item, undefined, items);
      }
      return out;
    }
    if (!isObject(config) || !isObject(live)) return structuredClone(config);
    const out = structuredClone(live);
    for (const [name, v] of Object.entries(config)) {
      if (v === null || v === undefined) continue;
      const f = this.field(node, name);
      if (f?.atomic) {
        setOwn(out, name, structuredClone(v));
        continue;
      }
      setOwn(out, name, this.merge(getOwn(live, name), v, f, Array.isArray(v) ? node : this.child(f)));
    }
    return out;
  }
}

/** `a` ∪ `b`. */
export function union(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = structuredClone(a);
  for (const [k, v] of Object.entries(b)) out[k] = hasOwn(out, k) ? union(out[k]!, v) : structuredClone(v);
  return out;
}

/**
 * `a` without the paths `b` names: a leaf of `b` (`{}`, or a `.`) takes the member away, and
 * everything under it when `whole` (a removed field takes its children with it).
 */
export function subtract(a: FieldSet, b: FieldSet, whole: boolean): FieldSet {
  const out: FieldSet = {};
  for (const [k, v] of Object.entries(a)) {
    if (!hasOwn(b, k)) {
      out[k] = v;
      continue;
    }
    const other = b[k]!;
    if (isEmpty(other)) {
      if (whole || k === ".") continue;
      // The member goes, its children stay.
      const { ".": _, ...children } = v;
      if (!isEmpty(children)) out[k] = children;
      continue;
    }
    if (isEmpty(v)) {
      // A member of `a` that `b` only reaches into stays.
      out[k] = v;
      continue;
    }
    const rest = subtract(v, other, whole);
    if (!isEmpty(rest)) out[k] = rest;
  }
  return out;
}

/** The leaves of a set (the paths it names), each as its list of keys. */
function leaves(set: FieldSet, members = true, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [k, v] of Object.entries(set)) {
    if (k === ".") {
      if (members) out.push(prefix);
    } else if (isEmpty(v)) out.push([...prefix, k]);
    else out.push(...leaves(v, members, [...prefix, k]));
  }
  return out;
}

/** Whether a set names `path`, or something under it. */
function reaches(set: FieldSet, path: string[]): boolean {
  let node: FieldSet | undefined = set;
  for (const k of path) {
    node = node && hasOwn(node, k) ? node[k] : undefined;
    if (!node) return false;
    // An atomic leaf owns everything under it.
    if (isEmpty(node)) return true;
  }
  return true;
}

/** Whether a set names exactly `path` (a leaf, or a node with `.`). */
function names(set: FieldSet, path: string[]): boolean {
  let node: FieldSet | undefined = set;
  for (const k of path) {
    node = node && hasOwn(node, k) ? node[k] : undefined;
    if (!node) return false;
  }
  return isEmpty(node) || hasOwn(node, ".");
}

/** The value at a path of FieldsV1 keys; `undefined` when absent. */
function valueAt(value: unknown, path: string[]): unknown {
  let v = value;
  for (const k of path) {
    if (k.startsWith("f:")) v = isObject(v) ? getOwn(v, k.slice(2)) : undefined;
    else if (k.startsWith("k:")) {
      const keys = JSON.parse(k.slice(2)) as Json;
      v = Array.isArray(v)
        ? v.find((i) => isObject(i) && Object.keys(keys).every((n) => jsonEqual(getOwn(i, n), keys[n])))
        : undefined;
    } else if (k.startsWith("v:")) {
      const wanted = JSON.parse(k.slice(2));
      v = Array.isArray(v) && v.some((i) => jsonEqual(i, wanted)) ? wanted : undefined;
    } else return undefined;
    if (v === undefined) return undefined;
  }
  return v;
}

/** `value` without the path: a field deleted, a list item or set value filtered out. */
function removeAt(value: unknown, path: string[]): void {
  if (path.length === 0) return;
  const parent = valueAt(value, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (last.startsWith("f:") && isObject(parent)) delete parent[last.slice(2)];
  else if (Array.isArray(parent)) {
    const gone = valueAt(parent, [last]);
    // A set value is a parsed copy; a keyed item is the list's own.
    const at = last.startsWith("v:") ? parent.findIndex((i) => jsonEqual(i, gone)) : parent.indexOf(gone);
    if (at >= 0) parent.splice(at, 1);
  }
}

/** `.spec.replicas`, `.spec.containers[name="c"].image`, as the apiserver prints a path. */
export function printPath(path: string[]): string {
  let out = "";
  for (const k of path) {
    if (k.startsWith("f:")) out += `.${k.slice(2)}`;
    else if (k.startsWith("k:")) {
      const keys = JSON.parse(k.slice(2)) as Json;
      out += `[${Object.entries(keys)
        .map(([n, v]) => `${n}=${JSON.stringify(v)}`)
        .join(",")}]`;
    } else if (k.startsWith("v:")) out += `[=${k.slice(2)}]`;
  }
  return out;
}

/** The part of an object the apiserver tracks: no type meta, no server-owned metadata. */
function tracked(obj: unknown, part: "main" | "status" | "all"): Json {
  if (!isObject(obj)) return {};
  if (part === "status") return hasOwn(obj, "status") ? { status: obj.status } : {};
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  if (part === "main") delete rest.status;
  const metadata: Json = {};
  for (const [k, v] of Object.entries(isObject(rest.metadata) ? rest.metadata : {}))
    if (!untrackedMetadata.has(k)) metadata[k] = v;
  if (isEmpty(metadata as FieldSet)) delete rest.metadata;
  else rest.metadata = metadata;
  return rest;
}

/** How the apiserver names a manager in a conflict: an `Update` entry with its apiVersion. */
function printManager(entry: ManagedFieldsEntry): string {
  let out = JSON.stringify(entry.manager ?? "");
  if (entry.subresource) out += ` with subresource ${JSON.stringify(entry.subresource)}`;
  if (entry.operation === "Update") out += ` using ${entry.apiVersion}`;
  return out;
}

/** The apiserver's conflict message: one, or grouped by manager. */
export function conflictMessage(conflicts: readonly FieldConflict[]): string {
  const n = conflicts.length;
  const head = `Apply failed with ${n} conflict${n === 1 ? "" : "s"}: `;
  if (n === 1) return `${head}conflict with ${conflicts[0]!.manager}: ${conflicts[0]!.path}`;
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.path]);
  const lines: string[] = [];
  for (const manager of [...byManager.keys()].sort())
    lines.push(`conflicts with ${manager}:`, ...byManager.get(manager)!.map((p) => `- ${p}`));
  return head + lines.join("\n");
}

/** Thrown when an apply conflicts with other managers' fields. */
export class ApplyConflict extends Error {
  constructor(readonly conflicts: FieldConflict[]) {
    super(conflictMessage(conflicts));
  }
}

/** Where a write goes: the main resource or the status subresource. */
export type Part = "main" | "status";

/** The field manager of one kind: `root` is the kind's type in the patch metadata. */
export class FieldManager {
  readonly #schema: Schema;
  readonly #root: Node;

  constructor(meta: PatchMeta, root: PatchMetaType | undefined) {
    this.#schema = new Schema(meta);
    this.#root = { fields: root ?? {} };
  }

  /**
   * The `managedFields` after a create, update or patch by `manager` (of the main resource, or of
   * the `status` or `scale` subresource): its `Update` entry gains what the write added or
   * changed, and the other managers lose that (a write takes what it changes, no conflicts) and
   * what the write removed.
   */
  recordUpdate(
    previous: KubeObject | undefined,
    next: KubeObject,
    manager: string,
    part: Part | "scale",
    apiVersion: string,
  ): ManagedFieldsEntry[] {
    const scope = part === "status" ? "status" : "all";
    // Metadata is always there: what it holds is new, not the map itself.
    const before = tracked(previous ?? {}, scope);
    const after = tracked(next, scope);
    if (scope !== "status") {
      before.metadata ??= {};
      after.metadata ??= {};
    }
    const changed = this.#schema.changed(before, after, undefined, this.#root);
    const removed = previous ? this.#schema.removed(before, after, undefined, this.#root) : {};
    const subresource = part === "main" ? undefined : part;
    const mine = (e: ManagedFieldsEntry) =>
      e.manager === manager && e.operation === "Update" && (e.subresource ?? "") === (subresource ?? "");
    let entries = entriesOf(next);
    if (!isEmpty(removed))
      entries = entries.map((e) => ({ ...e, fieldsV1: subtract(ownedBy(e), removed, true) }));
    if (!isEmpty(changed)) {
      entries = entries.map((e) => (mine(e) ? e : { ...e, fieldsV1: subtract(ownedBy(e), changed, false) }));
      const own = entries.find(mine);
      const entry: ManagedFieldsEntry = {
        manager,
        operation: "Update",
        apiVersion,
        time: nowRfc3339(),
        fieldsType: "FieldsV1",
        fieldsV1: union(ownedBy(own), changed),
        ...(subresource ? { subresource } : {}),
      };
      entries = own ? entries.map((e) => (e === own ? entry : e)) : [...entries, entry];
    }
    return sorted(entries.filter((e) => !isEmpty(ownedBy(e))));
  }

  /**
   * Server-side apply of `config` by `manager` to `live` (undefined: the object is created): the
   * merged object with its new `managedFields`. Fields other managers own with other values are
   * conflicts, thrown as {@link ApplyConflict} unless `force` takes them over.
   */
  apply(
    live: KubeObject | undefined,
    config: KubeObject,
    options: { manager: string; force: boolean; part: Part; apiVersion: string; statusSubresource: boolean },
  ): KubeObject {
    const { manager, force, part } = options;
    const subresource = part === "status" ? "status" : undefined;
    const scope = part === "status" ? "status" : options.statusSubresource ? "main" : "all";
    const applied = tracked(config, scope);
    const set = this.#schema.objectFields(applied, this.#root, false);
    const entries = live ? entriesOf(live) : [];
    const isMine = (e: ManagedFieldsEntry) =>
      e.manager === manager && e.operation === "Apply" && (e.subresource ?? "") === (subresource ?? "");
    const previous = entries.find(isMine);
    const base = tracked(live ?? {}, scope);

    // Conflicts: a field the configuration sets to a value other than the live one, owned by
    // another manager.
    const conflicts: FieldConflict[] = [];
    const taken = new Map<ManagedFieldsEntry, FieldSet>();
    // A list item itself (`.`) is no conflict: its fields are.
    for (const path of leaves(set, false)) {
      const current = valueAt(base, path);
      if (current !== undefined && jsonEqual(current, valueAt(applied, path))) continue;
      for (const e of entries) {
        if (isMine(e) || !names(ownedBy(e), path)) continue;
        conflicts.push({ manager: printManager(e), path: printPath(path) });
        taken.set(e, union(taken.get(e) ?? {}, pathSet(path)));
      }
    }
    if (conflicts.length && !force)
      throw new ApplyConflict(conflicts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)));

    // The merge, then what this manager applied before and no longer applies goes, unless
    // another manager still owns it.
    const merged = this.#schema.merge(base, applied, undefined, this.#root) as Json;
    const others = entries.filter((e) => !isMine(e));
    const remaining = (e: ManagedFieldsEntry) =>
      taken.has(e) ? subtract(ownedBy(e), taken.get(e)!, false) : ownedBy(e);
    const owned = others.reduce<FieldSet>((all, e) => union(all, remaining(e)), {});
    const dropped = subtract(ownedBy(previous), set, false);
    // Shallowest first: a list item goes whole (its key fields with it), and what lay under a
    // removed path no longer resolves.
    for (const path of leaves(dropped).sort((a, b) => a.length - b.length))
      if (!reaches(owned, path)) {
        removeAt(merged, path);
        pruneEmpty(merged, path.slice(0, -1));
      }

    const next = structuredClone(live ?? config) as Json;
    if (scope === "status") {
      if (hasOwn(merged, "status")) next.status = merged.status;
    } else {
      for (const k of Object.keys(next))
        if (k !== "apiVersion" && k !== "kind" && k !== "metadata" && k !== "status") delete next[k];
      // A create keeps no status where the status subresource owns it, as the apiserver resets it.
      if (scope === "all" || !live) delete next.status;
      const meta = isObject(next.metadata) ? next.metadata : {};
      for (const k of Object.keys(meta)) if (!untrackedMetadata.has(k)) delete meta[k];
      for (const [k, v] of Object.entries(merged))
        if (k === "metadata") Object.assign(meta, v);
        else next[k] = v;
      next.metadata = meta;
    }

    // The managers: forced fields leave their owners; this manager's entry is the applied set,
    // its time kept when the set is unchanged (so a no-op apply changes nothing).
    const now: ManagedFieldsEntry[] = [];
    for (const e of others) {
      const rest = remaining(e);
      if (!isEmpty(rest)) now.push({ ...e, fieldsV1: rest });
    }
    if (!isEmpty(set)) {
      const same = previous && jsonEqual(previous.fieldsV1, set);
      now.push({
        manager,
        operation: "Apply",
        apiVersion: options.apiVersion,
        time: same ? previous.time : nowRfc3339(),
        fieldsType: "FieldsV1",
        fieldsV1: set,
        ...(subresource ? { subresource } : {}),
      });
    }
    (next.metadata as Json).managedFields = sorted(now);
    if (now.length === 0) delete (next.metadata as Json).managedFields;
    return next as KubeObject;
  }
}

/** The apiserver's order of entries: operation, time (to the second), manager, apiVersion, subresource. */
function sorted(entries: ManagedFieldsEntry[]): ManagedFieldsEntry[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return entries.sort(
    (p, q) =>
      cmp(p.operation ?? "", q.operation ?? "") ||
      cmp(p.time ?? "", q.time ?? "") ||
      cmp(p.manager ?? "", q.manager ?? "") ||
      cmp(p.apiVersion ?? "", q.apiVersion ?? "") ||
      cmp(p.subresource ?? "", q.subresource ?? ""),
  );
}

/** A set naming one path. */
function pathSet(path: string[]): FieldSet {
  let set: FieldSet = {};
  for (const k of [...path].reverse()) set = { [k]: set };
  return set;
}

/** Maps emptied by a removal go too, as the apiserver omits empty maps. */
function pruneEmpty(value: unknown, path: string[]): void {
  for (let end = path.length; end > 0; end--) {
    const at = path.slice(0, end);
    if (!at[at.length - 1]!.startsWith("f:")) return;
    const v = valueAt(value, at);
    if (!isObject(v) || Object.keys(v).length > 0) return;
    removeAt(value, at);
  }
}

const ownedBy = (e: ManagedFieldsEntry | undefined) => (e?.fieldsV1 ?? {}) as FieldSet;

function entriesOf(obj: KubeObject): ManagedFieldsEntry[] {
  const entries = obj.metadata?.managedFields as ManagedFieldsEntry[] | undefined;
  return Array.isArray(entries) ? structuredClone(entries) : [];
}

/** The manager the apiserver defaults `fieldManager` to: the User-Agent up to its first `/`. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  return (userAgent ?? "").split("/")[0]!.slice(0, 128);
}
