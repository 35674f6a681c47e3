/**
 * The generator's intermediate model: API groups, versions, resources and types, as plain JSON
 * data (no classes, no Maps) so each stage can be tested and snapshotted alone. Both front ends
 * (OpenAPI documents, CRDs) produce it; the emitters read only it.
 */

/** A reference to a named type: the module that declares it and its name there. */
export interface TypeRef {
  module: string;
  name: string;
}

/**
 * The type of a value, as the emitters need it: scalars, Kubernetes' special cases
 * (int-or-string, embedded resources, open objects), containers, and references to named types.
 */
export type Shape =
  | { kind: "string" }
  | { kind: "number" }
  | { kind: "boolean" }
  | { kind: "unknown" }
  | { kind: "intOrString" }
  | { kind: "literals"; values: (string | number | boolean)[] }
  /**
   * `listMapKeys`: an `x-kubernetes-list-type: map` list, keyed by these item properties;
   * `listType: "set"`: an `x-kubernetes-list-type: set` list (any other list is atomic to
   * server-side apply, the apiserver's default).
   */
  | { kind: "array"; items: Shape; listMapKeys?: string[]; listType?: "set" }
  /** `mapType: "atomic"`: `x-kubernetes-map-type: atomic`, a map server-side apply owns whole. */
  | { kind: "map"; values: Shape; mapType?: "atomic" }
  | {
      kind: "object";
      properties: Property[];
      /** `x-kubernetes-preserve-unknown-fields` */
      open: boolean;
      /** `x-kubernetes-map-type: atomic` (or `x-kubernetes-structure-type`): owned whole by server-side apply. */
      mapType?: "atomic";
    }
  /** `x-kubernetes-embedded-resource`: an object with at least `apiVersion`, `kind` and `metadata`. */
  | { kind: "embeddedResource"; properties: Property[]; open: boolean }
  | { kind: "ref"; ref: TypeRef }
  | { kind: "nullable"; inner: Shape }
  /** `oneOf`/`anyOf` alternatives (Quantity is `string | number`). */
  | { kind: "union"; options: Shape[] };

/** What JSDoc says of a type or property, from the schema. */
export interface Docs {
  description?: string;
  /** JSON text of the schema default. */
  default?: string;
  deprecated?: string;
}

/** One property of an object shape. */
export interface Property extends Docs {
  name: string;
  required: boolean;
  shape: Shape;
  /**
   * `x-kubernetes-patch-strategy`, as the schema writes it (`merge`, `replace`, `retainKeys`,
   * `merge,retainKeys`): how a strategic merge patch treats the property. Built-in types only.
   */
  patchStrategy?: string;
  /** `x-kubernetes-patch-merge-key`: the item property a strategic merge patch matches list items by. */
  patchMergeKey?: string;
}

/** A named type of a module: an interface for object shapes, a type alias otherwise. */
export interface TypeDef extends Docs {
  name: string;
  /** Where the schema came from: an OpenAPI schema id, or CRD file + version + JSON path. */
  origin: string;
  shape: Shape;
  /** Set on top-level kinds: `apiVersion` and `kind` become these literals. */
  typeMeta?: { apiVersion: string; kind: string };
  /** A top-level kind that gets a constructor helper (not lists). */
  constructorHelper?: boolean;
}

/** The API verbs, as `x-kubernetes-action` and discovery name them (`post` is `create`...). */
export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

/** One resource of a group-version: what its `defineResource` descriptor says. */
export interface Resource {
  /** Accessor name on the group client: lowerCamel plural (`replicaSets`). */
  accessor: string;
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  verbs: Verb[];
  subresources: string[];
  shortNames: string[];
  categories: string[];
  /** Field selector names served besides `metadata.name`/`metadata.namespace` (a CRD's `selectableFields`). */
  selectableFields?: string[];
  objectType: TypeRef;
  listType: TypeRef;
  /** Accepts strategic merge patches (built-in kinds; the apiserver refuses them for custom resources). */
  strategicMergePatch?: boolean;
  /** CRDs: the version the apiserver stores. */
  storageVersion?: boolean;
}

/** One emitted module: a group-version (`apps/v1`) or a shared package (`meta/v1`). */
export interface Module {
  /** Module path without extension: `apps/v1`, `core/v1`, `meta/v1`. */
  path: string;
  /** Set when the module serves an API group-version. */
  groupVersion?: { group: string; version: string; clientName: string };
  stability: "stable" | "beta" | "alpha";
  /** Human-readable origin for the header. */
  source: string;
  types: TypeDef[];
  resources: Resource[];
}

/** The whole model, modules sorted by path. */
export interface ApiModel {
  modules: Module[];
}
