/**
 * `extract`: the fields one field manager owns in an object, as an apply configuration, read from
 * the object's `managedFields` (FieldsV1), as client-go's generated `Extract<Kind>` functions. It
 * closes the "extract, modify, apply" loop of server-side apply: apply back what you extracted
 * (changed or not) and you claim exactly what you owned before.
 *
 * FieldsV1 is a tree of keys: `f:<name>` a field, `k:<json>` a list item by its keys, `v:<json>` a
 * set value, `i:<n>` a list index, and `.` the node itself. A leaf (`{}`) owns the whole value.
 */

import { isJsonObject, jsonEqual } from "./json.js";
import type { ApplyConfiguration, KubeObject } from "./object.js";
import { getOwn, hasOwn, setOwn } from "./own.js";

/** One `managedFields` entry, with the FieldsV1 tree. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string | null;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

type Tree = Record<string, unknown>;

function parseKey(key: string, prefix: string): unknown {
  try {
    return JSON.parse(key.slice(prefix.length));
  } catch {
    throw new SyntaxError(`extract: managedFields has an unreadable key ${JSON.stringify(key)}`);
  }
}

/** The part of `value` the tree `owned` names; `undefined` when none of it exists. */
function pick(value: unknown, owned: Tree): unknown {
  const children = Object.keys(owned).filter((k) => k !== ".");
  if (children.length === 0) {
    // `{".": {}}` owns only that the map or list exists, none of its content...
    if (hasOwn(owned, "."))
      return Array.isArray(value) ? [] : isJsonObject(value) ? {} : structuredClone(value);
    // ...and a leaf owns the whole value (a scalar, or an atomic struct, map or list).
    return structuredClone(value);
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const key of children) {
      const sub = owned[key] as Tree;
      if (key.startsWith("k:")) {
        const keys = parseKey(key, "k:");
        if (!isJsonObject(keys)) continue;
        const item = value.find(
          (i) => isJsonObject(i) && Object.keys(keys).every((k) => jsonEqual(getOwn(i, k), keys[k])),
        );
        if (item === undefined) continue;
        const picked = pick(item, sub);
        // An item is known by its keys: they always come with it.
        out.push(isJsonObject(picked) ? { ...keys, ...picked } : structuredClone(keys));
      } else if (key.startsWith("v:")) {
        const wanted = parseKey(key, "v:");
        if (value.some((v) => jsonEqual(v, wanted))) out.push(structuredClone(wanted));
      } else if (key.startsWith("i:")) {
        const index = Number(key.slice(2));
        if (Number.isInteger(index) && index >= 0 && index < value.length) out.push(pick(value[index], sub));
      }
    }
    return out;
  }
  if (!isJsonObject(value)) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key of children) {
    if (!key.startsWith("f:")) continue;
    const name = key.slice(2);
    if (!hasOwn(value, name)) continue;
    const picked = pick(value[name], owned[key] as Tree);
    if (picked !== undefined) setOwn(out, name, picked);
  }
  return out;
}

/**
 * The fields `fieldManager` owns in `object` through server-side apply (its `Apply` entry in
 * `managedFields`, for `subresource` — `"status"` for what `applyStatus` set — or the main
 * resource), with `apiVersion`, `kind`, `metadata.name` and `metadata.namespace`, as an apply
 * configuration. With no such entry, only those four.
 *
 * @example
 * const live = await deployments.get("web");
 * const mine = extract(live, "my-controller");
 * mine.spec!.replicas = 3;
 * await deployments.apply(mine, { fieldManager: "my-controller" });
 */
export function extract<T extends KubeObject>(
  object: T,
  fieldManager: string,
  subresource = "",
): ApplyConfiguration<T> {
  const entry = (object.metadata?.managedFields as ManagedFieldsEntry[] | undefined)?.find(
    (m) => m.manager === fieldManager && m.operation === "Apply" && (m.subresource ?? "") === subresource,
  );
  const owned =
    entry?.fieldsV1 && isJsonObject(entry.fieldsV1)
      ? (pick(object, entry.fieldsV1) as Record<string, unknown>)
      : {};
  const metadata = isJsonObject(owned.metadata) ? owned.metadata : {};
  const out: Record<string, unknown> = { apiVersion: object.apiVersion, kind: object.kind, ...owned };
  out.metadata = {
    ...metadata,
    name: object.metadata?.name,
    ...(object.metadata?.namespace ? { namespace: object.metadata.namespace } : {}),
  };
  return out as ApplyConfiguration<T>;
}
