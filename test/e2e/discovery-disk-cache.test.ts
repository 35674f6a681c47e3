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
const client = () =>
  DiskCachedDiscoveryClient.forConfig(config, {
    dir,
    logger: { level: 6, write: (line) => line.startsWith("GET ") && requests.push(line.split(" ")[1]!) },
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

describe("discoveryCacheDirName", () => {
  it("sanitizes the server as client-go does", () => {
    expect(discoveryCacheDirName("https://127.0.0.1:6443")).toBe("127.0.0.1_6443");
    expect(discoveryCacheDirName("https://api.example.com:443/prefix/")).toBe("api.example.com_443/prefix");
    expect(discoveryCacheDirName("https://[::1]:6443")).toBe("___1__6443");
  });
});
