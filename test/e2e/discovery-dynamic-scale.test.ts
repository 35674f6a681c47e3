/**
 * DiscoveryClient, DynamicClient and ScaleClient against the real apiserver: discovery agrees with
 * the apiserver's own /api and /apis answers; dynamic CRUD and watch on a custom resource, and
 * conversion to the generated types; the ScaleClient scales a Deployment and a custom resource.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Deployment } from "../../generated/kubernetes/apps/v1.js";
import { DiscoveryClient } from "../../runtime/clients/discovery.js";
import { DynamicClient } from "../../runtime/clients/dynamic.js";
import { ScaleClient, ScaleNotSupportedError } from "../../runtime/clients/scale.js";
import {
  fromUnstructured,
  nestedNumber,
  setNestedField,
  type Unstructured,
} from "../../runtime/clients/unstructured.js";
import { isNotFound } from "../../runtime/errors.js";
import { adminConfig } from "../support/client-config.js";
import { adminClient, installTestCrd, useTestNamespace } from "../support/cluster.js";

const namespace = useTestNamespace("dyn");
let discovery: DiscoveryClient;
let dynamic: DynamicClient;
let scales: ScaleClient;
const widgets = { group: "example.kubegen.dev", version: "v1", resource: "widgets" };

beforeAll(async () => {
  const config = await adminConfig();
  discovery = DiscoveryClient.forConfig(config);
  dynamic = DynamicClient.forConfig(config);
  scales = new ScaleClient(discovery);
  await installTestCrd("multi-version/widgets.yaml");
});
afterAll(async () => {
  await discovery.close();
  await dynamic.close();
});

describe("DiscoveryClient", () => {
  it("agrees with the apiserver's /api and /apis answers", async () => {
    const raw = await adminClient();
    try {
      const apis = (await raw.request<{ groups: { name: string }[] }>("GET", "/apis")).body;
      const groups = await discovery.serverGroups();
      expect(groups[0]).toMatchObject({ name: "", preferredVersion: { groupVersion: "v1" } });
      expect(groups.slice(1).map((g) => g.name)).toEqual(apis.groups.map((g) => g.name));
      const apps = await discovery.serverResourcesForGroupVersion("apps/v1");
      const rawApps = (await raw.request<{ resources: { name: string }[] }>("GET", "/apis/apps/v1")).body;
      expect(apps.resources.map((r) => r.name)).toEqual(rawApps.resources.map((r) => r.name));
      expect(apps.resources.find((r) => r.name === "deployments/scale")).toMatchObject({
        group: "autoscaling",
        version: "v1",
        kind: "Scale",
      });
      expect((await discovery.serverVersion()).gitVersion).toMatch(/^v1\./);
    } finally {
      await raw.close();
    }
  });

  it("lists preferred resources of every group, custom resources included", async () => {
    const preferred = await discovery.serverPreferredResources();
    const flat = preferred.flatMap((l) => l.resources.map((r) => `${r.name}.${l.groupVersion}`));
    expect(flat).toContain("pods.v1");
    expect(flat).toContain("deployments.apps/v1");
    expect(flat).toContain("widgets.example.kubegen.dev/v1");
    expect(flat.some((n) => n.includes("/log"))).toBe(false);
    const namespaced = await discovery.serverPreferredNamespacedResources();
    expect(namespaced.flatMap((l) => l.resources).every((r) => r.namespaced)).toBe(true);
    const all = await discovery.serverGroupsAndResources();
    expect(all.failed.size).toBe(0);
    expect(all.resources.map((l) => l.groupVersion)).toContain("example.kubegen.dev/v1beta1");
  });
});

describe("DiscoveryClient OpenAPI documents", () => {
  it("reads the /openapi/v3 index, a document through its hash URL, and the v2 document", async () => {
    const index = await discovery.openAPIV3();
    expect(index.get("apis/apps/v1")).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]+$/);
    const apps = await discovery.openAPIV3Document("apis/apps/v1", index);
    expect(Object.keys((apps.components as { schemas: object }).schemas)).toContain(
      "io.k8s.api.apps.v1.Deployment",
    );
    const v2 = await discovery.openAPISchema();
    expect(v2.swagger).toBe("2.0");
    await expect(discovery.openAPIV3Document("apis/nothing/v1", index)).rejects.toThrow(
      /lists no document "apis\/nothing\/v1"/,
    );
  });

  it("follows the apiserver's 301 from a stale hash URL to the current document", async () => {
    const index = await discovery.openAPIV3();
    const current = index.get("apis/apps/v1")!;
    const stale = current.replace(/hash=[0-9A-F]+/, "hash=0123456789ABCDEF");
    const raw = await adminClient();
    try {
      // What the server says, seen without kubegen's transport.
      const answer = await raw.request("GET", stale);
      expect(answer.status).toBe(301);
      expect(answer.headers.location).toBe(current);
    } finally {
      await raw.close();
    }
    const apps = await discovery.openAPIV3Document("apis/apps/v1", new Map([["apis/apps/v1", stale]]));
    expect(Object.keys((apps.components as { schemas: object }).schemas)).toContain(
      "io.k8s.api.apps.v1.Deployment",
    );
  });
});

describe("DynamicClient", () => {
  it("creates, gets, lists, watches, patches and deletes a custom resource", async () => {
    const client = dynamic.resource(widgets).namespace(namespace());
    const created = await client.create({
      apiVersion: "example.kubegen.dev/v1",
      kind: "Widget",
      metadata: { name: "dyn" },
      spec: { size: "medium", replicas: 1 },
    });
    expect(nestedNumber(created, "spec", "replicas")).toBe(1);
    const events: string[] = [];
    const watching = (async () => {
      for await (const e of client.watch({ resourceVersion: created.metadata?.resourceVersion })) {
        events.push(`${e.type}:${nestedNumber(e.object, "spec", "replicas")}`);
        if (e.type === "DELETED") break;
      }
    })();
    const got = await client.get("dyn");
    setNestedField(got, 4, "spec", "replicas");
    await client.update(got);
    await client.patch("dyn", { spec: { size: "large" } });
    expect((await client.list()).items.map((w) => w.metadata?.name)).toEqual(["dyn"]);
    expect((await dynamic.resource(widgets).list()).items.map((w) => w.metadata?.namespace)).toContain(
      namespace(),
    );
    await client.delete("dyn");
    await watching;
    expect(events).toEqual(["MODIFIED:4", "MODIFIED:4", "DELETED:4"]);
    await expect(client.get("dyn")).rejects.toSatisfy(isNotFound);
  });

  it("converts to and from the generated types, checking apiVersion and kind", async () => {
    const deployments = dynamic
      .resource({ group: "apps", version: "v1", resource: "deployments" })
      .namespace(namespace());
    const object: Unstructured = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "dyn-web" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "dyn" } },
        template: {
          metadata: { labels: { app: "dyn" } },
          spec: { containers: [{ name: "c", image: "registry.invalid/c:1" }] },
        },
      },
    };
    const created = await deployments.create(object);
    const typed = fromUnstructured<Deployment>(created, { apiVersion: "apps/v1", kind: "Deployment" });
    expect(typed.spec?.template.spec?.containers[0]?.image).toBe("registry.invalid/c:1");
    expect(() =>
      fromUnstructured<Deployment>(created, { apiVersion: "apps/v1", kind: "StatefulSet" }),
    ).toThrow(/expected apps\/v1 StatefulSet, got apps\/v1 Deployment \(dyn-web\)/);

    // The apiserver sends built-in list items without apiVersion and kind; the list gives them.
    const raw = await adminClient();
    try {
      const wire = await raw.request<{ items: Unstructured[] }>(
        "GET",
        `/apis/apps/v1/namespaces/${namespace()}/deployments`,
      );
      expect(wire.body.items[0]).not.toHaveProperty("kind");
    } finally {
      await raw.close();
    }
    const listed = await deployments.list();
    const items = listed.items.map((item) =>
      fromUnstructured<Deployment>(item, { apiVersion: "apps/v1", kind: "Deployment" }),
    );
    expect(items.map((d) => d.metadata?.name)).toEqual(["dyn-web"]);
    const paged: string[] = [];
    for await (const item of deployments.items({ limit: 1 })) paged.push(`${item.apiVersion} ${item.kind}`);
    expect(paged).toEqual(["apps/v1 Deployment"]);
  });

  it("reports an unknown resource as NotFound", async () => {
    await expect(
      dynamic.resource({ group: "apps", version: "v1", resource: "nonsense" }).namespace(namespace()).list(),
    ).rejects.toSatisfy(isNotFound);
  });
});

describe("ScaleClient", () => {
  it("scales a Deployment, and its replicas follow", async () => {
    const ns = scales.scales(namespace());
    const before = await ns.get("deployments.apps", "dyn-web");
    expect(before.spec?.replicas).toBe(1);
    const after = await ns.update("deployments.apps", { ...before, spec: { replicas: 3 } });
    expect(after.spec?.replicas).toBe(3);
    const deployment = await dynamic
      .resource({ group: "apps", version: "v1", resource: "deployments" })
      .namespace(namespace())
      .get("dyn-web");
    expect(nestedNumber(deployment, "spec", "replicas")).toBe(3);
    expect(
      (await ns.patch({ group: "apps", resource: "deployments" }, "dyn-web", { spec: { replicas: 2 } })).spec
        ?.replicas,
    ).toBe(2);
  });

  it("scales a custom resource with a scale subresource", async () => {
    const client = dynamic.resource(widgets).namespace(namespace());
    await client.create({
      apiVersion: "example.kubegen.dev/v1",
      kind: "Widget",
      metadata: { name: "scaled" },
      spec: { size: "small", replicas: 1 },
    });
    const ns = scales.scales(namespace());
    const scale = await ns.get("widgets.example.kubegen.dev", "scaled");
    await ns.update("widgets.example.kubegen.dev", { ...scale, spec: { replicas: 6 } });
    expect(nestedNumber(await client.get("scaled"), "spec", "replicas")).toBe(6);
  });

  it("says clearly when a resource has no scale subresource or is not served", async () => {
    await expect(scales.scales(namespace()).get("configmaps", "x")).rejects.toThrow(ScaleNotSupportedError);
    await expect(scales.scales(namespace()).get("configmaps", "x")).rejects.toThrow(
      /configmaps has no scale subresource/,
    );
    await expect(scales.scales(namespace()).get("things.not-served.example", "x")).rejects.toThrow(
      /does not serve the API group "not-served.example"/,
    );
  });
});
