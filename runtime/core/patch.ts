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
