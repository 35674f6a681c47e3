/**
 * MetadataClient against the real apiserver: Secrets, ConfigMaps and a custom resource read,
 * listed, paged, watched, patched and deleted as PartialObjectMetadata: the metadata is there,
 * the data and spec are not, and each answer says it is PartialObjectMetadata(List).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamicClient } from "../../runtime/clients/dynamic.js";
import { MetadataClient, type PartialObjectMetadata } from "../../runtime/clients/metadata.js";
import type { WatchEvent } from "../../runtime/core/watch.js";
import { isNotFound, isStatusObject } from "../../runtime/errors.js";
import { HttpClient } from "../../runtime/rest/http-client.js";
import { adminConfig } from "../support/client-config.js";
import { installTestCrd, useTestNamespace } from "../support/cluster.js";

const namespace = useTestNamespace("meta");
let http: HttpClient;
let metadata: MetadataClient;
let dynamic: DynamicClient;

const secrets = { group: "", version: "v1", resource: "secrets" };
const configMaps = { group: "", version: "v1", resource: "configmaps" };
const widgets = { group: "example.kubegen.dev", version: "v1", resource: "widgets" };

beforeAll(async () => {
  // One HttpClient for both clients, as a clientset would share it.
  http = HttpClient.forConfig(await adminConfig());
  metadata = new MetadataClient(http);
  dynamic = new DynamicClient(http);
  await installTestCrd("multi-version/widgets.yaml");
});
afterAll(() => http.close());

/** Asserts `object` is PartialObjectMetadata: type and metadata there, nothing else. */
function expectMetadataOnly(object: unknown, name: string): void {
  expect(object).toMatchObject({
    apiVersion: "meta.k8s.io/v1",
    kind: "PartialObjectMetadata",
    metadata: { name, namespace: namespace(), uid: expect.any(String), resourceVersion: expect.any(String) },
  });
  expect(Object.keys(object as object).sort()).toEqual(["apiVersion", "kind", "metadata"]);
}

describe("MetadataClient on the real apiserver", () => {
  it("gets and lists Secrets without their data", async () => {
    const raw = dynamic.resource(secrets).namespace(namespace());
    await raw.create({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s1", labels: { app: "meta" } },
      stringData: { password: "hunter2-not-a-real-secret" },
    });
    await raw.create({ apiVersion: "v1", kind: "Secret", metadata: { name: "s2" }, data: { k: "dg==" } });

    const client = metadata.resource(secrets).namespace(namespace());
    const got = await client.get("s1");
    expectMetadataOnly(got, "s1");
    expect(got.metadata.labels).toEqual({ app: "meta" });
    // managedFields name the data's keys (`f:password`); the values never come.
    expect(JSON.stringify(got)).not.toContain("hunter2-not-a-real-secret");

    const list = await client.list();
    expect(list.apiVersion).toBe("meta.k8s.io/v1");
    expect(list.kind).toBe("PartialObjectMetadataList");
    expect(list.metadata.resourceVersion).toBeTruthy();
    expect(list.items.map((i) => i.metadata.name).sort()).toEqual(["s1", "s2"]);
    for (const item of list.items) expectMetadataOnly(item, item.metadata.name ?? "");

    const selected = await client.list({ labelSelector: "app=meta" });
    expect(selected.items.map((i) => i.metadata.name)).toEqual(["s1"]);

    const pages = [];
    for await (const page of client.pages({ limit: 1 })) pages.push(page.items.map((i) => i.metadata.name));
    expect(pages).toEqual([["s1"], ["s2"]]);
  });

  it("watches ConfigMaps as metadata, patches labels and deletes", async () => {
    const client = metadata.resource(configMaps).namespace(namespace());
    const raw = dynamic.resource(configMaps).namespace(namespace());
    const start = (await client.list()).metadata.resourceVersion;

    const events: WatchEvent<PartialObjectMetadata>[] = [];
    const watching = (async () => {
      for await (const event of client.watch({ resourceVersion: start, allowWatchBookmarks: true })) {
        if (event.type === "BOOKMARK") continue;
        events.push(event);
        if (event.type === "DELETED") break;
      }
    })();

    await raw.create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "watched" },
      data: { big: "x" },
    });
    const patched = await client.patch("watched", { metadata: { labels: { seen: "yes" } } });
    expectMetadataOnly(patched, "watched");
    expect(patched.metadata.labels).toEqual({ seen: "yes" });
    // The data is still there: only the answer was trimmed.
    expect((await raw.get("watched")).data).toEqual({ big: "x" });

    const deleted = await client.delete("watched");
    expect(isStatusObject(deleted) ? deleted.status : deleted.kind).toBe("Success");
    await watching;

    expect(events.map((e) => e.type)).toEqual(["ADDED", "MODIFIED", "DELETED"]);
    for (const event of events) expectMetadataOnly(event.object, "watched");
    expect(events[1]?.object.metadata.labels).toEqual({ seen: "yes" });
    await expect(client.get("watched")).rejects.toSatisfy(isNotFound);
  });

  it("deletes a collection and answers with the deleted objects' metadata", async () => {
    const raw = dynamic.resource(configMaps).namespace(namespace());
    for (const name of ["c1", "c2"]) {
      await raw.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels: { batch: "1" } } });
    }
    const answer = await metadata
      .resource(configMaps)
      .namespace(namespace())
      .deleteCollection({ labelSelector: "batch=1" });
    expect(isStatusObject(answer)).toBe(false);
    if (isStatusObject(answer)) return;
    expect(answer.kind).toBe("PartialObjectMetadataList");
    expect(answer.items.map((i) => i.metadata.name).sort()).toEqual(["c1", "c2"]);
    expect((await raw.list({ labelSelector: "batch=1" })).items).toEqual([]);
  });

  it("reads a custom resource as metadata, across namespaces too", async () => {
    await dynamic
      .resource(widgets)
      .namespace(namespace())
      .create({
        apiVersion: "example.kubegen.dev/v1",
        kind: "Widget",
        metadata: { name: "w1", finalizers: ["example.kubegen.dev/keep"] },
        spec: { size: "medium", replicas: 2 },
      });
    const client = metadata.resource(widgets).namespace(namespace());
    const got = await client.get("w1");
    expectMetadataOnly(got, "w1");
    expect(got.metadata.finalizers).toEqual(["example.kubegen.dev/keep"]);

    const everywhere = await metadata.resource(widgets).list();
    const mine = everywhere.items.find(
      (i) => i.metadata.namespace === namespace() && i.metadata.name === "w1",
    );
    expect(mine).toBeDefined();
    expectMetadataOnly(mine, "w1");

    // With a finalizer the delete waits, and the answer is the object, as metadata.
    const deleting = await client.delete("w1");
    expect(isStatusObject(deleting)).toBe(false);
    expectMetadataOnly(deleting, "w1");
    expect((deleting as PartialObjectMetadata).metadata.deletionTimestamp).toBeTruthy();
    await client.patch("w1", { metadata: { finalizers: null } });
    await expect(client.get("w1")).rejects.toSatisfy(isNotFound);
  });
});
