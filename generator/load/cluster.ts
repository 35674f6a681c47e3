/**
 * Loads OpenAPI v3 documents from a live apiserver: the `/openapi/v3` index, then every
 * group-version document it lists, fetched in parallel through their immutable `?hash=` URLs.
 */
import type { ApiCaller } from "../../runtime/clients/api-caller.js";
import type { OpenApiDocument } from "./openapi-v3.js";

interface OpenApiIndex {
  paths: Record<string, { serverRelativeURL: string }>;
}

/**
 * Returns `path → document` for every group-version (`api/v1`, `apis/apps/v1`, ...), skipping the
 * group-level and non-API documents, which hold only discovery types.
 */
export async function fetchOpenApiV3(
  http: ApiCaller,
  progress: (line: string) => void = () => {},
  concurrency = 8,
): Promise<Map<string, OpenApiDocument>> {
  const index = await http.json<OpenApiIndex>({ method: "GET", path: "/openapi/v3" });
  const wanted = Object.entries(index.paths)
    .filter(([path]) => /^api\/v1$|^apis\/[^/]+\/[^/]+$/.test(path))
    .sort(([a], [b]) => a.localeCompare(b));
  const docs = new Map<string, OpenApiDocument>();
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < wanted.length) {
      const [path, { serverRelativeURL }] = wanted[next++]!;
      const url = new URL(serverRelativeURL, "http://x");
      const query = Object.fromEntries(url.searchParams);
      docs.set(path, await http.json<OpenApiDocument>({ method: "GET", path: url.pathname, query }));
      done++;
      progress(`fetched ${done}/${wanted.length} OpenAPI documents (${path})`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, wanted.length) }, worker));
  return new Map([...docs].sort(([a], [b]) => a.localeCompare(b)));
}
