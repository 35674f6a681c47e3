/**
 * `CachedDiscoveryClient`: discovery answers kept in memory for a TTL (default 6 hours, as
 * kubectl's disk cache), so mappers and scale lookups do not ask again and again. Like client-go's
 * `discovery/cached/memory`, it wraps a delegate, any `DiscoveryInterface`: the HTTP
 * `DiscoveryClient`, or a `DiskCachedDiscoveryClient`, so that memory is checked first, then disk,
 * then the server. It caches the version, the groups, each group-version's resources and the whole
 * API; OpenAPI documents go to the delegate. `invalidate()` forgets everything, here and in the
 * delegate, as after a CRD was installed.
 *
 * @example
 * const discovery = new CachedDiscoveryClient(DiskCachedDiscoveryClient.forConfig(config));
 */
import type { ClientConfig } from "../config/types.js";
import type { HttpClient, HttpClientOptions } from "../rest/http-client.js";
import {
  type APIGroup,
  type APIResourceList,
  type CachedDiscoveryInterface,
  DerivedDiscoveryCalls,
  DiscoveryClient,
  type DiscoveryInterface,
  defaultDiscoveryTtlMs,
  discoveryHttpClient,
  type GroupsAndResources,
  isCachedDiscovery,
  type VersionInfo,
} from "./discovery.js";

interface Entry<T> {
  at: number;
  value: Promise<T>;
}

/** Options of {@link CachedDiscoveryClient}. */
export interface MemoryCacheOptions {
  /** How long an answer is kept (default 6 hours). */
  ttlMs?: number;
  /** The clock (for tests). */
  now?: () => number;
  /** Requests at once for legacy discovery, when the delegate is built from an `HttpClient`. */
  concurrency?: number;
}

/** Discovery cached in memory in front of a delegate. */
export class CachedDiscoveryClient extends DerivedDiscoveryCalls implements CachedDiscoveryInterface {
  /** Where misses go. */
  readonly delegate: DiscoveryInterface;
  readonly ttlMs: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, Entry<unknown>>();

  /**
   * @param delegate where misses go; an `HttpClient` is wrapped in a `DiscoveryClient` (so
   *   `new CachedDiscoveryClient(http)` caches the server's answers, as it always did)
   */
  constructor(delegate: DiscoveryInterface | HttpClient, options: MemoryCacheOptions = {}) {
    super();
    // By shape, not instanceof: an HttpClient of another copy of the package works too.
    this.delegate =
      "serverGroupsAndResources" in delegate
        ? delegate
        : new DiscoveryClient(delegate, { concurrency: options.concurrency });
    this.ttlMs = options.ttlMs ?? defaultDiscoveryTtlMs;
    this.#now = options.now ?? Date.now;
  }

  /** A memory cache over a `DiscoveryClient` with discovery's budget (see `DiscoveryClient.forConfig`). */
  static forConfig(
    config: ClientConfig,
    options: HttpClientOptions & { ttlMs?: number } = {},
  ): CachedDiscoveryClient {
    const { ttlMs, ...http } = options;
    return new CachedDiscoveryClient(new DiscoveryClient(discoveryHttpClient(config, http)), { ttlMs });
  }

  get http(): HttpClient {
    return this.delegate.http;
  }

  #cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.#cache.get(key) as Entry<T> | undefined;
    if (hit && this.#now() - hit.at < this.ttlMs) return hit.value;
    const value = load();
    this.#cache.set(key, { at: this.#now(), value });
    // A failure is not cached.
    value.catch(() => {
      if (this.#cache.get(key)?.value === value) this.#cache.delete(key);
    });
    return value;
  }

  serverVersion(): Promise<VersionInfo> {
    return this.#cached("version", () => this.delegate.serverVersion());
  }

  serverGroups(): Promise<APIGroup[]> {
    return this.#cached("groups", () => this.delegate.serverGroups());
  }

  serverResourcesForGroupVersion(groupVersion: string): Promise<APIResourceList> {
    return this.#cached(`resources:${groupVersion}`, () =>
      this.delegate.serverResourcesForGroupVersion(groupVersion),
    );
  }

  serverGroupsAndResources(): Promise<GroupsAndResources> {
    return this.#cached("all", () => this.delegate.serverGroupsAndResources());
  }

  openAPIV3(): Promise<Map<string, string>> {
    return this.delegate.openAPIV3();
  }

  openAPIV3Document(path: string, index?: Map<string, string>): Promise<Record<string, unknown>> {
    return this.delegate.openAPIV3Document(path, index);
  }

  openAPISchema(): Promise<Record<string, unknown>> {
    return this.delegate.openAPISchema();
  }

  /** Forgets every cached answer, and tells a caching delegate to forget too. */
  invalidate(): void {
    this.#cache.clear();
    if (isCachedDiscovery(this.delegate)) this.delegate.invalidate();
  }

  /** True when nothing is cached in memory. */
  get fresh(): boolean {
    return this.#cache.size === 0;
  }

  close(): Promise<void> {
    return this.delegate.close();
  }
}
