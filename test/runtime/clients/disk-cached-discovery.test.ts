/**
 * The disk cache when its folders cannot be written (a file where the folder should be, a folder
 * beneath a file, a cache entry blocked by a folder): discovery answers from the server, the disk
 * cache turns itself off, and the user is warned once.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DiskCachedDiscoveryClient } from "../../../runtime/clients/disk-cached-discovery.js";
import { legacyDiscoveryRoutes } from "./discovery-routes.js";

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "kubegen-disk-cache-"));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const servers: Server[] = [];
const clients: DiskCachedDiscoveryClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const routes: Record<string, unknown> = {
  ...legacyDiscoveryRoutes,
  "/openapi/v3": { paths: { "api/v1": { serverRelativeURL: "/openapi/v3/api/v1?hash=abc" } } },
  "/openapi/v3/api/v1?hash=abc": { openapi: "3.0.0" },
};

async function discovery(dir: string, httpCacheDir: string) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url!);
    const body = routes[req.url!];
    res.writeHead(body ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify(body ?? { kind: "Status", code: 404 }));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const warnings: string[] = [];
  const client = DiskCachedDiscoveryClient.forConfig(
    {
      server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      namespace: "default",
      tls: {},
      auth: { type: "none" },
    },
    { dir, httpCacheDir, onWarning: (m) => warnings.push(m), retry: { maxRetries: 0 } },
  );
  clients.push(client);
  return { client, warnings, seen };
}

async function answersAndWarnsOnce(dir: string, httpCacheDir: string, failing: string, code: RegExp) {
  const { client, warnings } = await discovery(dir, httpCacheDir);
  expect(client.diskCacheEnabled).toBe(true);
  const all = await client.serverGroupsAndResources();
  expect(all.resources.map((l) => l.groupVersion)).toEqual(["v1", "apps/v1"]);
  expect((await client.serverResourcesForGroupVersion("apps/v1")).resources[0]?.name).toBe("deployments");
  expect(await client.openAPIV3Document("api/v1")).toEqual({ openapi: "3.0.0" });
  client.invalidate();
  expect((await client.serverGroups()).map((g) => g.name)).toEqual(["", "apps"]);
  expect(client.diskCacheEnabled).toBe(false);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(
    new RegExp(`^discovery cache ${failing.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} cannot be written \\(`),
  );
  expect(warnings[0]).toMatch(code);
  expect(warnings[0]).toMatch(/; not caching discovery on disk$/);
}

describe("an unusable cache folder", () => {
  it("that is a file: discovery answers, the disk cache is off, one warning", async () => {
    const file = join(tmp, "not-a-folder");
    await writeFile(file, "x");
    await answersAndWarnsOnce(file, join(tmp, "http-ok-1"), file, /\((ENOTDIR|EEXIST)\)/);
  });

  it("beneath a file", async () => {
    const file = join(tmp, "a-file");
    await writeFile(file, "x");
    const dir = join(file, "discovery", "host_6443");
    await answersAndWarnsOnce(dir, join(file, "http"), dir, /\(ENOTDIR\)/);
  });

  it("whose entries cannot be replaced (a folder where a cache file goes)", async () => {
    const dir = join(tmp, "blocked");
    await mkdir(join(dir, "servergroups.json", "inside"), { recursive: true });
    await answersAndWarnsOnce(dir, join(tmp, "http-ok-2"), dir, /\((EISDIR|ENOTEMPTY|EEXIST|EPERM)\)/);
  });

  it("only the HTTP cache folder: OpenAPI documents still come from the server", async () => {
    const file = join(tmp, "http-file");
    await writeFile(file, "x");
    const { client, warnings, seen } = await discovery(join(tmp, "fine"), file);
    expect(await client.openAPIV3Document("api/v1")).toEqual({ openapi: "3.0.0" });
    expect(await client.openAPIV3Document("api/v1")).toEqual({ openapi: "3.0.0" });
    expect(seen.filter((u) => u.includes("hash=abc"))).toHaveLength(2);
    expect(warnings).toEqual([
      `discovery cache ${file} cannot be written (EEXIST); not caching discovery on disk`,
    ]);
  });
});
