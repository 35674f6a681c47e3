/**
 * The discovery caches as layers over a delegate: a memory cache over a disk cache over the HTTP
 * client is asked memory first, then disk, then the server; `invalidate()` reaches every layer;
 * the RESTMapper works over any stack; the old constructors (an `HttpClient`) still work.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CachedDiscoveryClient } from "../../../runtime/clients/cached-discovery.js";
import {
  DiscoveryClient,
  type DiscoveryInterface,
  type GroupsAndResources,
} from "../../../runtime/clients/discovery.js";
import { DiskCachedDiscoveryClient } from "../../../runtime/clients/disk-cached-discovery.js";
import { RESTMapper } from "../../../runtime/clients/rest-mapper.js";
import { client, json, serve } from "../transport/local-server.js";
import { legacyDiscoveryRoutes } from "./discovery-routes.js";

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "kubegen-cached-discovery-"));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const routes: Record<string, unknown> = {
  ...legacyDiscoveryRoutes,
  "/version": { major: "1", minor: "37", gitVersion: "v1.37.2" },
};

async function server() {
  const { url, seen } = await serve((req, res) => {
    const body = routes[req.url!];
    json(res, body ? 200 : 404, body ?? { kind: "Status", code: 404 });
  });
  return { http: client(url), requests: () => seen.map((s) => s.url) };
}

/** A delegate that counts the calls that reach it. */
function counting(inner: DiscoveryInterface): { discovery: DiscoveryInterface; calls: string[] } {
  const calls: string[] = [];
  const discovery = new Proxy(inner, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push(String(key));
        return value.apply(target, args);
      };
    },
  });
  return { discovery, calls };
}

const groupVersions = (all: GroupsAndResources) => all.resources.map((l) => l.groupVersion);

describe("memory over disk over the server", () => {
  it("answers from memory first, then from disk, then from the server", async () => {
    const { http, requests } = await server();
    const dir = join(tmp, "stack");
    const disk = new DiskCachedDiscoveryClient(new DiscoveryClient(http), {
      dir,
      httpCacheDir: join(dir, "http"),
    });
    const { discovery: countedDisk, calls } = counting(disk);
    const memory = new CachedDiscoveryClient(countedDisk);

    expect(groupVersions(await memory.serverGroupsAndResources())).toEqual(["v1", "apps/v1"]);
    expect(calls).toEqual(["serverGroupsAndResources"]);
    const asked = requests().length;
    expect(asked).toBeGreaterThan(0);

    // Memory answers: the disk layer is not asked, nor the server.
    await memory.serverGroupsAndResources();
    expect(calls).toEqual(["serverGroupsAndResources"]);
    expect(requests()).toHaveLength(asked);

    // A new memory layer over the same disk: the disk answers, the server is not asked.
    const second = new CachedDiscoveryClient(countedDisk);
    expect(groupVersions(await second.serverGroupsAndResources())).toEqual(["v1", "apps/v1"]);
    expect(calls).toEqual(["serverGroupsAndResources", "serverGroupsAndResources"]);
    expect(requests()).toHaveLength(asked);

    // invalidate() goes down the stack: memory forgets, disk files turn stale, the server is asked.
    await new Promise((r) => setTimeout(r, 5));
    second.invalidate();
    await second.serverGroupsAndResources();
    expect(requests().length).toBeGreaterThan(asked);
  });

  it("maps resources over any stack, refreshing through every layer on a miss", async () => {
    const { http, requests } = await server();
    const dir = join(tmp, "mapper");
    const memory = new CachedDiscoveryClient(
      new DiskCachedDiscoveryClient(new DiscoveryClient(http), { dir, httpCacheDir: join(dir, "http") }),
    );
    const mapper = new RESTMapper(memory);
    expect(await mapper.resourceFor("deploy")).toEqual({
      group: "apps",
      version: "v1",
      resource: "deployments",
    });
    const asked = requests().length;
    await new Promise((r) => setTimeout(r, 5));
    await expect(mapper.resourceFor("gadgets")).rejects.toThrow(/no matches for resource "gadgets"/);
    // The refresh on a miss reached the server through the disk layer.
    expect(requests().length).toBeGreaterThan(asked);
  });
});

describe("the constructors that take an HttpClient", () => {
  it("CachedDiscoveryClient wraps a DiscoveryClient and caches its answers", async () => {
    const { http, requests } = await server();
    const memory = new CachedDiscoveryClient(http);
    expect(memory.delegate).toBeInstanceOf(DiscoveryClient);
    expect(memory.http).toBe(http);
    expect((await memory.serverVersion()).gitVersion).toBe("v1.37.2");
    expect(memory.fresh).toBe(false);
    await memory.serverVersion();
    expect(requests()).toEqual(["/version"]);
    memory.invalidate();
    expect(memory.fresh).toBe(true);
  });

  it("DiskCachedDiscoveryClient puts memory between its disk and the server, as client-go", async () => {
    const { http, requests } = await server();
    const dir = join(tmp, "http-client");
    const disk = new DiskCachedDiscoveryClient(http, { dir, httpCacheDir: join(dir, "http") });
    expect(disk.delegate).toBeInstanceOf(CachedDiscoveryClient);
    expect((disk.delegate as CachedDiscoveryClient).delegate).toBeInstanceOf(DiscoveryClient);
    // Not kept on disk, so the memory layer saves the second request.
    await disk.serverVersion();
    await disk.serverVersion();
    expect(requests()).toEqual(["/version"]);
  });
});
