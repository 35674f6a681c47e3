import { describe, expect, it } from "vitest";
import { ResourceClient } from "../../../runtime/clients/resource-client.js";
import type { KubeList } from "../../../runtime/core/object.js";
import { PatchTypes } from "../../../runtime/core/patch.js";
import { defineResource } from "../../../runtime/core/resource.js";
import { deployments, type Thing } from "../../support/resources.js";
import { RecordingCaller } from "./fake-caller.js";

const nodes = defineResource<Thing, KubeList<Thing>>()({
  group: "",
  version: "v1",
  plural: "nodes",
  singular: "node",
  kind: "Node",
  listKind: "NodeList",
  namespaced: false,
  verbs: ["get", "list"],
  subresources: [],
});

describe("ResourceClient request building", () => {
  it("gets an object by name in its namespace, with options as query", async () => {
    const caller = new RecordingCaller();
    await new ResourceClient<Thing>(caller, deployments, "ns1").get("web", { resourceVersion: "0" });
    expect(caller.last).toMatchObject({
      method: "GET",
      path: "/apis/apps/v1/namespaces/ns1/deployments/web",
      query: { resourceVersion: "0" },
    });
  });

  it("lists across all namespaces when the client has none, and cluster-scoped without a namespace", async () => {
    const caller = new RecordingCaller();
    await new ResourceClient<Thing>(caller, deployments).list({ labelSelector: "app=web", limit: 10 });
    expect(caller.last).toMatchObject({
      method: "GET",
      path: "/apis/apps/v1/deployments",
      query: { labelSelector: "app=web", limit: 10 },
    });
    await new ResourceClient<Thing>(caller, nodes).get("node-1");
    expect(caller.last.path).toBe("/api/v1/nodes/node-1");
  });

  it("refuses a namespace for a cluster-scoped resource and a nameless call without one", () => {
    const caller = new RecordingCaller();
    expect(() => new ResourceClient<Thing>(caller, nodes, "ns")).toThrow(/cluster-scoped/);
    expect(() => new ResourceClient<Thing>(caller, deployments).get("web")).toThrow(/needs a namespace/);
  });

  it("creates with apiVersion and kind filled in, in the object's namespace when the client spans all", async () => {
    const caller = new RecordingCaller();
    await new ResourceClient<Thing>(caller, deployments).create(
      { metadata: { name: "web", namespace: "ns2" }, spec: { size: 1 } },
      { dryRun: ["All"], fieldManager: "me" },
    );
    expect(caller.last).toMatchObject({
      method: "POST",
      path: "/apis/apps/v1/namespaces/ns2/deployments",
      query: { dryRun: ["All"], fieldManager: "me" },
      body: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "ns2" } },
    });
  });

  it("rejects an object whose namespace disagrees with the client's", () => {
    const caller = new RecordingCaller();
    const client = new ResourceClient<Thing>(caller, deployments, "ns1");
    expect(() => client.create({ metadata: { name: "x", namespace: "other" } })).toThrow(/does not match/);
  });

  it("updates and updates status with PUT on the object and its status subresource", async () => {
    const caller = new RecordingCaller();
    const client = new ResourceClient<Thing>(caller, deployments, "ns1");
    await client.update({ metadata: { name: "web", resourceVersion: "7" } });
    expect(caller.last).toMatchObject({
      method: "PUT",
      path: "/apis/apps/v1/namespaces/ns1/deployments/web",
    });
    await client.updateStatus({ metadata: { name: "web" } });
    expect(caller.last.path).toBe("/apis/apps/v1/namespaces/ns1/deployments/web/status");
    expect(() => client.update({ metadata: {} })).toThrow(/metadata.name is required/);
  });

  it("patches with the patch type as content type, and applies with the apply content type", async () => {
    const caller = new RecordingCaller();
    const client = new ResourceClient<Thing>(caller, deployments, "ns1");
    await client.patch("web", [{ op: "replace", path: "/spec/size", value: 2 }], PatchTypes.json);
    expect(caller.last).toMatchObject({ method: "PATCH", contentType: "application/json-patch+json" });
    await client.apply(
      { metadata: { name: "web" }, spec: { size: 3 } },
      { fieldManager: "tool", force: true },
    );
    expect(caller.last).toMatchObject({
      method: "PATCH",
      path: "/apis/apps/v1/namespaces/ns1/deployments/web",
      contentType: "application/apply-patch+yaml",
      query: { fieldManager: "tool", force: true },
      body: { apiVersion: "apps/v1", kind: "Deployment", spec: { size: 3 } },
    });
  });

  it("sends each patch type's body as is, with its content type, to the object or its subresource", async () => {
    const caller = new RecordingCaller();
    const client = new ResourceClient<Thing>(caller, deployments, "ns1");
    await client.patch("web", { spec: { size: null }, metadata: { labels: { a: "1" } } });
    expect(caller.last).toMatchObject({
      method: "PATCH",
      path: "/apis/apps/v1/namespaces/ns1/deployments/web",
      contentType: "application/merge-patch+json",
      body: { spec: { size: null }, metadata: { labels: { a: "1" } } },
    });
    await client.patchStatus("web", { status: { ready: true } }, PatchTypes.strategicMerge, {
      fieldManager: "me",
    });
    expect(caller.last).toMatchObject({
      path: "/apis/apps/v1/namespaces/ns1/deployments/web/status",
      contentType: "application/strategic-merge-patch+json",
      query: { fieldManager: "me" },
      body: { status: { ready: true } },
    });
    await client.patchScale("web", [{ op: "replace", path: "/spec/replicas", value: 2 }], PatchTypes.json);
    expect(caller.last).toMatchObject({
      path: "/apis/apps/v1/namespaces/ns1/deployments/web/scale",
      contentType: "application/json-patch+json",
      body: [{ op: "replace", path: "/spec/replicas", value: 2 }],
    });
  });

  it("sends delete options in the body and selectors in the query", async () => {
    const caller = new RecordingCaller();
    const client = new ResourceClient<Thing>(caller, deployments, "ns1");
    await client.delete("web", { propagationPolicy: "Foreground", gracePeriodSeconds: 0 });
    expect(caller.last).toMatchObject({
      method: "DELETE",
      path: "/apis/apps/v1/namespaces/ns1/deployments/web",
      body: { kind: "DeleteOptions", propagationPolicy: "Foreground", gracePeriodSeconds: 0 },
    });
    await client.deleteCollection({ labelSelector: "app=web", propagationPolicy: "Background" });
    expect(caller.last).toMatchObject({
      method: "DELETE",
      path: "/apis/apps/v1/namespaces/ns1/deployments",
      query: { labelSelector: "app=web" },
      body: { propagationPolicy: "Background" },
    });
    expect(caller.last.query).not.toHaveProperty("propagationPolicy");
  });

  it("reads and writes the scale subresource as autoscaling/v1 Scale", async () => {
    const caller = new RecordingCaller();
    const client = new ResourceClient<Thing>(caller, deployments, "ns1");
    await client.getScale("web");
    expect(caller.last.path).toBe("/apis/apps/v1/namespaces/ns1/deployments/web/scale");
    await client.updateScale("web", { spec: { replicas: 4 } });
    expect(caller.last).toMatchObject({
      method: "PUT",
      body: {
        apiVersion: "autoscaling/v1",
        kind: "Scale",
        metadata: { name: "web", namespace: "ns1" },
        spec: { replicas: 4 },
      },
    });
  });

  it("follows continue tokens across pages and yields every item", async () => {
    const caller = new RecordingCaller();
    caller.answers.push(
      { items: [{ metadata: { name: "a" } }], metadata: { continue: "t1" } },
      { items: [{ metadata: { name: "b" } }, { metadata: { name: "c" } }], metadata: { continue: "" } },
    );
    const names: (string | undefined)[] = [];
    for await (const item of new ResourceClient<Thing>(caller, deployments, "ns1").items({ limit: 2 })) {
      names.push(item.metadata?.name);
    }
    expect(names).toEqual(["a", "b", "c"]);
    expect(caller.requests.map((r) => r.query?.continue)).toEqual([undefined, "t1"]);
  });

  it("watches the collection with watch=true and passes the signal through", async () => {
    const caller = new RecordingCaller();
    caller.answers.push([{ type: "ADDED", object: { metadata: { name: "a" } } }]);
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const e of new ResourceClient<Thing>(caller, deployments, "ns1").watch({
      resourceVersion: "5",
      allowWatchBookmarks: true,
      signal: controller.signal,
    })) {
      seen.push(`${e.type} ${e.object.metadata?.name}`);
    }
    expect(seen).toEqual(["ADDED a"]);
    expect(caller.last.query).toMatchObject({ watch: true, resourceVersion: "5", allowWatchBookmarks: true });
    expect(caller.options.at(-1)?.signal).toBe(controller.signal);
  });

  it("gets logs as text from the log subresource", async () => {
    const caller = new RecordingCaller();
    caller.answers.push(["line 1\n", "line 2\n"]);
    const pods = defineResource<Thing, KubeList<Thing>>()({
      ...deployments,
      group: "",
      plural: "pods",
      kind: "Pod",
      listKind: "PodList",
      singular: "pod",
      subresources: ["log"],
    });
    const text = await new ResourceClient<Thing>(caller, pods, "ns1").getLogs("p", {
      container: "c",
      tailLines: 5,
    });
    expect(text).toBe("line 1\nline 2\n");
    expect(caller.last).toMatchObject({
      path: "/api/v1/namespaces/ns1/pods/p/log",
      query: { container: "c", tailLines: 5, follow: false },
    });
  });

  it("iterates followed logs line by line", async () => {
    const caller = new RecordingCaller();
    caller.answers.push(["line 1\nli", "ne 2\n", "line 3"]);
    const pods = defineResource<Thing, KubeList<Thing>>()({
      ...deployments,
      group: "",
      plural: "pods",
      kind: "Pod",
      listKind: "PodList",
      singular: "pod",
      subresources: ["log"],
    });
    const seen: string[] = [];
    for await (const line of new ResourceClient<Thing>(caller, pods, "ns1").logLines("p", {
      follow: true,
      timestamps: true,
    }))
      seen.push(line);
    expect(seen).toEqual(["line 1", "line 2", "line 3"]);
    expect(caller.last).toMatchObject({
      path: "/api/v1/namespaces/ns1/pods/p/log",
      query: { follow: true, timestamps: true },
    });
  });
});
