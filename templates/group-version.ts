/**
 * Template of what the generator emits for a kind of a group-version (ARCHITECTURE.md, "The
 * generator, stage by stage"): a real module, type-checked against the runtime with the rest of the
 * repository (`npm run typecheck`), so a runtime change that breaks the emitted shape breaks this
 * file first. The emitter prints these
 * declarations itself (fast, and with no template files to ship); test/generator/templates.test.ts
 * fills in the placeholders and requires every `#region` to appear verbatim in its output, so the
 * two cannot drift apart.
 *
 * Placeholders: `__Kind__`, `__KindList__`, `__apiVersion__` (`group/version`), `__group__`,
 * `__version__`, `__plural__`, `__singular__`, `__accessor__` (lowerCamel plural).
 */
import type { ListMeta, ObjectMeta } from "../generated/kubernetes/meta/v1.js";
import { defineGroupVersion, defineResource } from "../runtime/index.js";

/** Stands for an emitted kind: `apiVersion` and `kind` are optional literals (list items omit them). */
export interface __Kind__ {
  apiVersion?: "__apiVersion__";
  kind?: "__Kind__";
  metadata?: ObjectMeta;
  spec?: { size?: string };
}

/** Stands for an emitted list kind. */
export interface __KindList__ {
  apiVersion?: "__apiVersion__";
  items: __Kind__[];
  kind?: "__KindList__";
  metadata?: ListMeta;
}

// #region constructor
/** A `__Kind__` with `apiVersion` and `kind` filled in. */
export function __Kind__(object: Omit<__Kind__, "apiVersion" | "kind">): __Kind__ {
  return { apiVersion: "__apiVersion__", kind: "__Kind__", ...object };
}
// #endregion

// #region resource
/** The namespaced `__plural__` resource (`__Kind__`). Storage version. */
export const __accessor__ = /*@__PURE__*/ defineResource<__Kind__, __KindList__>()({
  group: "__group__",
  version: "__version__",
  plural: "__plural__",
  singular: "__singular__",
  kind: "__Kind__",
  listKind: "__KindList__",
  namespaced: true,
  verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
  subresources: ["scale", "status"],
});
// #endregion

// #region group-version
/** The resources of `__apiVersion__`: a clientset serves them as one member. */
export const groupVersion = /*@__PURE__*/ defineGroupVersion(
  { group: "__group__", version: "__version__" },
  { __accessor__ },
);
// #endregion
