/**
 * The generated clients against the real apiserver: the built-in clientset (generated/kubernetes)
 * and a CRD clientset generated from our own test CRDs (the generator's snapshot output for test/fixtures/crds/multi-version), each doing
 * create, get, list, watch, update status, scale and delete.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Deployment, deployments } from "../../generated/kubernetes/apps/v1.js";
import { Clientset } from "../../generated/kubernetes/index.js";
import { DynamicClient } from "../../runtime/clients/dynamic.js";
import { PatchTypes } from "../../runtime/core/patch.js";
import { isNotFound, StatusError } from "../../runtime/errors.js";
import { Widget } from "../generator/__snapshots__/multi-version/example.kubegen.dev/v1.js";
import { Clientset as CrdClientset } from "../generator/__snapshots__/multi-version/index.js";
import { adminConfig } from "../support/client-config.js";
import { installTestCrd, useTestNamespace } from "../support/cluster.js";

const namespace = useTestNamespace("gen");
let clientset: Clientset;
let crds: CrdClientset;

beforeAll(async () => {
  const config = await adminConfig();
  clientset = Clientset.forConfig(config);
  // The CRD clientset shares the built-in one's HTTP layer: one pool, one rate limiter.
  crds = new CrdClientset(clientset.http);
  await installTestCrd("multi-version/widgets.yaml");
});
afterAll(() => clientset.close());

describe("built-in clientset", () => {
  it("types a zero metav1.Time or MicroTime as null, as the apiserver sends it", async () => {
    const ns = namespace();
    // events.k8s.io/v1 requires eventTime; the core view of the same Event has no first timestamp.
    await clientset.eventsV1.events(ns).create({
      metadata: { name: "modern" },
      eventTime: new Date().toISOString().replace("Z", "000Z"),
      reportingController: "kubegen.dev/test",
      reportingInstance: "test-1",
      action: "Testing",
      reason: "Tested",
      type: "Normal",
      regarding: { kind: "ConfigMap", name: "anything", namespace: ns, apiVersion: "v1" },
    });
    const asCore = await clientset.coreV1.events(ns).get("modern");
    const first: string | null | undefined = asCore.firstTimestamp;
    expect(first).toBeNull();
    // A core/v1 Event carries no eventTime: events.k8s.io/v1 reads it back as null though required.
    await clientset.coreV1.events(ns).create({
      metadata: { name: "legacy" },
      involvedObject: { kind: "ConfigMap", name: "anything", namespace: ns, apiVersion: "v1" },
      reason: "Tested",
      message: "a core event",
      type: "Normal",
      firstTimestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      source: { component: "kubegen-test" },
    });
    const asEvents = await clientset.eventsV1.events(ns).get("legacy");
    const eventTime: string | null = asEvents.eventTime;
    expect(eventTime).toBeNull();
    expect(asEvents.deprecatedFirstTimestamp).toMatch(/^\d{4}-/);
  });

  it("creates, gets, lists and deletes a ConfigMap", async () => {
    const configMaps = clientset.coreV1.configMaps(namespace());
    await configMaps.create({ metadata: { name: "typed" }, data: { k: "v" } });
    expect((await configMaps.get("typed")).data).toEqual({ k: "v" });
    expect((await configMaps.list()).items.map((c) => c.metadata?.name)).toContain("typed");
    await configMaps.delete("typed");
    await expect(configMaps.get("typed")).rejects.toSatisfy(isNotFound);
  });

  it("scales a Deployment, updates its status, and watches it change", async () => {
    const deployments = clientset.appsV1.deployments(namespace());
    const created = await deployments.create(
      Deployment({
        metadata: { name: "web", labels: { app: "web" } },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "web", image: "registry.invalid/web:1" }] },
          },
        },
      }),
    );
    expect(created.spec?.replicas).toBe(1);

    const events: string[] = [];
    const watching = (async () => {
      for await (const e of deployments.watch({ resourceVersion: created.metadata?.resourceVersion })) {
        events.push(`${e.type}:${e.object.spec?.replicas}`);
        if (e.type === "MODIFIED" && e.object.spec?.replicas === 3) break;
      }
    })();

    const scale = await deployments.getScale("web");
    expect(scale.spec?.replicas).toBe(1);
    const scaled = await deployments.updateScale("web", { ...scale, spec: { replicas: 3 } });
    expect(scaled.spec?.replicas).toBe(3);
    await watching;
    expect(events).toContain("MODIFIED:3");
    expect((await deployments.get("web")).spec?.replicas).toBe(3);

    const current = await deployments.get("web");
    const withStatus = await deployments.updateStatus({
      ...current,
      status: { observedGeneration: 7, replicas: 0 },
    });
    expect(withStatus.status?.observedGeneration).toBe(7);

    await deployments.delete("web");
    await expect(deployments.get("web")).rejects.toSatisfy(isNotFound);
  });

  it("requests a service account token and evicts a pod through their subresources", async () => {
    await clientset.coreV1.serviceAccounts(namespace()).create({ metadata: { name: "robot" } });
    const token = await clientset.coreV1
      .serviceAccounts(namespace())
      .createToken("robot", { spec: { audiences: ["kubegen-test"], expirationSeconds: 600 } });
    expect(token.status?.token.split(".")).toHaveLength(3);

    const pods = clientset.coreV1.pods(namespace());
    await pods.create({
      metadata: { name: "evictee" },
      spec: { containers: [{ name: "c", image: "registry.invalid/c:1" }] },
    });
    const status = await pods.evict("evictee");
    expect(status.status).toBe("Success");
    await expect(pods.get("evictee")).rejects.toSatisfy(isNotFound);
  });

  it("strategic-merge-patches a Deployment's containers by name, where a merge patch replaces the list", async () => {
    // The generated descriptor says `strategicMergePatch: true`: the apiserver accepts it here.
    expect(deployments.strategicMergePatch).toBe(true);
    const client = clientset.appsV1.deployments(namespace());
    await client.create(
      Deployment({
        metadata: { name: "patched", labels: { app: "patched", tier: "web" } },
        spec: {
          selector: { matchLabels: { app: "patched" } },
          template: {
            metadata: { labels: { app: "patched" } },
            spec: {
              containers: [
                { name: "a", image: "registry.invalid/a:1" },
                { name: "b", image: "registry.invalid/b:1" },
              ],
            },
          },
        },
      }),
    );
    const images = (d: Deployment) => d.spec?.template.spec?.containers.map((c) => `${c.name}=${c.image}`);

    const strategic = await client.patch(
      "patched",
      { spec: { template: { spec: { containers: [{ name: "b", image: "registry.invalid/b:2" }] } } } },
      PatchTypes.strategicMerge,
    );
    expect(images(strategic)).toEqual(["a=registry.invalid/a:1", "b=registry.invalid/b:2"]);

    const merged = await client.patch("patched", {
      metadata: { labels: { tier: null } },
      spec: { template: { spec: { containers: [{ name: "b", image: "registry.invalid/b:3" }] } } },
    });
    expect(images(merged)).toEqual(["b=registry.invalid/b:3"]);
    expect(merged.metadata?.labels).toEqual({ app: "patched" });

    const jsonPatched = await client.patch(
      "patched",
      [
        { op: "test", path: "/spec/template/spec/containers/0/name", value: "b" },
        { op: "replace", path: "/spec/template/spec/containers/0/image", value: "registry.invalid/b:4" },
      ],
      PatchTypes.json,
    );
    expect(images(jsonPatched)).toEqual(["b=registry.invalid/b:4"]);
    await client.delete("patched");
  });

  it("lists cluster-scoped namespaces without a namespace argument", async () => {
    const list = await clientset.coreV1.namespaces().list();
    expect(list.items.map((n) => n.metadata?.name)).toContain(namespace());
  });
});

describe("CRD clientset generated from our test CRDs", () => {
  it("creates, gets, lists, watches, updates status, scales and deletes a Widget", async () => {
    const widgets = crds.exampleV1.widgets(namespace());
    const created = await widgets.create(
      Widget({
        metadata: { name: "w1" },
        spec: { size: "small", replicas: 2, port: "http", "my-field": true },
      }),
    );
    expect(created.spec).toMatchObject({ size: "small", replicas: 2, port: "http", "my-field": true });

    const events: string[] = [];
    const watching = (async () => {
      for await (const e of widgets.watch({ resourceVersion: created.metadata?.resourceVersion })) {
        events.push(`${e.type}:${e.object.spec?.replicas}`);
        if (e.type === "DELETED") break;
      }
    })();

    expect((await widgets.list()).items.map((w) => w.metadata?.name)).toEqual(["w1"]);
    const got = await widgets.get("w1");
    const status = await widgets.updateStatus({
      ...got,
      status: { phase: "Ready", replicas: 2, selector: "app=w" },
    });
    expect(status.status).toEqual({ phase: "Ready", replicas: 2, selector: "app=w" });

    const scale = await widgets.getScale("w1");
    expect(scale.spec?.replicas).toBe(2);
    expect(scale.status?.selector).toBe("app=w");
    await widgets.updateScale("w1", { ...scale, spec: { replicas: 5 } });
    expect((await widgets.get("w1")).spec?.replicas).toBe(5);

    await widgets.delete("w1");
    await watching;
    expect(events).toEqual(["MODIFIED:2", "MODIFIED:5", "DELETED:5"]);
    await expect(widgets.get("w1")).rejects.toSatisfy(isNotFound);
  });

  it("merge- and JSON-patches a Widget; the apiserver refuses a strategic merge patch (415)", async () => {
    const widgets = crds.exampleV1.widgets(namespace());
    await widgets.create(Widget({ metadata: { name: "w2" }, spec: { size: "small", color: "red" } }));
    const merged = await widgets.patch("w2", { spec: { size: "large", color: null } });
    // null deleted color; the schema defaults replicas to 1.
    expect(merged.spec).toEqual({ size: "large", replicas: 1 });
    const jsonPatched = await widgets.patch(
      "w2",
      [{ op: "replace", path: "/spec/replicas", value: 4 }],
      PatchTypes.json,
    );
    expect(jsonPatched.spec?.replicas).toBe(4);
    // Why the typed client offers no strategic merge here: the untyped dynamic client still sends it.
    const dynamic = new DynamicClient(clientset.http)
      .resource({ group: "example.kubegen.dev", version: "v1", resource: "widgets" })
      .namespace(namespace());
    const refused = await dynamic
      .patch("w2", { spec: { size: "small" } }, PatchTypes.strategicMerge)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StatusError);
    expect((refused as StatusError).code).toBe(415);
    await widgets.delete("w2");
  });

  it("serves the deprecated v1beta1 version with a warning", async () => {
    const warnings: string[] = [];
    const { HttpClient } = await import("../../runtime/rest/http-client.js");
    const http = HttpClient.forConfig(await adminConfig(), { warningHandler: (w) => warnings.push(w) });
    try {
      const list = await new CrdClientset(http).exampleV1beta1.widgets(namespace()).list();
      expect(list.kind).toBe("WidgetList");
      expect(warnings).toContain("example.kubegen.dev/v1beta1 Widget is deprecated; use v1");
    } finally {
      await http.close();
    }
  });
});
