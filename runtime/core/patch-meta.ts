/**
 * Strategic merge patch and server-side apply metadata: which fields of the built-in kinds merge lists by a key, keep
 * only the patch's keys (`retainKeys`) or are replaced whole, as the OpenAPI schemas say with
 * `x-kubernetes-patch-strategy` and `x-kubernetes-patch-merge-key`, and which lists server-side apply
 * merges by keys (`x-kubernetes-list-map-keys`). The generator writes it for a clientset as
 * `patch-meta.ts`; the fake apiserver applies strategic merge patches and tracks field ownership
 * with it.
 */

import { getOwn } from "./own.js";

/** The patch metadata of one field of a type. */
export interface PatchMetaField {
  /** `x-kubernetes-patch-strategy` as the schema writes it: `merge`, `replace`, `retainKeys`, `merge,retainKeys`. */
  readonly strategy?: string;
  /** `x-kubernetes-patch-merge-key`: the item field list items are matched by. */
  readonly key?: string;
  /**
   * `x-kubernetes-list-map-keys` of an `x-kubernetes-list-type: map` list: server-side apply merges
   * its items by these fields (without them or `list`, a list with a `merge` strategy and a merge
   * key is keyed by that key, one of scalars is a set, and any other list is atomic).
   */
  readonly keys?: readonly string[];
  /** `x-kubernetes-list-type: set`: server-side apply merges the list's scalars as a set. */
  readonly list?: "set";
  /** `x-kubernetes-map-type: atomic`: server-side apply owns the map or struct whole. */
  readonly atomic?: true;
  /**
   * The type (an id in {@link PatchMeta.types}) of the field's value, of its items for a list, of
   * its values for a map (`map: true`); set only when that type has fields with metadata.
   */
  readonly type?: string;
  /** The field is a map from names to values of `type`. */
  readonly map?: true;
}

/** The fields of one type that carry patch metadata, or lead to a type that does. */
export type PatchMetaType = { readonly [field: string]: PatchMetaField };

/**
 * The patch metadata of a clientset's kinds: each kind that takes strategic merge patches, or whose
 * type says anything to server-side apply, names its type, and each type lists only the fields a
 * strategic merge treats otherwise than a JSON merge patch would, those server-side apply treats
 * otherwise than by its defaults (granular maps, atomic lists), and the fields leading to them.
 */
export interface PatchMeta {
  /** {@link patchMetaKind}(apiVersion, kind) → the id of the kind's type in `types`. */
  readonly kinds: { readonly [kind: string]: string };
  /** Type id (`core/v1.PodSpec`) → its fields. */
  readonly types: { readonly [type: string]: PatchMetaType };
}

/** The key of a kind in {@link PatchMeta.kinds}: `apps/v1/Deployment`, `v1/Pod`. */
export function patchMetaKind(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

/** No kinds, no types: every strategic merge patch is refused (custom resources). */
export const emptyPatchMeta: PatchMeta = Object.freeze({
  kinds: Object.freeze({}),
  types: Object.freeze({}),
});

/**
 * Declares a clientset's patch metadata (the generated `patch-meta.ts` calls it): the same table,
 * frozen all the way down, so no user of it can change what another one reads.
 */
export function definePatchMeta(meta: PatchMeta): PatchMeta {
  const stack: unknown[] = [meta];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== "object" || value === null || Object.isFrozen(value)) continue;
    Object.freeze(value);
    for (const key of Object.keys(value)) stack.push(getOwn(value, key));
  }
  return meta;
}

/** The type of a kind, by its apiVersion and kind; undefined when it takes no strategic merge patches. */
export function patchMetaOfKind(
  meta: PatchMeta,
  apiVersion: string,
  kind: string,
): PatchMetaType | undefined {
  const type = getOwn(meta.kinds, patchMetaKind(apiVersion, kind));
  if (typeof type !== "string") return undefined;
  return (getOwn(meta.types, type) as PatchMetaType | undefined) ?? {};
}
