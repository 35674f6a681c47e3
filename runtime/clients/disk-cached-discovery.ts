/**
 * `DiskCachedDiscoveryClient`: discovery cached on disk in kubectl's layout, so kubectl and kubegen
 * share one cache: `~/.kube/cache/discovery/<host_port>/servergroups.json` and
 * `.../<group>/<version>/serverresources.json`, fresh for 6 hours (by file time). Files are written
 * atomically with private permissions; a corrupt or truncated file is a miss, never a crash.
 * OpenAPI documents go through an HTTP cache in `~/.kube/cache/http/` (our own file format there):
 * immutable `?hash=` URLs are never fetched twice, others are revalidated with their ETag.
 * A cache folder that cannot be written (not a folder, no permission, read-only) turns the disk
 * cache off for the client, with one warning: discovery still answers, from the delegate.
 *
 * Like client-go's `discovery/cached/disk`, it wraps a delegate, any `DiscoveryInterface`, and
 * asks it on a miss. Built from an `HttpClient` (and by `forConfig`), the delegate is client-go's:
 * a `CachedDiscoveryClient` (memory) over the HTTP `DiscoveryClient`, so disk is checked first,
 * then memory, then the server. For memory first, wrap this client in a `CachedDiscoveryClient`.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { ClientConfig } from "../config/types.js";
import { parseGroupVersion } from "../core/group-version.js";
import { errorFromResponse } from "../errors.js";
import type { HttpClient, HttpClientOptions } from "../rest/http-client.js";
import { CachedDiscoveryClient } from "./cached-discovery.js";
import {
  type APIGroup,
  type APIResourceList,
  type CachedDiscoveryInterface,
  DerivedDiscoveryCalls,
  type DiscoveryInterface,
  defaultDiscoveryTtlMs,
  discoveryHttpClient,
  type GroupsAndResources,
  isCachedDiscovery,
  openAPIV3DocumentUrl,
  splitPathAndQuery,
  type VersionInfo,
} from "./discovery.js";

/** `https://10.0.0.1:6443/prefix` → `10.0.0.1_6443/prefix`, as client-go names the folder. */
export function discoveryCacheDirName(server: string): string {
  const withoutScheme = server.replace(/^[a-z]+:\/\//i, "");
  // client-go's pattern is [^(\w/.)]: parentheses are kept too.
  return withoutScheme.replace(/[^(\w/.)]/g, "_").replace(/\/+$/, "");
}

/** kubectl's default: `~/.kube/cache/discovery/<host_port>`. */
export function defaultDiscoveryCacheDir(server: string, home = homedir()): string {
  return join(home, ".kube", "cache", "discovery", discoveryCacheDirName(server));
}

interface GroupListFile {
  kind: "APIGroupList";
  apiVersion: "v1";
  groups: APIGroup[];
}

/** kubectl's HTTP cache folder: `~/.kube/cache/http`. */
export function defaultHttpCacheDir(home = homedir()): string {
  return join(home, ".kube", "cache", "http");
}

interface HttpCacheEntry {
  url: string;
  etag?: string;
  body: unknown;
}

export interface DiskCacheOptions {
  /** The cache folder for this server (default: kubectl's). */
  dir?: string;
  /** The HTTP cache folder for OpenAPI documents (default: kubectl's `~/.kube/cache/http`). */
  httpCacheDir?: string;
  ttlMs?: number;
  now?: () => number;
  /**
   * Receives the one warning given when the disk cache is turned off because a folder cannot be
   * written. Default: `Warning: <text>` on stderr.
   */
  onWarning?: (message: string) => void;
}

const stderrWarning = (message: string) => {
  process.stderr.write(`Warning: ${message}\n`);
};

/** Discovery cached on disk in front of a delegate. */
export class DiskCachedDiscoveryClient extends DerivedDiscoveryCalls implements CachedDiscoveryInterface {
  /** Where misses go. */
  readonly delegate: DiscoveryInterface;
  readonly dir: string;
  readonly httpCacheDir: string;
  /** How long a file is fresh, by its modification time (default 6 hours). */
  readonly ttlMs: number;
  readonly #now: () => number;
  /** After `invalidate()`, disk files are stale until rewritten. */
  #invalidatedAt = Number.NEGATIVE_INFINITY;
  /** Set after a write failed: the disk is neither read nor written any more. */
  #diskOff = false;
  readonly #onWarning: (message: string) => void;

  /**
   * @param delegate where misses go; an `HttpClient` becomes client-go's delegate, a memory cache
   *   over the HTTP `DiscoveryClient` (so `new DiskCachedDiscoveryClient(http)` works as it always did)
   */
  constructor(delegate: DiscoveryInterface | HttpClient, options: DiskCacheOptions = {}) {
    super();
    this.ttlMs = options.ttlMs ?? defaultDiscoveryTtlMs;
    this.#now = options.now ?? Date.now;
    this.delegate =
      "serverGroupsAndResources" in delegate
        ? delegate
        : new CachedDiscoveryClient(delegate, { ttlMs: this.ttlMs, now: this.#now });
    this.dir = options.dir ?? defaultDiscoveryCacheDir(this.delegate.http.config.server);
    this.httpCacheDir = options.httpCacheDir ?? defaultHttpCacheDir();
    this.#onWarning = options.onWarning ?? stderrWarning;
  }

  /** A disk cache over memory over a `DiscoveryClient` with discovery's budget (see `DiscoveryClient.forConfig`). */
  static forConfig(
    config: ClientConfig,
    options: HttpClientOptions & DiskCacheOptions = {},
  ): DiskCachedDiscoveryClient {
    const { dir, httpCacheDir, ttlMs, now, onWarning, ...http } = options;
    return new DiskCachedDiscoveryClient(discoveryHttpClient(config, http), {
      dir,
      httpCacheDir,
      ttlMs,
      now,
      onWarning,
    });
  }

  get http(): HttpClient {
    return this.delegate.http;
  }

  /** False once a cache folder turned out unwritable; the delegate still answers. */
  get diskCacheEnabled(): boolean {
    return !this.#diskOff;
  }

  #groupsFile(): string {
    return join(this.dir, "servergroups.json");
  }

  #resourcesFile(groupVersion: string): string {
    const { group, version } = parseGroupVersion(groupVersion);
    return join(this.dir, group, version, "serverresources.json");
  }

  /** The parsed file if it is fresh and whole; undefined otherwise (a miss). */
  async #read<T>(file: string, valid: (v: unknown) => v is T): Promise<T | undefined> {
    if (this.#diskOff) return undefined;
    try {
      const info = await stat(file);
      if (info.mtimeMs <= this.#invalidatedAt || this.#now() - info.mtimeMs >= this.ttlMs) return undefined;
      const value: unknown = JSON.parse(await readFile(file, "utf8"));
      return valid(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  async #write(file: string, value: unknown): Promise<void> {
    if (this.#diskOff) return;
    const tmp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await mkdir(dirname(file), { recursive: true, mode: 0o750 });
      await writeFile(tmp, JSON.stringify(value), { mode: 0o600 });
      await rename(tmp, file);
    } catch (err) {
      // A cache that cannot be written only costs requests: turn it off, say so once, go on.
      await rm(tmp, { force: true }).catch(() => {});
      if (this.#diskOff) return;
      this.#diskOff = true;
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      const root = file.startsWith(this.httpCacheDir) ? this.httpCacheDir : this.dir;
      this.#onWarning(`discovery cache ${root} cannot be written (${code}); not caching discovery on disk`);
    }
  }

  #writeGroups(groups: APIGroup[]): Promise<void> {
    return this.#write(this.#groupsFile(), {
      kind: "APIGroupList",
      apiVersion: "v1",
      groups,
    } satisfies GroupListFile);
  }

  #writeResources(list: APIResourceList): Promise<void> {
    return this.#write(this.#resourcesFile(list.groupVersion), {
      kind: "APIResourceList",
      apiVersion: "v1",
      ...list,
    });
  }

  /** Not cached on disk (kubectl keeps no file for it); the delegate answers. */
  serverVersion(): Promise<VersionInfo> {
    return this.delegate.serverVersion();
  }

  async serverGroups(): Promise<APIGroup[]> {
    const cached = await this.#read(this.#groupsFile(), isGroupList);
    if (cached) return cached.groups;
    const groups = await this.delegate.serverGroups();
    await this.#writeGroups(groups);
    return groups;
  }

  async serverResourcesForGroupVersion(groupVersion: string): Promise<APIResourceList> {
    const cached = await this.#read(this.#resourcesFile(groupVersion), isResourceList);
    if (cached) return cached;
    const list = await this.delegate.serverResourcesForGroupVersion(groupVersion);
    await this.#writeResources(list);
    return list;
  }

  /** From disk when the group file and every group-version's file are fresh; else from the delegate. */
  async serverGroupsAndResources(): Promise<GroupsAndResources> {
    const groups = await this.#read(this.#groupsFile(), isGroupList);
    if (groups) {
      const gvs = groups.groups.flatMap((g) => g.versions.map((v) => v.groupVersion));
      const lists = await Promise.all(gvs.map((gv) => this.#read(this.#resourcesFile(gv), isResourceList)));
      if (lists.every((l): l is APIResourceList => l !== undefined)) {
        return { groups: groups.groups, resources: lists, failed: new Map() };
      }
    }
    const all = await this.delegate.serverGroupsAndResources();
    await this.#writeGroups(all.groups);
    await Promise.all(all.resources.map((l) => this.#writeResources(l)));
    return all;
  }

  /** The index is asked of the delegate every time: its hash URLs are what changes. */
  openAPIV3(): Promise<Map<string, string>> {
    return this.delegate.openAPIV3();
  }

  /** Through the HTTP cache: a `?hash=` URL is fetched once. */
  async openAPIV3Document(path: string, index?: Map<string, string>): Promise<Record<string, unknown>> {
    return this.#cachedGet(openAPIV3DocumentUrl(index ?? (await this.openAPIV3()), path));
  }

  /** Through the HTTP cache, revalidated with its ETag. */
  openAPISchema(): Promise<Record<string, unknown>> {
    return this.#cachedGet("/openapi/v2");
  }

  /**
   * GETs a document through the HTTP cache: a `?hash=` URL is immutable and served from the cache
   * without a request; any other is revalidated with its ETag (`If-None-Match`, 304 Not Modified).
   */
  async #cachedGet(pathAndQuery: string): Promise<Record<string, unknown>> {
    const key = createHash("sha256").update(`${this.http.config.server}${pathAndQuery}`).digest("hex");
    const file = join(this.httpCacheDir, `${key}.json`);
    let entry: HttpCacheEntry | undefined;
    try {
      if (this.#diskOff) throw new Error("the disk cache is off");
      const parsed = JSON.parse(await readFile(file, "utf8")) as HttpCacheEntry;
      if (parsed.url === pathAndQuery && parsed.body && typeof parsed.body === "object") entry = parsed;
    } catch {
      entry = undefined;
    }
    if (entry && /[?&]hash=/.test(pathAndQuery)) return entry.body as Record<string, unknown>;
    const { path, query } = splitPathAndQuery(pathAndQuery);
    const res = await this.http.response({
      method: "GET",
      path,
      query,
      headers: entry?.etag ? { "if-none-match": entry.etag } : {},
    });
    if (res.statusCode === 304 && entry) return entry.body as Record<string, unknown>;
    if (res.statusCode < 200 || res.statusCode > 299) {
      throw errorFromResponse(res.statusCode, res.body, { method: "GET", url: this.http.url({ path }) });
    }
    const body = JSON.parse(res.body) as Record<string, unknown>;
    const etag = res.headers.etag;
    await this.#write(file, {
      url: pathAndQuery,
      etag: Array.isArray(etag) ? etag[0] : etag,
      body,
    } satisfies HttpCacheEntry);
    return body;
  }

  /** Treats the disk files as stale until they are rewritten, and tells a caching delegate to forget. */
  invalidate(): void {
    this.#invalidatedAt = this.#now();
    if (isCachedDiscovery(this.delegate)) this.delegate.invalidate();
  }

  close(): Promise<void> {
    return this.delegate.close();
  }
}

function isGroupList(v: unknown): v is GroupListFile {
  const groups = (v as { groups?: unknown })?.groups;
  return (
    Array.isArray(groups) && groups.every((g) => typeof g?.name === "string" && Array.isArray(g.versions))
  );
}

function isResourceList(v: unknown): v is APIResourceList {
  const l = v as { groupVersion?: unknown; resources?: unknown };
  return typeof l?.groupVersion === "string" && Array.isArray(l.resources);
}
