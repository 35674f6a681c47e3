/**
 * Loads OpenAPI v3 documents from a live apiserver: the `/openapi/v3` index, then every
 * group-version document it lists, fetched in parallel through their immutable `?hash=` URLs.
 * The HTTP call is injected (`FetchJson`), so this module does no I/O of its own: the CLI passes
 * one built on the runtime's HTTP client, tests pass a fake.
 */
import { compareStrings } from "../order.js";
import { checkedCrd, isCrd, type LoadedCrd, sortCrds } from "./crd.js";
import type { OpenApiDocument } from "./openapi-v3.js";
import { isSwaggerV2, swaggerV2ToV3 } from "./swagger-v2.js";

/** GETs a server-relative path (with its query) and returns the parsed JSON; throws on failure. */
export type FetchJson = (pathAndQuery: string) => Promise<unknown>;

interface OpenApiIndex {
  paths?: Record<string, { serverRelativeURL?: string }>;
}

/**
 * Returns `path → document` for every group-version (`api/v1`, `apis/apps/v1`, ...), sorted by path,
 * skipping the group-level and non-API documents, which hold only discovery types.
 *
 * @example
 * const docs = await fetchOpenApiV3((path) => http.json({ method: "GET", path }));
 */
export async function fetchOpenApiV3(
  fetchJson: FetchJson,
  progress: (line: string) => void = () => {},
  concurrency = 8,
  skip: (path: string) => boolean = () => false,
): Promise<Map<string, OpenApiDocument>> {
  const index = (await fetchJson("/openapi/v3")) as OpenApiIndex;
  if (!index || typeof index !== "object" || !index.paths) {
    throw new Error(
      "/openapi/v3: not an OpenAPI v3 index (no `paths`); is this a Kubernetes apiserver ≥ 1.27?",
    );
  }
  const wanted = Object.entries(index.paths)
    .filter(([path]) => /^api\/v1$|^apis\/[^/]+\/[^/]+$/.test(path) && !skip(path))
    .sort(([a], [b]) => compareStrings(a, b));
  const docs = new Map<string, OpenApiDocument>();
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < wanted.length) {
      const [path, entry] = wanted[next++]!;
      const url = entry.serverRelativeURL ?? `/openapi/v3/${path}`;
      const doc = await fetchJson(url);
      if (!doc || typeof doc !== "object") throw new Error(`${url}: not an OpenAPI document`);
      docs.set(path, doc as OpenApiDocument);
      done++;
      progress(`fetched ${done}/${wanted.length} OpenAPI documents (${path})`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, wanted.length) }, worker));
  return new Map([...docs].sort(([a], [b]) => compareStrings(a, b)));
}

/**
 * `/openapi/v3` where the apiserver serves it; else (a 404, servers before 1.27) the single v2
 * document `/openapi/v2`, converted.
 */
export async function fetchOpenApi(
  fetchJson: FetchJson,
  progress: (line: string) => void = () => {},
  skip: (path: string) => boolean = () => false,
): Promise<Map<string, OpenApiDocument>> {
  try {
    return await fetchOpenApiV3(fetchJson, progress, 8, skip);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 404) throw err;
  }
  progress("/openapi/v3 is not served; falling back to /openapi/v2");
  const v2 = await fetchJson("/openapi/v2");
  if (!isSwaggerV2(v2)) throw new Error("/openapi/v2: not a swagger 2.0 document");
  return new Map([["openapi/v2", swaggerV2ToV3(v2)]]);
}

const crdPath = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

/**
 * Every CustomResourceDefinition of a cluster, listed in pages of 250. Each is checked as CRD files
 * are, and named in errors by its URL. A server without the CRD API (404) has none.
 */
export async function fetchCrds(fetchJson: FetchJson): Promise<LoadedCrd[]> {
  const crds: LoadedCrd[] = [];
  let token = "";
  do {
    let page: { items?: unknown[]; metadata?: { continue?: string } };
    try {
      const query = new URLSearchParams({ limit: "250", ...(token ? { continue: token } : {}) });
      page = (await fetchJson(`${crdPath}?${query}`)) as typeof page;
    } catch (err) {
      if ((err as { code?: unknown }).code === 404) return [];
      throw err;
    }
    for (const item of page?.items ?? []) {
      const name = (item as { metadata?: { name?: unknown } })?.metadata?.name;
      const where = `${crdPath}/${typeof name === "string" ? name : "?"}`;
      // List items come without apiVersion and kind.
      const crd = {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        ...(item as object),
      };
      if (!isCrd(crd)) throw new Error(`${where}: not a CustomResourceDefinition`);
      crds.push(checkedCrd(crd, where));
    }
    token = page?.metadata?.continue ?? "";
  } while (token);
  return sortCrds(crds);
}

/** The OpenAPI index paths (`apis/<group>/<version>`) of the group-versions the CRDs serve. */
export function crdOpenApiPaths(crds: LoadedCrd[]): Set<string> {
  const paths = new Set<string>();
  for (const { crd } of crds)
    for (const v of crd.spec.versions) if (v.served) paths.add(`apis/${crd.spec.group}/${v.name}`);
  return paths;
}
