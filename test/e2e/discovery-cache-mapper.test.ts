/**
 * Cached and aggregated discovery and the RESTMapper against the real apiserver: request counts,
 * short names and categories, and a CRD installed after the mapper was built.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CachedDiscoveryClient } from "../../runtime/clients/cached-discovery.js";
import { NoMatchError, RESTMapper } from "../../runtime/clients/rest-mapper.js";
import { adminConfig } from "../support/client-config.js";
import { adminClient, installCrd } from "../support/cluster.js";

const requests: string[] = [];
let discovery: CachedDiscoveryClient;

beforeAll(async () => {
  discovery = CachedDiscoveryClient.forConfig(await adminConfig(), {
    logger: { level: 6, write: (line) => line.startsWith("GET ") && requests.push(line.split(" ")[1]!) },
  });
});
afterAll(() => discovery.close());

describe("CachedDiscoveryClient", () => {
  it("discovers the whole API with at most 2 requests (aggregated), and none again within the TTL", async () => {
    requests.length = 0;
    const first = await discovery.serverGroupsAndResources();
    expect(requests.length).toBeLessThanOrEqual(2);
    expect(first.resources.map((l) => l.groupVersion)).toEqual(expect.arrayContaining(["v1", "apps/v1"]));
    const apps = first.resources.find((l) => l.groupVersion === "apps/v1")!;
    expect(apps.resources.find((r) => r.name === "deployments")).toMatchObject({
      kind: "Deployment",
      namespaced: true,
      shortNames: ["deploy"],
    });
    expect(apps.resources.find((r) => r.name === "deployments/scale")).toMatchObject({
      group: "autoscaling",
      version: "v1",
      kind: "Scale",
    });
    const counted = requests.length;
    await discovery.serverGroupsAndResources();
    await discovery.serverPreferredResources();
    expect(requests.slice(counted)).toEqual([]);
    discovery.invalidate();
    await discovery.serverGroupsAndResources();
    expect(requests.length).toBeGreaterThan(counted);
  });
});

describe("RESTMapper", () => {
  it("maps short names, singulars, qualified names and kinds", async () => {
    const mapper = new RESTMapper(discovery);
    expect(await mapper.resourceFor("deploy")).toEqual({
      group: "apps",
      version: "v1",
      resource: "deployments",
    });
    expect(await mapper.resourceFor("deployment")).toEqual({
      group: "apps",
      version: "v1",
      resource: "deployments",
    });
    expect(await mapper.kindFor("deployments.apps")).toEqual({
      group: "apps",
      version: "v1",
      kind: "Deployment",
    });
    expect(await mapper.kindFor("po")).toEqual({ group: "", version: "v1", kind: "Pod" });
    const mapping = await mapper.restMapping({ group: "", kind: "Namespace" });
    expect(mapping).toMatchObject({ resource: { resource: "namespaces" }, namespaced: false });
    expect(await mapper.expandCategory("all")).toEqual(
      expect.arrayContaining(["pods", "deployments.apps", "services"]),
    );
  });

  it("finds a CRD installed after it was built, refreshing discovery once", async () => {
    const mapper = new RESTMapper(discovery);
    await mapper.mappings();
    const group = `late-${randomBytes(3).toString("hex")}.kubegen.dev`;
    const raw = await adminClient();
    await installCrd(raw, {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `gadgets.${group}` },
      spec: {
        group,
        scope: "Namespaced",
        names: {
          kind: "Gadget",
          plural: "gadgets",
          singular: "gadget",
          shortNames: ["gdg"],
          categories: ["kubegen-late"],
        },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
          },
        ],
      },
    } as never);
    await raw.close();
    // The apiserver publishes a new CRD in discovery shortly after it is Established.
    let found: unknown;
    for (let i = 0; i < 50 && !found; i++) {
      found = await mapper
        .resourceFor("gdg")
        .catch((e: unknown) => (e instanceof NoMatchError ? undefined : Promise.reject(e)));
      if (!found) await new Promise((r) => setTimeout(r, 200));
    }
    expect(found).toEqual({ group, version: "v1", resource: "gadgets" });
  });

  it("fails clearly for a resource nobody serves", async () => {
    await expect(new RESTMapper(discovery).resourceFor("frobnicators")).rejects.toThrow(
      /no matches for resource "frobnicators": the server does not serve it \(discovery was refreshed\)/,
    );
  });
});
