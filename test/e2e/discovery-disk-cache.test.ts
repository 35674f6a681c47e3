/**
 * The disk cache in kubectl's layout against the real apiserver: a second client (a new process,
 * in effect) discovers with no request; a corrupt file is a miss that gets rewritten.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DiskCachedDiscoveryClient,
  discoveryCacheDirName,
} from "../../runtime/clients/disk-cached-discovery.js";
import type { ClientConfig } from "../../runtime/config/types.js";
import { adminConfig } from "../support/client-config.js";

let dir: string;
let config: ClientConfig;
const requests: string[] = [];
const statuses: string[] = [];
const client = () =>
  DiskCachedDiscoveryClient.forConfig(config, {
    dir,
    httpCacheDir: join(dir, "http"),
    logger: {
      level: 6,
      write: (line) => {
        if (!line.startsWith("GET ")) return;
        requests.push(line.split(" ")[1]!);
        statuses.push(line.split(" ")[2]!);
      },
    },
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubegen-discovery-cache-"));
  config = await adminConfig();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("DiskCachedDiscoveryClient", () => {
  it("writes kubectl's layout with private files, and a new client reads it with no request", async () => {
    const first = client();
    const all = await first.serverGroupsAndResources();
    await first.close();
    const groups = JSON.parse(await readFile(join(dir, "servergroups.json"), "utf8"));
    expect(groups.kind).toBe("APIGroupList");
    expect(groups.groups.map((g: { name: string }) => g.name)).toContain("apps");
    const apps = JSON.parse(await readFile(join(dir, "apps", "v1", "serverresources.json"), "utf8"));
    expect(apps.resources.map((r: { name: string }) => r.name)).toContain("deployments");
    expect((await stat(join(dir, "apps", "v1", "serverresources.json"))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, "v1", "serverresources.json"), "utf8")).toContain('"pods"');

    requests.length = 0;
    const second = client();
    const again = await second.serverGroupsAndResources();
    await second.close();
    expect(requests).toEqual([]);
    expect(again.resources.map((l) => l.groupVersion)).toEqual(all.resources.map((l) => l.groupVersion));
  });

  it("treats a corrupt or truncated file as a miss and rewrites it", async () => {
    await writeFile(join(dir, "apps", "v1", "serverresources.json"), '{"groupVersion":"apps/v1","resour');
    requests.length = 0;
    const c = client();
    const apps = await c.serverResourcesForGroupVersion("apps/v1");
    await c.close();
    expect(apps.resources.map((r) => r.name)).toContain("deployments");
    expect(requests.length).toBeGreaterThan(0);
    expect(
      JSON.parse(await readFile(join(dir, "apps", "v1", "serverresources.json"), "utf8")).groupVersion,
    ).toBe("apps/v1");
  });

  it("refetches after invalidate()", async () => {
    const c = client();
    await c.serverGroups();
    requests.length = 0;
    await c.serverGroups();
    expect(requests).toEqual([]);
    c.invalidate();
    await new Promise((r) => setTimeout(r, 5));
    await c.serverGroups();
    expect(requests.length).toBeGreaterThan(0);
    await c.close();
  });
});

describe("HTTP cache for OpenAPI documents", () => {
  it("serves an immutable ?hash= document from the cache, and revalidates the v2 document with its ETag", async () => {
    const c = client();
    const index = await c.openAPIV3();
    const first = await c.openAPIV3Document("apis/apps/v1", index);
    requests.length = 0;
    const second = await c.openAPIV3Document("apis/apps/v1", index);
    expect(requests).toEqual([]);
    expect(second).toEqual(first);
    const v2 = await c.openAPISchema();
    requests.length = 0;
    statuses.length = 0;
    const again = await c.openAPISchema();
    // One revalidation request, answered 304 by the apiserver: same document, not downloaded again.
    expect(requests).toHaveLength(1);
    expect(statuses).toEqual(["304"]);
    expect(again.swagger).toBe("2.0");
    expect(Object.keys(again.definitions as object).length).toBe(
      Object.keys(v2.definitions as object).length,
    );
    await c.close();
  });
});

describe("discoveryCacheDirName", () => {
  it("sanitizes the server as client-go does", () => {
    expect(discoveryCacheDirName("https://127.0.0.1:6443")).toBe("127.0.0.1_6443");
    expect(discoveryCacheDirName("https://api.example.com:443/prefix/")).toBe("api.example.com_443/prefix");
    expect(discoveryCacheDirName("https://[::1]:6443")).toBe("___1__6443");
  });
});
