/**
 * `DiscoveryClient`: what the apiserver serves: its version, API groups, the resources of each
 * group-version, and its OpenAPI documents, as client-go's discovery client. It caches nothing.
 *
 * The whole API (`serverGroupsAndResources()`, and the preferred-resources calls built on it) comes
 * from aggregated discovery (`apidiscovery.k8s.io/v2`): two requests, `/api` and `/apis`, each
 * answering with every group and its resources. A server without it (before Kubernetes 1.30) is
 * asked the legacy way: `/api` and `/apis` for the groups, then one request per group-version.
 *
 * `DiscoveryInterface` is what every discovery client answers: this one, and the caches that wrap
 * one (`CachedDiscoveryClient` in memory, `DiskCachedDiscoveryClient` on disk), which take any
 * `DiscoveryInterface` as their delegate, as client-go's `discovery/cached/memory` and
 * `discovery/cached/disk` packages do, and so stack in either order.
 *
 * Discovery gets client-go's larger budget (burst 300, 32 s timeout), so a cluster with hundreds
 * of CRDs is not throttled by the client.
 */
import type { ClientConfig } from "../config/types.js";
import { formatGroupVersion, parseGroupVersion, sameGroupVersion } from "../core/group-version.js";
import { groupVersionPath } from "../core/request.js";
import { HttpClient, type HttpClientOptions } from "../rest/http-client.js";

/** `version.Info` from `/version`. */
export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit?: string;
  buildDate?: string;
  goVersion?: string;
  platform?: string;
}

/** `metav1.GroupVersionForDiscovery` */
export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

/** `metav1.APIGroup`; the legacy core group has name `""`. */
export interface APIGroup {
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion?: GroupVersionForDiscovery;
}

/** `metav1.APIResource`; subresources are named `pods/log`, `deployments/scale`... */
export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  /** Set when the resource's kind lives in another group-version (e.g. `autoscaling/v1` Scale). */
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

/** `metav1.APIResourceList` */
export interface APIResourceList {
  groupVersion: string;
  resources: APIResource[];
}

/** A discovery result that may be partial: what succeeded, and per group-version what failed. */
export interface GroupsAndResources {
  groups: APIGroup[];
  resources: APIResourceList[];
  /** Group-versions whose discovery failed (client-go's `ErrGroupDiscoveryFailed`), with why. */
  failed: Map<string, Error>;
}

/** Thrown by the preferred-resources calls when some group-versions failed; still carries the rest. */
export class GroupDiscoveryFailedError extends Error {
  override readonly name = "GroupDiscoveryFailedError";
  constructor(
    readonly failed: Map<string, Error>,
    readonly partial: APIResourceList[],
  ) {
    super(
      `unable to retrieve the complete list of server APIs: ${[...failed]
        .map(([gv, err]) => `${gv}: ${err.message}`)
        .join("; ")}`,
    );
  }
}

/** Aggregated discovery (`apidiscovery.k8s.io/v2`): one document for all groups, resources inline. */
interface APIGroupDiscoveryList {
  kind: "APIGroupDiscoveryList";
  items: {
    metadata: { name?: string };
    versions: {
      version: string;
      freshness?: "Current" | "Stale";
      resources?: {
        resource: string;
        responseKind?: { group: string; version: string; kind: string };
        scope: "Namespaced" | "Cluster";
        singularResource?: string;
        verbs: string[];
        shortNames?: string[];
        categories?: string[];
        subresources?: {
          subresource: string;
          responseKind?: { group: string; version: string; kind: string };
          verbs: string[];
        }[];
      }[];
    }[];
  }[];
}

const aggregatedAccept =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

/** Groups, resources and failures from aggregated discovery documents. */
function fromAggregated(docs: APIGroupDiscoveryList[]): GroupsAndResources {
  const groups: APIGroup[] = [];
  const resources: APIResourceList[] = [];
  const failed = new Map<string, Error>();
  for (const doc of docs) {
    for (const item of doc.items) {
      const name = item.metadata.name ?? "";
      const versions = item.versions.map((v) => ({
        groupVersion: formatGroupVersion({ group: name, version: v.version }),
        version: v.version,
      }));
      // The server lists versions in preference order.
      groups.push({ name, versions, preferredVersion: versions[0] });
      item.versions.forEach((v, i) => {
        const groupVersion = versions[i]!.groupVersion;
        if (v.freshness === "Stale") {
          failed.set(
            groupVersion,
            new Error(`the server could not serve discovery for ${groupVersion} (stale)`),
          );
          return;
        }
        const list: APIResource[] = [];
        for (const r of v.resources ?? []) {
          const kind = r.responseKind?.kind ?? "";
          list.push({
            name: r.resource,
            singularName: r.singularResource ?? "",
            namespaced: r.scope === "Namespaced",
            kind,
            verbs: r.verbs ?? [],
            ...(r.shortNames ? { shortNames: r.shortNames } : {}),
            ...(r.categories ? { categories: r.categories } : {}),
          });
          for (const sub of r.subresources ?? []) {
            const rk = sub.responseKind;
            list.push({
              name: `${r.resource}/${sub.subresource}`,
              singularName: "",
              namespaced: r.scope === "Namespaced",
              ...(rk && !sameGroupVersion(rk, { group: name, version: v.version })
                ? { group: rk.group, version: rk.version }
                : {}),
              kind: rk?.kind ?? "",
              verbs: sub.verbs ?? [],
            });
          }
        }
        resources.push({ groupVersion, resources: list });
      });
    }
  }
  return { groups, resources, failed };
}

/**
 * What every discovery client answers: client-go's `DiscoveryInterface`. `DiscoveryClient` asks the
 * server; the caches answer from memory or disk and ask their delegate, another
 * `DiscoveryInterface`, for the rest.
 */
export interface DiscoveryInterface {
  /** The HTTP layer requests go through (client-go's `RESTClient()`). */
  readonly http: HttpClient;
  /** `/version`. */
  serverVersion(): Promise<VersionInfo>;
  /** Every API group, the legacy core group (`""`) first, with its versions and preferred version. */
  serverGroups(): Promise<APIGroup[]>;
  /** The resources (and subresources) of one group-version: `v1`, `apps/v1`. */
  serverResourcesForGroupVersion(groupVersion: string): Promise<APIResourceList>;
  /** Groups and the resources of every version of every group; failures per group-version. */
  serverGroupsAndResources(): Promise<GroupsAndResources>;
  /** The resources of each group's preferred version (subresources left out), as `kubectl api-resources`. */
  serverPreferredResources(): Promise<APIResourceList[]>;
  /** `serverPreferredResources()`, namespaced resources only. */
  serverPreferredNamespacedResources(): Promise<APIResourceList[]>;
  /**
   * The `/openapi/v3` index: each group-version path (`apis/apps/v1`) with its immutable URL
   * (`/openapi/v3/apis/apps/v1?hash=...`), which may be cached forever.
   */
  openAPIV3(): Promise<Map<string, string>>;
  /** One OpenAPI v3 document from `openAPIV3()`'s index (`apis/apps/v1`), through its hash URL. */
  openAPIV3Document(path: string, index?: Map<string, string>): Promise<Record<string, unknown>>;
  /** The OpenAPI v2 document (`/openapi/v2`). */
  openAPISchema(): Promise<Record<string, unknown>>;
  /** Closes the HTTP layer. */
  close(): Promise<void>;
}

/** A discovery cache (client-go's `CachedDiscoveryInterface`): it can be told to forget. */
export interface CachedDiscoveryInterface extends DiscoveryInterface {
  /** Forgets what is cached here and in every cache below, so the next answers come from the server. */
  invalidate(): void;
}

/** True for a delegate that caches, whose `invalidate()` a cache above it passes on. */
export function isCachedDiscovery(discovery: DiscoveryInterface): discovery is CachedDiscoveryInterface {
  return typeof (discovery as Partial<CachedDiscoveryInterface>).invalidate === "function";
}

/**
 * An HTTP layer with discovery's budget (QPS at least 50, burst 300, 32 s timeout), as client-go
 * and kubectl give discovery so a cluster with hundreds of CRDs is not throttled.
 */
export function discoveryHttpClient(config: ClientConfig, options: HttpClientOptions = {}): HttpClient {
  const qps = config.qps && config.qps > 50 ? config.qps : 50;
  return HttpClient.forConfig({ ...config, qps, burst: 300, timeout: 32_000 }, options);
}

/** How long the caches keep an answer by default: 6 hours, kubectl's disk cache TTL. */
export const defaultDiscoveryTtlMs = 6 * 60 * 60 * 1000;

/** True for subresource entries (`pods/log`). */
export const isSubresource = (resource: APIResource) => resource.name.includes("/");

/**
 * The resources of each group's preferred version from any discovery client, subresources left
 * out (client-go's `ServerPreferredResources`).
 *
 * @throws GroupDiscoveryFailedError when a preferred group-version failed; it carries the rest
 */
export async function serverPreferredResources(
  discovery: Pick<DiscoveryInterface, "serverGroupsAndResources">,
): Promise<APIResourceList[]> {
  const all = await discovery.serverGroupsAndResources();
  const preferredVersions = new Set(
    all.groups
      .map((g) => g.preferredVersion?.groupVersion ?? g.versions[0]?.groupVersion)
      .filter((gv): gv is string => !!gv),
  );
  const preferred = all.resources
    .filter((l) => preferredVersions.has(l.groupVersion))
    .map((l) => ({ ...l, resources: l.resources.filter((r) => !isSubresource(r)) }));
  const failed = new Map([...all.failed].filter(([gv]) => preferredVersions.has(gv)));
  if (failed.size) throw new GroupDiscoveryFailedError(failed, preferred);
  return preferred;
}

/** `serverPreferredResources(discovery)`, namespaced resources only (client-go's `ServerPreferredNamespacedResources`). */
export async function serverPreferredNamespacedResources(
  discovery: Pick<DiscoveryInterface, "serverGroupsAndResources">,
): Promise<APIResourceList[]> {
  return (await serverPreferredResources(discovery)).map((l) => ({
    ...l,
    resources: l.resources.filter((r) => r.namespaced),
  }));
}

/**
 * The calls every discovery client derives from its own `serverGroupsAndResources()`, written
 * once for the three. client-go writes them as free functions that each client's method calls
 * (as the two above); this base only saves that boilerplate, while the caches still get their
 * behaviour from the delegate they wrap, not from a parent class.
 */
export abstract class DerivedDiscoveryCalls {
  abstract serverGroupsAndResources(): Promise<GroupsAndResources>;

  /** The resources of each group's preferred version (subresources left out), as `kubectl api-resources`. */
  serverPreferredResources(): Promise<APIResourceList[]> {
    return serverPreferredResources(this);
  }

  /** `serverPreferredResources()`, namespaced resources only. */
  serverPreferredNamespacedResources(): Promise<APIResourceList[]> {
    return serverPreferredNamespacedResources(this);
  }
}

/** The URL of the document at `path` in an `/openapi/v3` index. */
export function openAPIV3DocumentUrl(index: Map<string, string>, path: string): string {
  const url = index.get(path);
  if (!url) throw new Error(`/openapi/v3 lists no document ${JSON.stringify(path)}`);
  return url;
}

/** A server-relative URL (`/openapi/v3/api/v1?hash=abc`) as the path and query of a request. */
export function splitPathAndQuery(pathAndQuery: string): { path: string; query: Record<string, string> } {
  const url = new URL(pathAndQuery, "http://placeholder");
  return { path: url.pathname, query: Object.fromEntries(url.searchParams) };
}

/** Asks the server every time; the caches wrap it. */
export class DiscoveryClient extends DerivedDiscoveryCalls implements DiscoveryInterface {
  readonly http: HttpClient;
  readonly #concurrency: number;

  constructor(http: HttpClient, options: { concurrency?: number } = {}) {
    super();
    this.http = http;
    this.#concurrency = options.concurrency ?? 8;
  }

  /**
   * A discovery client with its own HTTP layer and discovery's budget (QPS 50, burst 300,
   * 32 s timeout), as client-go and kubectl give discovery.
   *
   * @example
   * const discovery = DiscoveryClient.forConfig(await loadKubeconfig());
   * for (const list of await discovery.serverPreferredResources()) console.log(list.groupVersion);
   */
  static forConfig(config: ClientConfig, options: HttpClientOptions = {}): DiscoveryClient {
    return new DiscoveryClient(discoveryHttpClient(config, options));
  }

  serverVersion(): Promise<VersionInfo> {
    return this.http.json<VersionInfo>({ method: "GET", path: "/version" });
  }

  /** Legacy discovery: `/api` and `/apis`. */
  async serverGroups(): Promise<APIGroup[]> {
    const [legacy, groups] = await Promise.all([
      this.http.json<{ versions: string[] }>({ method: "GET", path: "/api" }),
      this.http.json<{ groups: APIGroup[] }>({ method: "GET", path: "/apis" }),
    ]);
    const versions = legacy.versions.map((v) => ({ groupVersion: v, version: v }));
    const core: APIGroup = { name: "", versions, preferredVersion: versions[0] };
    return [core, ...groups.groups];
  }

  async serverResourcesForGroupVersion(groupVersion: string): Promise<APIResourceList> {
    const { group, version } = parseGroupVersion(groupVersion);
    const list = await this.http.json<APIResourceList>({
      method: "GET",
      path: groupVersionPath(group, version),
    });
    return { groupVersion: list.groupVersion ?? groupVersion, resources: list.resources ?? [] };
  }

  /**
   * Aggregated discovery (two requests for the whole API) where the server has it, else
   * `serverGroups()` and one request per group-version, `concurrency` at a time.
   */
  async serverGroupsAndResources(): Promise<GroupsAndResources> {
    const aggregated = await this.aggregated();
    if (aggregated) return aggregated;
    const groups = await this.serverGroups();
    const gvs = groups.flatMap((g) => g.versions.map((v) => v.groupVersion));
    return { groups, ...(await this.#resourcesFor(gvs)) };
  }

  /**
   * Aggregated discovery (`apidiscovery.k8s.io/v2`, Kubernetes 1.30+): `/api` and `/apis` each
   * answer with every group and its resources. Undefined when the server does not offer it.
   */
  async aggregated(): Promise<GroupsAndResources | undefined> {
    const headers = { accept: aggregatedAccept };
    const [legacy, apis] = await Promise.all([
      this.http.json<APIGroupDiscoveryList | { kind?: string }>({ method: "GET", path: "/api", headers }),
      this.http.json<APIGroupDiscoveryList | { kind?: string }>({ method: "GET", path: "/apis", headers }),
    ]);
    if (legacy.kind !== "APIGroupDiscoveryList" || apis.kind !== "APIGroupDiscoveryList") return undefined;
    return fromAggregated([legacy as APIGroupDiscoveryList, apis as APIGroupDiscoveryList]);
  }

  async #resourcesFor(gvs: string[]): Promise<{ resources: APIResourceList[]; failed: Map<string, Error> }> {
    const results = new Map<string, APIResourceList>();
    const failed = new Map<string, Error>();
    let next = 0;
    const worker = async () => {
      while (next < gvs.length) {
        const gv = gvs[next++]!;
        try {
          results.set(gv, await this.serverResourcesForGroupVersion(gv));
        } catch (err) {
          failed.set(gv, err as Error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, gvs.length) }, worker));
    return { resources: gvs.filter((gv) => results.has(gv)).map((gv) => results.get(gv)!), failed };
  }

  async openAPIV3(): Promise<Map<string, string>> {
    const index = await this.http.json<{ paths?: Record<string, { serverRelativeURL?: string }> }>({
      method: "GET",
      path: "/openapi/v3",
    });
    return new Map(
      Object.entries(index.paths ?? {}).map(([path, entry]) => [
        path,
        entry.serverRelativeURL ?? `/openapi/v3/${path}`,
      ]),
    );
  }

  async openAPIV3Document(path: string, index?: Map<string, string>): Promise<Record<string, unknown>> {
    return this.#fetchDocument(openAPIV3DocumentUrl(index ?? (await this.openAPIV3()), path));
  }

  openAPISchema(): Promise<Record<string, unknown>> {
    return this.#fetchDocument("/openapi/v2");
  }

  /** GETs a server-relative URL (with its query) as JSON. */
  #fetchDocument(pathAndQuery: string): Promise<Record<string, unknown>> {
    return this.http.json({ method: "GET", ...splitPathAndQuery(pathAndQuery) });
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
