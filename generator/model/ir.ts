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

export type Shape =
  | { kind: "string" }
  | { kind: "number" }
  | { kind: "boolean" }
  | { kind: "unknown" }
  | { kind: "intOrString" }
  | { kind: "literals"; values: (string | number | boolean)[] }
  | { kind: "array"; items: Shape }
  | { kind: "map"; values: Shape }
  | { kind: "object"; properties: Property[] /** `x-kubernetes-preserve-unknown-fields` */; open: boolean }
  | { kind: "embeddedResource"; properties: Property[] }
  | { kind: "ref"; ref: TypeRef }
  | { kind: "nullable"; inner: Shape }
  /** `oneOf`/`anyOf` alternatives (Quantity is `string | number`). */
  | { kind: "union"; options: Shape[] };

export interface Docs {
  description?: string;
  /** JSON text of the schema default. */
  default?: string;
  deprecated?: string;
}

export interface Property extends Docs {
  name: string;
  required: boolean;
  shape: Shape;
}

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

export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

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
  objectType: TypeRef;
  listType: TypeRef;
  /** CRDs: the version the apiserver stores. */
  storageVersion?: boolean;
}

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

export interface ApiModel {
  modules: Module[];
}
