/**
 * The two schema-free patch types, applied as the apiserver applies them: RFC 7386 JSON Merge Patch
 * and RFC 6902 JSON Patch. Pure functions on JSON values; a bad patch throws a
 * {@link PatchError} whose message the fake apiserver answers with.
 */

import { isJsonObject, jsonEqual } from "../core/json.js";
import { getOwn, hasOwn, setOwn } from "../core/own.js";
import type { JsonPatchOperation } from "../core/patch.js";

/**
 * A patch that cannot be applied; `code` is the HTTP status the apiserver answers: 400 or 422, or
 * 500 for the strategic merge errors it does not classify (a list item without its merge key).
 */
export class PatchError extends Error {
  override readonly name = "PatchError";
  constructor(
    message: string,
    readonly code: 400 | 422 | 500 = 422,
  ) {
    super(message);
  }
}

/** RFC 7386: objects merge key by key, `null` deletes a key, anything else (lists too) replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isJsonObject(target) ? { ...target } : {};
  for (const key of Object.keys(patch)) {
    const value = getOwn(patch, key);
    if (value === null) delete out[key];
    else setOwn(out, key, applyMergePatch(hasOwn(out, key) ? out[key] : undefined, value));
  }
  return out;
}

/** `/a/b~1c` → `["a", "b/c"]`. */
function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new PatchError(`invalid JSON pointer ${JSON.stringify(path)}`, 400);
  return path
    .slice(1)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function parentOf(doc: unknown, tokens: string[], path: string): { parent: unknown; last: string } {
  let node = doc;
  for (const token of tokens.slice(0, -1)) {
    node = Array.isArray(node)
      ? node[index(node, token, path, false)]
      : isJsonObject(node)
        ? getOwn(node, token)
        : undefined;
    if (node === undefined) throw new PatchError(`doc is missing path: "${path}"`);
  }
  return { parent: node, last: tokens[tokens.length - 1] as string };
}

function index(list: unknown[], token: string, path: string, forAdd: boolean): number {
  if (forAdd && token === "-") return list.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token))
    throw new PatchError(`invalid index ${JSON.stringify(token)} in "${path}"`);
  const i = Number(token);
  if (i > list.length || (!forAdd && i === list.length))
    throw new PatchError(`unable to access invalid index: ${i}`);
  return i;
}

function read(doc: unknown, path: string): unknown {
  let node = doc;
  for (const token of pointer(path)) {
    node = Array.isArray(node)
      ? node[index(node, token, path, false)]
      : isJsonObject(node)
        ? getOwn(node, token)
        : undefined;
    if (node === undefined) throw new PatchError(`doc is missing path: "${path}"`);
  }
  return node;
}

function add(doc: unknown, path: string, value: unknown): unknown {
  const tokens = pointer(path);
  if (tokens.length === 0) return value;
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(index(parent, last, path, true), 0, value);
  else if (isJsonObject(parent)) setOwn(parent, last, value);
  else throw new PatchError(`doc is missing path: "${path}"`);
  return doc;
}

function remove(doc: unknown, path: string): unknown {
  const tokens = pointer(path);
  if (tokens.length === 0) throw new PatchError("cannot remove the whole document");
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(index(parent, last, path, false), 1);
  else if (isJsonObject(parent) && hasOwn(parent, last)) delete parent[last];
  else throw new PatchError(`Unable to remove nonexistent key: ${last}: missing value`);
  return doc;
}

/** RFC 6902: the operations in order, on a copy; any failure leaves `target` as it was. */
export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new PatchError("a JSON patch must be a list of operations", 400);
  let doc = structuredClone(target);
  for (const raw of operations as JsonPatchOperation[]) {
    if (!isJsonObject(raw) || typeof raw.path !== "string")
      throw new PatchError("a JSON patch operation needs an op and a path", 400);
    switch (raw.op) {
      case "add":
        doc = add(doc, raw.path, structuredClone(raw.value));
        break;
      case "remove":
        doc = remove(doc, raw.path);
        break;
      case "replace":
        read(doc, raw.path);
        doc = add(remove(doc, raw.path), raw.path, structuredClone(raw.value));
        break;
      case "move": {
        const value = read(doc, raw.from);
        doc = add(remove(doc, raw.from), raw.path, value);
        break;
      }
      case "copy":
        doc = add(doc, raw.path, structuredClone(read(doc, raw.from)));
        break;
      case "test":
        if (!jsonEqual(read(doc, raw.path), raw.value))
          throw new PatchError(`testing value ${raw.path} failed`);
        break;
      default:
        throw new PatchError(`Unexpected kind: ${String((raw as { op?: unknown }).op)}`, 400);
    }
  }
  return doc;
}
