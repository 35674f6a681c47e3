/**
 * Discovery cached on disk in kubectl's layout, so kubectl and kubegen share one cache:
 * `~/.kube/cache/discovery/<host_port>/servergroups.json` and
 * `.../<group>/<version>/serverresources.json`, fresh for 6 hours (by file time). Files are written
 * atomically with private permissions; a corrupt or truncated file is a miss, never a crash.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { ClientConfig } from "../config/types.js";
import { parseGroupVersion } from "../core/group-version.js";
import { HttpClient, type HttpClientOptions } from "../rest/http-client.js";
import { CachedDiscoveryClient } from "./cached-discovery.js";
import type { APIGroup, APIResourceList, GroupsAndResources } from "./discovery.js";

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

export interface DiskCacheOptions {
  /** The cache folder for this server (default: kubectl's). */
  dir?: string;
  ttlMs?: number;
  now?: () => number;
}

export class DiskCachedDiscoveryClient extends CachedDiscoveryClient {
  readonly dir: string;
  readonly #ttl: number;
  readonly #clock: () => number;
  /** After `invalidate()`, disk files are stale until rewritten. */
  #invalidatedAt = Number.NEGATIVE_INFINITY;

  constructor(http: HttpClient, options: DiskCacheOptions = {}) {
    super(http, { ttlMs: options.ttlMs, now: options.now });
    this.dir = options.dir ?? defaultDiscoveryCacheDir(http.config.server);
    this.#ttl = options.ttlMs ?? 6 * 60 * 60 * 1000;
    this.#clock = options.now ?? Date.now;
  }

  static override forConfig(
    config: ClientConfig,
    options: HttpClientOptions & DiskCacheOptions = {},
  ): DiskCachedDiscoveryClient {
    const { dir, ttlMs, now, ...http } = options;
    return new DiskCachedDiscoveryClient(
      HttpClient.forConfig(
        { ...config, qps: config.qps && config.qps > 50 ? config.qps : 50, burst: 300, timeout: 32_000 },
        http,
      ),
      { dir, ttlMs, now },
    );
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
    try {
      const info = await stat(file);
      if (info.mtimeMs <= this.#invalidatedAt || this.#clock() - info.mtimeMs >= this.#ttl) return undefined;
      const value: unknown = JSON.parse(await readFile(file, "utf8"));
      return valid(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  async #write(file: string, value: unknown): Promise<void> {
    await mkdir(dirname(file), { recursive: true, mode: 0o750 });
    const tmp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(value), { mode: 0o600 });
      await rename(tmp, file);
    } catch {
      // A cache that cannot be written only costs a request next time.
      await rm(tmp, { force: true });
    }
  }

  override async serverGroups(): Promise<APIGroup[]> {
    const cached = await this.#read(this.#groupsFile(), isGroupList);
    if (cached) return cached.groups;
    const groups = await super.serverGroups();
    await this.#write(this.#groupsFile(), {
      kind: "APIGroupList",
      apiVersion: "v1",
      groups,
    } satisfies GroupListFile);
    return groups;
  }

  override async serverResourcesForGroupVersion(groupVersion: string): Promise<APIResourceList> {
    const file = this.#resourcesFile(groupVersion);
    const cached = await this.#read(file, isResourceList);
    if (cached) return cached;
    const list = await super.serverResourcesForGroupVersion(groupVersion);
    await this.#write(file, { kind: "APIResourceList", apiVersion: "v1", ...list });
    return list;
  }

  override async serverGroupsAndResources(): Promise<GroupsAndResources> {
    const groups = await this.#read(this.#groupsFile(), isGroupList);
    if (groups) {
      const gvs = groups.groups.flatMap((g) => g.versions.map((v) => v.groupVersion));
      const lists = await Promise.all(gvs.map((gv) => this.#read(this.#resourcesFile(gv), isResourceList)));
      if (lists.every((l): l is APIResourceList => l !== undefined)) {
        return { groups: groups.groups, resources: lists, failed: new Map() };
      }
    }
    const all = await super.serverGroupsAndResources();
    await this.#write(this.#groupsFile(), {
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: all.groups,
    } satisfies GroupListFile);
    await Promise.all(
      all.resources.map((l) =>
        this.#write(this.#resourcesFile(l.groupVersion), { kind: "APIResourceList", apiVersion: "v1", ...l }),
      ),
    );
    return all;
  }

  /** Forgets the memory cache and treats the disk files as stale until they are rewritten. */
  override invalidate(): void {
    super.invalidate();
    this.#invalidatedAt = this.#clock();
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
