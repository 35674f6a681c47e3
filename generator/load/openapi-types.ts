/**
 * The OpenAPI shapes the loaders produce and the normalize stage reads, in a file of their own so
 * that the v3 loader and the v2 converter both depend on it and not on each other.
 */

/** The parts of an OpenAPI v3 schema object that Kubernetes uses. */
export interface SchemaObject {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  nullable?: boolean;
  required?: string[];
  properties?: Record<string, SchemaObject>;
  additionalProperties?: SchemaObject | boolean;
  items?: SchemaObject;
  allOf?: SchemaObject[];
  oneOf?: SchemaObject[];
  anyOf?: SchemaObject[];
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  "x-kubernetes-group-version-kind"?: { group: string; version: string; kind: string }[];
  [key: string]: unknown;
}

/** An OpenAPI operation, with the Kubernetes extensions that give verbs and kinds. */
export interface OperationObject {
  description?: string;
  operationId?: string;
  "x-kubernetes-action"?: string;
  "x-kubernetes-group-version-kind"?: { group: string; version: string; kind: string };
  responses?: Record<string, { content?: Record<string, { schema?: SchemaObject }> }>;
  requestBody?: { content?: Record<string, { schema?: SchemaObject }> };
}

/** An OpenAPI path item: its operations by method. */
export type PathItem = Partial<Record<"get" | "put" | "post" | "patch" | "delete", OperationObject>> & {
  parameters?: unknown[];
};

/** One OpenAPI v3 document (`/openapi/v3/apis/apps/v1`): paths and component schemas. */
export interface OpenApiDocument {
  openapi?: string;
  paths?: Record<string, PathItem>;
  components?: { schemas?: Record<string, SchemaObject> };
}

/** A document and where it came from (for error messages). */
export interface LoadedDocument {
  source: string;
  document: OpenApiDocument;
}
