/**
 * Patch types and the shapes of their bodies. A typed client checks a patch against the object
 * type: merge patches are deep partials where `null` deletes, JSON patches are lists of
 * operations, and strategic merge patches are offered only where the apiserver accepts them.
 */

/**
 * The four patch types the apiserver accepts, as the Content-Type each is sent with.
 *
 * @see https://kubernetes.io/docs/reference/using-api/api-concepts/#patch-and-apply
 */
export const PatchTypes = {
  /** RFC 6902 JSON Patch: a list of operations. */
  json: "application/json-patch+json",
  /** RFC 7386 JSON Merge Patch: `null` deletes a field, lists are replaced. */
  merge: "application/merge-patch+json",
  /** Kubernetes strategic merge patch: lists merge by key (built-in types only, not CRDs). */
  strategicMerge: "application/strategic-merge-patch+json",
  /** Server-side apply. */
  apply: "application/apply-patch+yaml",
} as const;

/** One of the four patch Content-Types. */
export type PatchType = (typeof PatchTypes)[keyof typeof PatchTypes];

/**
 * An RFC 7386 JSON Merge Patch of `T`: any subset of its fields, recursively, where `null` deletes
 * a field. Lists are replaced whole, so a list is a plain list of (partial) items.
 *
 * @example
 * const patch: MergePatch<ConfigMap> = { data: { added: "1", removed: null } };
 */
export type MergePatch<T> = T extends readonly (infer E)[]
  ? PartialItem<E>[]
  : T extends object
    ? { [K in keyof T]?: MergePatch<T[K]> | null }
    : T;

/** A list item inside a merge patch: taken as a value, so `null` has no special meaning there. */
export type PartialItem<T> = T extends readonly (infer E)[]
  ? PartialItem<E>[]
  : T extends object
    ? { [K in keyof T]?: PartialItem<T[K]> }
    : T;

/**
 * One RFC 6902 JSON Patch operation. `path` and `from` are JSON Pointers (`/metadata/labels/app`;
 * `~1` stands for `/` and `~0` for `~` inside a key).
 *
 * @example
 * const ops: JsonPatchOperation[] = [
 *   { op: "test", path: "/metadata/resourceVersion", value: "42" },
 *   { op: "replace", path: "/spec/replicas", value: 3 },
 * ];
 */
export type JsonPatchOperation =
  | { op: "add"; path: string; value: unknown }
  | { op: "remove"; path: string }
  | { op: "replace"; path: string; value: unknown }
  | { op: "move"; from: string; path: string }
  | { op: "copy"; from: string; path: string }
  | { op: "test"; path: string; value: unknown };

/**
 * The directives of a strategic merge patch, allowed in any object of the patch: `$patch`
 * (`"replace"`, `"merge"`, `"delete"`), `$retainKeys`, `$setElementOrder/<list>` and
 * `$deleteFromPrimitiveList/<list>`.
 */
export interface StrategicMergeDirectives {
  $patch?: "replace" | "merge" | "delete";
  $retainKeys?: string[];
  [setElementOrder: `$setElementOrder/${string}`]: unknown[];
  [deleteFromPrimitiveList: `$deleteFromPrimitiveList/${string}`]: unknown[];
}

/**
 * A Kubernetes strategic merge patch of `T`: a merge patch (`null` deletes) whose lists of objects
 * merge by their key, with the `$` directives. Only built-in resources accept it.
 *
 * @example
 * const patch: StrategicMergePatch<Deployment> = {
 *   spec: { template: { spec: { containers: [{ name: "app", image: "app:2" }] } } },
 * };
 */
export type StrategicMergePatch<T> = T extends readonly (infer E)[]
  ? StrategicMergePatch<E>[]
  : T extends object
    ? { [K in keyof T]?: StrategicMergePatch<T[K]> | null } & StrategicMergeDirectives
    : T;

/** `PatchTypes.strategicMerge` where the resource accepts it, else nothing (so it does not compile). */
export type StrategicMergeType<SMP extends boolean> = true extends SMP
  ? typeof PatchTypes.strategicMerge
  : never;
