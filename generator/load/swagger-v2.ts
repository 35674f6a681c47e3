/**
 * The v2 `swagger.json` fallback, for apiservers without `/openapi/v3` (before Kubernetes 1.27):
 * rewritten into the v3 shape the rest of the pipeline reads. `definitions` become
 * `components.schemas`, `$ref`s follow, and each response's `schema` moves under
 * `content["application/json"]`. v2 spells int-or-string as `type: string, format: int-or-string`,
 * which the schema rules already map.
 */
import type { OpenApiDocument, SchemaObject } from "./openapi-types.js";

export interface SwaggerV2Document {
  swagger: "2.0";
  paths?: Record<string, Record<string, unknown>>;
  definitions?: Record<string, SchemaObject>;
}

export function isSwaggerV2(document: unknown): document is SwaggerV2Document {
  return (
    typeof document === "object" && document !== null && (document as { swagger?: unknown }).swagger === "2.0"
  );
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        k === "$ref" && typeof v === "string"
          ? v.replace(/^#\/definitions\//, "#/components/schemas/")
          : rewriteRefs(v);
    }
    return out;
  }
  return value;
}

const methods = ["get", "put", "post", "patch", "delete"] as const;

export function swaggerV2ToV3(document: SwaggerV2Document): OpenApiDocument {
  const paths: NonNullable<OpenApiDocument["paths"]> = {};
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    const converted: Record<string, unknown> = {};
    for (const method of methods) {
      const op = item[method] as
        | { responses?: Record<string, { schema?: unknown; description?: string }> }
        | undefined;
      if (!op) continue;
      const responses: Record<string, unknown> = {};
      for (const [code, response] of Object.entries(op.responses ?? {})) {
        responses[code] = response.schema
          ? {
              description: response.description,
              content: { "application/json": { schema: rewriteRefs(response.schema) } },
            }
          : { description: response.description };
      }
      converted[method] = { ...(rewriteRefs(op) as object), responses };
    }
    paths[path] = converted;
  }
  return {
    openapi: "3.0.0",
    paths,
    components: { schemas: rewriteRefs(document.definitions ?? {}) as Record<string, SchemaObject> },
  };
}
