/**
 * `CachedDiscoveryClient`: discovery answers kept in memory for a TTL (default 6 hours, as
 * kubectl's disk cache), so mappers and scale lookups do not ask the server again and again.
 * `invalidate()` forgets everything, as after a CRD was installed.
 */
import type { ClientConfig } from "../config/types.js";
import type { HttpClient, HttpClientOptions } from "../rest/http-client.js";
import {
  type APIGroup,
  type APIResourceList,
  DiscoveryClient,
  discoveryHttpClient,
  type GroupsAndResources,
  type VersionInfo,
} from "./discovery.js";

interface Entry<T> {
  at: number;
  value: Promise<T>;
}

export class CachedDiscoveryClient extends DiscoveryClient {
  readonly ttlMs: number;
  /** The clock (injectable for tests). */
  protected readonly now: () => number;
  readonly #cache = new Map<string, Entry<unknown>>();

  constructor(http: HttpClient, options: { ttlMs?: number; now?: () => number; concurrency?: number } = {}) {
    super(http, options);
    this.ttlMs = options.ttlMs ?? 6 * 60 * 60 * 1000;
    this.now = options.now ?? Date.now;
  }

  /** A cached discovery client with discovery's budget (see `DiscoveryClient.forConfig`). */
  static override forConfig(
    config: ClientConfig,
    options: HttpClientOptions & { ttlMs?: number } = {},
  ): CachedDiscoveryClient {
    const { ttlMs, ...http } = options;
    return new CachedDiscoveryClient(discoveryHttpClient(config, http), { ttlMs });
  }

  #cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.#cache.get(key) as Entry<T> | undefined;
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    const value = load();
    this.#cache.set(key, { at: this.now(), value });
    // A failure is not cached.
    value.catch(() => {
      if (this.#cache.get(key)?.value === value) this.#cache.delete(key);
    });
    return value;
  }

  override serverVersion(): Promise<VersionInfo> {
    return this.#cached("version", () => super.serverVersion());
  }

  override serverGroups(): Promise<APIGroup[]> {
    return this.#cached("groups", () => super.serverGroups());
  }

  override serverResourcesForGroupVersion(groupVersion: string): Promise<APIResourceList> {
    return this.#cached(`resources:${groupVersion}`, () =>
      super.serverResourcesForGroupVersion(groupVersion),
    );
  }

  override serverGroupsAndResources(): Promise<GroupsAndResources> {
    return this.#cached("all", () => super.serverGroupsAndResources());
  }

  /** Forgets every cached answer. */
  invalidate(): void {
    this.#cache.clear();
  }

  /** True when nothing is cached. */
  get fresh(): boolean {
    return this.#cache.size === 0;
  }
}
