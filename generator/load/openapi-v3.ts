/**
 * OpenAPI v3 documents from files: a folder (searched recursively for `*.json`) or single files.
 * Both the layout of our snapshot (`apis/apps/v1.json`) and upstream's flat names
 * (`apis__apps__v1_openapi.json`) work, since a document's group-version is read from its paths.
 */
import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { filesUnder } from "../files.js";
import { isSwaggerV2, swaggerV2ToV3 } from "./swagger-v2.js";

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

/** Reads every OpenAPI v3 document (or v2 `swagger.json`, converted) under `path`, sorted by file name. */
export async function loadOpenApiFiles(path: string): Promise<LoadedDocument[]> {
  const docs: LoadedDocument[] = [];
  for (const file of await filesUnder(path, /\.json$/)) {
    const text = await readFile(file, "utf8");
    let document: OpenApiDocument;
    try {
      document = JSON.parse(text) as OpenApiDocument;
    } catch (err) {
      throw new Error(`${file}: not valid JSON: ${(err as Error).message}`);
    }
    if (isSwaggerV2(document)) document = swaggerV2ToV3(document);
    if (typeof document !== "object" || document === null || (!document.paths && !document.components)) {
      throw new Error(`${file}: not an OpenAPI document (no paths, no components)`);
    }
    if (document.paths && Object.keys(document.paths).length === 0 && !document.components?.schemas) continue;
    docs.push({ source: relative(process.cwd(), file) || file, document });
  }
  if (docs.length === 0)
    throw Object.assign(new Error(`${path}: no OpenAPI documents found`), { code: "ENODOCS" });
  return docs;
}
