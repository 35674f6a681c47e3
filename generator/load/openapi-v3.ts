/**
 * OpenAPI v3 documents from files: a folder (searched recursively for `*.json`) or single files.
 * Both the layout of our snapshot (`apis/apps/v1.json`) and upstream's flat names
 * (`apis__apps__v1_openapi.json`) work, since a document's group-version is read from its paths.
 */
import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { filesUnder } from "../files.js";
import type { LoadedDocument, OpenApiDocument } from "./openapi-types.js";
import { isSwaggerV2, swaggerV2ToV3 } from "./swagger-v2.js";

export type {
  LoadedDocument,
  OpenApiDocument,
  OperationObject,
  PathItem,
  SchemaObject,
} from "./openapi-types.js";

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
