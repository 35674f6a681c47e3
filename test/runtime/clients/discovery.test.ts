/**
 * Discovery against small local servers for what a real apiserver will not do on demand: a stale
 * aggregated group (an aggregated API server that is down), and a server without aggregated
 * discovery where one group answers 503.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { DiscoveryClient, GroupDiscoveryFailedError } from "../../../runtime/clients/discovery.js";
import { HttpClient } from "../../../runtime/rest/http-client.js";
import { appsGroup, legacyDiscoveryRoutes } from "./discovery-routes.js";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function fakeApiserver(
  routes: Record<string, (accept: string) => [number, unknown]>,
): Promise<{ client: DiscoveryClient; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url!);
    const route = routes[req.url!];
    const [code, body] = route
      ? route(String(req.headers.accept))
      : [404, { kind: "Status", code: 404, reason: "NotFound" }];
    res.writeHead(code, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const http = HttpClient.forConfig(
    { server: url, namespace: "default", tls: {}, auth: { type: "none" }, qps: -1 },
    { retry: { maxRetries: 0 } },
  );
  return { client: new DiscoveryClient(http), seen };
}

const resource = (name: string, kind: string) => ({
  resource: name,
  responseKind: { group: "", version: "", kind },
  scope: "Namespaced",
  verbs: ["get", "list"],
});

describe("aggregated discovery", () => {
  it("reports a stale group-version as failed and returns the rest", async () => {
    const { client, seen } = await fakeApiserver({
      "/api": (accept) => [
        200,
        accept.includes("apidiscovery")
          ? {
              kind: "APIGroupDiscoveryList",
              items: [{ metadata: {}, versions: [{ version: "v1", resources: [resource("pods", "Pod")] }] }],
            }
          : {},
      ],
      "/apis": () => [
        200,
        {
          kind: "APIGroupDiscoveryList",
          items: [
            {
              metadata: { name: "apps" },
              versions: [{ version: "v1", resources: [resource("deployments", "Deployment")] }],
            },
            { metadata: { name: "metrics.k8s.io" }, versions: [{ version: "v1beta1", freshness: "Stale" }] },
          ],
        },
      ],
    });
    const all = await client.serverGroupsAndResources();
    expect(seen).toEqual(["/api", "/apis"]);
    expect(all.resources.map((l) => l.groupVersion)).toEqual(["v1", "apps/v1"]);
    expect([...all.failed.keys()]).toEqual(["metrics.k8s.io/v1beta1"]);
    const err = await client.serverPreferredResources().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GroupDiscoveryFailedError);
    expect((err as GroupDiscoveryFailedError).message).toContain("metrics.k8s.io/v1beta1");
    expect((err as GroupDiscoveryFailedError).partial.map((l) => l.groupVersion)).toEqual(["v1", "apps/v1"]);
    await client.close();
  });
});

describe("legacy discovery", () => {
  it("falls back to per-group requests and reports a group answering 503, keeping the others", async () => {
    const ok = (body: unknown) => (): [number, unknown] => [200, body];
    const { client, seen } = await fakeApiserver({
      ...Object.fromEntries(Object.entries(legacyDiscoveryRoutes).map(([url, body]) => [url, ok(body)])),
      "/apis": ok({
        kind: "APIGroupList",
        groups: [
          appsGroup,
          { name: "broken.example", versions: [{ groupVersion: "broken.example/v1", version: "v1" }] },
        ],
      }),
      "/apis/broken.example/v1": () => [
        503,
        { kind: "Status", code: 503, reason: "ServiceUnavailable", message: "service unavailable" },
      ],
    });
    const all = await client.serverGroupsAndResources();
    expect(all.groups.map((g) => g.name)).toEqual(["", "apps", "broken.example"]);
    expect(all.resources.map((l) => l.groupVersion)).toEqual(["v1", "apps/v1"]);
    expect(all.failed.get("broken.example/v1")?.message).toContain("service unavailable");
    expect(seen.filter((u) => u === "/api" || u === "/apis").length).toBe(4);
    await client.close();
  });
});
