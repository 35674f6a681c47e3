/**
 * The fake clientset beyond the conformance suite: reactors and actions, seeding, and the other
 * clients (dynamic, metadata, discovery, informers) running unchanged on the fake apiserver.
 */
import { describe, expect, it } from "vitest";
import { FakeClientset } from "../../../generated/kubernetes/fake.js";
import { InformerFactory } from "../../../generated/kubernetes/index.js";
import { DiscoveryClient } from "../../../runtime/clients/discovery.js";
import { DynamicClient } from "../../../runtime/clients/dynamic.js";
import { MetadataClient } from "../../../runtime/clients/metadata.js";
import { isGone, isNotFound, isResourceExpired, StatusError } from "../../../runtime/errors.js";

const configMap = (name: string, namespace = "default", labels?: Record<string, string>) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace, labels, resourceVersion: "999" },
  data: { name },
});

describe("FakeClientset", () => {
  it("is seeded from objects (a resourceVersion they carry is dropped)", async () => {
    const clientset = new FakeClientset({ objects: [configMap("a"), configMap("b", "other")] });
    const all = await clientset.coreV1.configMaps().list();
    expect(all.items.map((c) => `${c.metadata?.namespace}/${c.metadata?.name}`)).toEqual([
      "default/a",
      "other/b",
    ]);
    expect(all.items[0]?.metadata?.resourceVersion).not.toBe("999");
    expect(
      () =>
        new FakeClientset({
          objects: [{ apiVersion: "example.com/v1", kind: "Nope", metadata: { name: "x" } }],
        }),
    ).toThrow(/no resource serves example.com\/v1 Nope/);
  });

  it("is seeded from YAML documents, a List's items included", async () => {
    const clientset = new FakeClientset({
      yaml: [
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-yaml, namespace: default}\ndata: {k: v}",
        "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Namespace, metadata: {name: team-a}}",
      ].join("\n---\n"),
    });
    expect((await clientset.coreV1.configMaps("default").get("from-yaml")).data).toEqual({ k: "v" });
    expect((await clientset.coreV1.namespaces().list()).items.map((n) => n.metadata?.name)).toEqual([
      "team-a",
    ]);
    expect(() => new FakeClientset({ yaml: "- just\n- a list" })).toThrow(/must be a Kubernetes object/);
  });

  it("records every request as an action, and lets reactors answer first", async () => {
    const clientset = new FakeClientset({ objects: [configMap("a")] });
    const cms = clientset.coreV1.configMaps("default");
    clientset.prependReactor("delete", "configmaps", (action) =>
      action.name === "a"
        ? {
            error: new StatusError({
              kind: "Status",
              status: "Failure",
              code: 403,
              reason: "Forbidden",
              message: "injected",
            }),
          }
        : undefined,
    );
    clientset.prependReactor("get", "*", (action) =>
      action.name === "virtual"
        ? { object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "virtual" } } }
        : undefined,
    );
    await expect(cms.delete("a")).rejects.toMatchObject({ code: 403, reason: "Forbidden" });
    expect((await cms.get("virtual")).metadata?.name).toBe("virtual");
    await cms.update({ metadata: { name: "a" }, data: { v: "2" } });
    expect(clientset.actions().map((a) => `${a.verb} ${a.resource} ${a.name}`)).toEqual([
      "delete configmaps a",
      "get configmaps virtual",
      "update configmaps a",
    ]);
    expect(clientset.actions()[2]).toMatchObject({ namespace: "default", body: { data: { v: "2" } } });
  });

  it("serves the dynamic, metadata and discovery clients through the same HTTP layer", async () => {
    const clientset = new FakeClientset({ objects: [configMap("a", "default", { app: "web" })] });
    const dynamic = new DynamicClient(clientset.http);
    const listed = await dynamic
      .resource({ group: "", version: "v1", resource: "configmaps" })
      .namespace("default")
      .list();
    expect(listed.items.map((u) => `${u.kind} ${u.metadata?.name}`)).toEqual(["ConfigMap a"]);

    const metadata = new MetadataClient(clientset.http);
    const partial = await metadata
      .resource({ group: "", version: "v1", resource: "configmaps" })
      .namespace("default")
      .get("a");
    expect(partial).toEqual({
      apiVersion: "meta.k8s.io/v1",
      kind: "PartialObjectMetadata",
      metadata: expect.any(Object),
    });
    expect(JSON.stringify(partial)).not.toContain('"data"');

    const discovery = new DiscoveryClient(clientset.http);
    const groups = await discovery.serverGroups();
    expect(groups.map((g) => g.name)).toContain("apps");
    const apps = await discovery.serverResourcesForGroupVersion("apps/v1");
    expect(apps.resources.map((r) => r.name)).toEqual(
      expect.arrayContaining(["deployments", "deployments/scale"]),
    );
  });

  it("runs informers: streaming list, then the changes", async () => {
    const clientset = new FakeClientset({ objects: [configMap("a")] });
    const factory = new InformerFactory(clientset, { namespace: "default" });
    const { informer, lister } = factory.coreV1.configMaps();
    const seen: string[] = [];
    informer.addEventHandler({
      onAdd: (c) => void seen.push(`add ${c.metadata?.name}`),
      onDelete: (c) => void seen.push(`delete ${"key" in c ? c.key : c.metadata?.name}`),
    });
    factory.start();
    expect(await factory.waitForCacheSync()).toEqual({ "v1/configmaps": true });
    expect(informer.lastInitialList).toBe("streaming");
    await clientset.coreV1.configMaps("default").create({ metadata: { name: "b" } });
    await clientset.coreV1.configMaps("default").delete("a");
    const deadline = Date.now() + 2000;
    while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual(["add a", "add b", "delete a"]);
    expect(lister.list().map((c) => c.metadata?.name)).toEqual(["b"]);
    let missing: unknown;
    try {
      lister.namespace("default").get("a");
    } catch (err) {
      missing = err;
    }
    expect(isNotFound(missing)).toBe(true);
    await factory.shutdown();
  });

  it("answers a watch from a compacted resourceVersion with 410", async () => {
    const clientset = new FakeClientset({ objects: [configMap("a")] });
    const cms = clientset.coreV1.configMaps("default");
    const { metadata } = await cms.list();
    await cms.create({ metadata: { name: "b" } });
    clientset.fake.tracker.compact();
    let error: unknown;
    try {
      for await (const _ of cms.watch({ resourceVersion: metadata?.resourceVersion })) break;
    } catch (err) {
      error = err;
    }
    expect(isResourceExpired(error) || isGone(error)).toBe(true);
    expect(String(error)).toMatch(/too old resource version/);
  });
});
