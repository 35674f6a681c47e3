/**
 * `RESTMapper`: between kinds and resources, from discovery. It knows each resource's
 * group-version-kind, plural, singular, short names and categories and the preferred versions,
 * and refreshes discovery once on a miss (a CRD installed after it was built) before failing, as
 * client-go's deferred discovery mapper does.
 *
 * It takes any discovery cache (`CachedDiscoveryClient`, `DiskCachedDiscoveryClient`, or one
 * stacked on the other): it needs `invalidate()` to refresh.
 *
 * @example
 * const mapper = new RESTMapper(CachedDiscoveryClient.forConfig(config));
 * await mapper.resourceFor("deploy");   // { group: "apps", version: "v1", resource: "deployments" }
 * await mapper.kindFor("deployments.apps"); // { group: "apps", version: "v1", kind: "Deployment" }
 */
import {
  formatGroupKind,
  formatGroupResource,
  type GroupVersionKind,
  type GroupVersionResource,
  parseGroupVersion,
  parseResourceArg,
} from "../core/group-version.js";
import { type CachedDiscoveryInterface, isSubresource } from "./discovery.js";

/** What the mapper knows of one resource in one group-version. */
export interface RESTMapping {
  resource: GroupVersionResource;
  kind: GroupVersionKind;
  namespaced: boolean;
  singular: string;
  shortNames: string[];
  categories: string[];
  /** True for the group's preferred version. */
  preferred: boolean;
}

/** No resource or kind matched, even after refreshing discovery. */
export class NoMatchError extends Error {
  override readonly name = "NoMatchError";
}

export class RESTMapper {
  readonly discovery: CachedDiscoveryInterface;
  #mappings: Promise<RESTMapping[]> | undefined;

  constructor(discovery: CachedDiscoveryInterface) {
    this.discovery = discovery;
  }

  /** Every mapping, preferred versions first. */
  mappings(): Promise<RESTMapping[]> {
    this.#mappings ??= this.#load();
    return this.#mappings;
  }

  async #load(): Promise<RESTMapping[]> {
    const { groups, resources } = await this.discovery.serverGroupsAndResources();
    const preferred = new Set(groups.map((g) => g.preferredVersion?.groupVersion));
    const out: RESTMapping[] = [];
    for (const list of resources) {
      const { group, version } = parseGroupVersion(list.groupVersion);
      for (const r of list.resources) {
        if (isSubresource(r)) continue;
        out.push({
          resource: { group, version, resource: r.name },
          kind: { group, version, kind: r.kind },
          namespaced: r.namespaced,
          singular: r.singularName || r.kind.toLowerCase(),
          shortNames: r.shortNames ?? [],
          categories: r.categories ?? [],
          preferred: preferred.has(list.groupVersion),
        });
      }
    }
    // Preferred versions first; stable order otherwise.
    return out.sort((a, b) => Number(b.preferred) - Number(a.preferred));
  }

  /** Looks up with one refresh of discovery on a miss. */
  async #withRefresh<T>(what: string, find: (mappings: RESTMapping[]) => T | undefined): Promise<T> {
    const first = find(await this.mappings());
    if (first !== undefined) return first;
    this.discovery.invalidate();
    this.#mappings = undefined;
    const second = find(await this.mappings());
    if (second !== undefined) return second;
    throw new NoMatchError(`no matches for ${what}: the server does not serve it (discovery was refreshed)`);
  }

  /**
   * The mappings for a resource argument as kubectl takes it: plural, singular or short name,
   * optionally qualified (`deploy`, `deployments.apps`, `deployments.v1.apps`).
   */
  mappingsFor(arg: string): Promise<RESTMapping[]> {
    const { groupResource, version } = parseResourceArg(arg.toLowerCase());
    const matches = (m: RESTMapping) =>
      (m.resource.resource === groupResource.resource ||
        m.singular === groupResource.resource ||
        m.shortNames.includes(groupResource.resource)) &&
      (!groupResource.group ||
        m.resource.group === groupResource.group ||
        m.resource.group.startsWith(`${groupResource.group}.`)) &&
      (!version || m.resource.version === version);
    return this.#withRefresh(`resource ${JSON.stringify(arg)}`, (all) => {
      const found = all.filter(matches);
      return found.length ? found : undefined;
    });
  }

  /** The preferred group-version-resource for a resource argument. */
  async resourceFor(arg: string): Promise<GroupVersionResource> {
    return (await this.mappingsFor(arg))[0]!.resource;
  }

  /** The group-version-kind for a resource argument. */
  async kindFor(arg: string): Promise<GroupVersionKind> {
    return (await this.mappingsFor(arg))[0]!.kind;
  }

  /** The mapping of a kind (`{ group: "apps", kind: "Deployment" }`), in `version` or the preferred one. */
  restMapping(groupKind: { group: string; kind: string }, version?: string): Promise<RESTMapping> {
    const label = `kind ${formatGroupKind(groupKind)}${version ? ` in version ${version}` : ""}`;
    return this.#withRefresh(label, (all) =>
      all.find(
        (m) =>
          m.kind.group === groupKind.group &&
          m.kind.kind === groupKind.kind &&
          (!version || m.kind.version === version),
      ),
    );
  }

  /** The group-resources in a category (`all`, or a CRD's own), preferred versions only. */
  async expandCategory(category: string): Promise<string[]> {
    const all = await this.mappings();
    return [
      ...new Set(
        all
          .filter((m) => m.preferred && m.categories.includes(category))
          .map((m) => formatGroupResource({ group: m.resource.group, resource: m.resource.resource })),
      ),
    ];
  }
}
