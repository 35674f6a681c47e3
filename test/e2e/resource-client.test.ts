/**
 * The generic resource client and the HTTP layer against the real apiserver: CRUD, errors mapped to
 * predicates, pages, watches with bookmarks, patches, server-side apply, and each identity.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ResourceClient } from "../../runtime/clients/resource-client.js";
import { JsonListScanner } from "../../runtime/core/json-list-scanner.js";
import { PatchTypes } from "../../runtime/core/patch.js";
import type { WatchEvent } from "../../runtime/core/watch.js";
import {
  isAlreadyExists,
  isConflict,
  isForbidden,
  isInvalid,
  isNotFound,
  isUnauthorized,
  StatusError,
} from "../../runtime/errors.js";
import { HttpClient } from "../../runtime/rest/http-client.js";
import { streamingThreshold } from "../../runtime/rest/json-body.js";
import { adminConfig, clientConfigFor } from "../support/client-config.js";
import { adminClient, testCluster, useTestNamespace } from "../support/cluster.js";
import { type ConfigMap, configMaps, namespaces } from "../support/resources.js";

const namespace = useTestNamespace("rc");
let http: HttpClient;
const cm = () => new ResourceClient<ConfigMap>(http, configMaps, namespace());

beforeAll(async () => {
  http = HttpClient.forConfig(await adminConfig());
});
afterAll(() => http.close());

describe("ResourceClient on the real apiserver", () => {
  it("creates, gets, updates and deletes a ConfigMap", async () => {
    const created = await cm().create({ metadata: { name: "one" }, data: { a: "1" } });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.kind).toBe("ConfigMap");

    const got = await cm().get("one");
    expect(got.data).toEqual({ a: "1" });

    const updated = await cm().update({ ...got, data: { a: "2" } });
    expect(updated.data).toEqual({ a: "2" });
    expect(updated.metadata?.resourceVersion).not.toBe(got.metadata?.resourceVersion);

    await cm().delete("one");
    await expect(cm().get("one")).rejects.toSatisfy(isNotFound);
  });

  it("maps 404, 409 AlreadyExists, 409 Conflict and 422 to the predicates, with the Status kept", async () => {
    const err = await cm()
      .get("missing")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).code).toBe(404);
    expect((err as StatusError).status.details?.name).toBe("missing");
    expect((err as StatusError).message).toContain(`/api/v1/namespaces/${namespace()}/configmaps/missing`);

    const first = await cm().create({ metadata: { name: "dup" } });
    await expect(cm().create({ metadata: { name: "dup" } })).rejects.toSatisfy(isAlreadyExists);
    await cm().update({ ...first, data: { x: "y" } });
    // `first` carries the old resourceVersion now.
    await expect(cm().update({ ...first, data: { x: "z" } })).rejects.toSatisfy(isConflict);

    const invalid = await cm()
      .create({ metadata: { name: "Not_A_Valid_Name" } })
      .catch((e: unknown) => e);
    expect(isInvalid(invalid)).toBe(true);
    expect((invalid as StatusError).status.details?.causes?.[0]?.field).toBe("metadata.name");
  });

  it("merge-patches, JSON-patches and server-side applies", async () => {
    await cm().create({ metadata: { name: "patched" }, data: { a: "1" } });
    const merged = await cm().patch("patched", { data: { b: "2" } }, PatchTypes.merge);
    expect(merged.data).toEqual({ a: "1", b: "2" });
    const jsonPatched = await cm().patch("patched", [{ op: "remove", path: "/data/a" }], PatchTypes.json);
    expect(jsonPatched.data).toEqual({ b: "2" });
    const applied = await cm().apply(
      { metadata: { name: "applied" }, data: { k: "v" } },
      { fieldManager: "kubegen-test" },
    );
    expect(applied.data).toEqual({ k: "v" });
    expect(applied.metadata).toMatchObject({ name: "applied" });
    expect(applied.metadata?.managedFields?.[0]).toMatchObject({
      manager: "kubegen-test",
      operation: "Apply",
    });
  });

  it("lists page by page with limit and continue", async () => {
    for (const i of [1, 2, 3, 4, 5])
      await cm().create({ metadata: { name: `page-${i}`, labels: { set: "paged" } } });
    const pages: number[] = [];
    for await (const page of cm().pages({ labelSelector: "set=paged", limit: 2 }))
      pages.push(page.items.length);
    expect(pages).toEqual([2, 2, 1]);
    const names: string[] = [];
    for await (const item of cm().items({ labelSelector: "set=paged", limit: 2 }))
      names.push(item.metadata!.name!);
    expect(names).toEqual(["page-1", "page-2", "page-3", "page-4", "page-5"]);
    await cm().deleteCollection({ labelSelector: "set=paged" });
    expect((await cm().list({ labelSelector: "set=paged" })).items).toHaveLength(0);
  });

  it("reads a list larger than the streaming threshold as it arrives, to what JSON.parse gives", async () => {
    // ConfigMaps of about 0.9 MB whose data holds the item separator's look-alikes and non-ASCII
    // text, so both the native separator search and the exact scanner take part.
    const filler = `${'},{"metadata":{"name":"fake"}},{'.repeat(3)} ✓ ü \\"${"x".repeat(900)}`;
    const data = { blob: filler.repeat(Math.ceil(900_000 / filler.length)) };
    const count = Math.ceil(streamingThreshold / 900_000) + 1;
    for (let i = 0; i < count; i++)
      await cm().create({ metadata: { name: `big-${i}`, labels: { set: "big" } }, data });
    const scan = vi.spyOn(JsonListScanner.prototype, "scan");
    try {
      const list = await cm().list({ labelSelector: "set=big" });
      expect(scan).toHaveBeenCalled();
      const raw = await adminClient();
      try {
        const whole = await raw.request<{ items: ConfigMap[] }>(
          "GET",
          `/api/v1/namespaces/${namespace()}/configmaps?labelSelector=set%3Dbig`,
        );
        expect(JSON.stringify(whole.body).length).toBeGreaterThan(streamingThreshold);
        expect(list).toEqual(whole.body);
        expect(list.items.map((item) => item.data?.blob === data.blob)).toEqual(Array(count).fill(true));
      } finally {
        await raw.close();
      }
    } finally {
      scan.mockRestore();
    }
    await cm().deleteCollection({ labelSelector: "set=big" });
  });

  it("watches from a resourceVersion and receives the test's own changes", async () => {
    const list = await cm().list();
    const controller = new AbortController();
    const events: WatchEvent<ConfigMap>[] = [];
    const watching = (async () => {
      for await (const event of cm().watch({
        resourceVersion: list.metadata?.resourceVersion,
        allowWatchBookmarks: true,
        labelSelector: "set=watched",
        signal: controller.signal,
      })) {
        events.push(event);
        if (event.type === "DELETED") break;
      }
    })();
    await cm().create({ metadata: { name: "w", labels: { set: "watched" } } });
    await cm().patch("w", { data: { n: "1" } });
    await cm().delete("w");
    await watching;
    expect(events.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual([
      "ADDED w",
      "MODIFIED w",
      "DELETED w",
    ]);
  });

  it("gets a BOOKMARK when asked for initial events", async () => {
    await cm().create({ metadata: { name: "initial", labels: { set: "initial" } } });
    const types: string[] = [];
    for await (const event of cm().watch({
      labelSelector: "set=initial",
      sendInitialEvents: true,
      resourceVersionMatch: "NotOlderThan",
      allowWatchBookmarks: true,
    })) {
      types.push(event.type);
      if (event.type === "BOOKMARK") break;
    }
    expect(types).toEqual(["ADDED", "BOOKMARK"]);
  });

  it("lists cluster-scoped namespaces with no namespace argument", async () => {
    const list = await new ResourceClient(http, namespaces).list();
    expect(list.items.map((n) => n.metadata?.name)).toContain(namespace());
  });
});

describe("identities through the HTTP layer", () => {
  const cluster = testCluster();
  // Only the harness's own control plane has these identities; they run whenever it is the one
  // under test (always in CI), and only an existing cluster (KUBEGEN_TEST_KUBECONFIG) leaves them out.
  describe.runIf(cluster.managed)("harness identities", () => {
    it("authenticates with a client certificate", async () => {
      const client = HttpClient.forConfig(await clientConfigFor(cluster.contexts.adminCert!));
      try {
        const review = await client.json<{ status: { userInfo: { username: string } } }>({
          method: "POST",
          path: "/apis/authentication.k8s.io/v1/selfsubjectreviews",
          body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
        });
        expect(review.status.userInfo.username).toBe("kubegen-admin-cert");
      } finally {
        await client.close();
      }
    });

    it("maps 401 for a bad token and 403 for the restricted user", async () => {
      const base = await adminConfig();
      const bad = HttpClient.forConfig({ ...base, auth: { type: "token", token: "nope" } });
      const restricted = HttpClient.forConfig(await clientConfigFor(cluster.contexts.restricted!));
      try {
        await expect(new ResourceClient(bad, namespaces).list()).rejects.toSatisfy(isUnauthorized);
        await expect(new ResourceClient(restricted, namespaces).list()).rejects.toSatisfy(isForbidden);
        const own = await new ResourceClient<ConfigMap>(restricted, configMaps, "kubegen-restricted").list();
        expect(own.kind).toBe("ConfigMapList");
      } finally {
        await bad.close();
        await restricted.close();
      }
    });

    it("impersonates the restricted user, groups included", async () => {
      const base = await adminConfig();
      const client = HttpClient.forConfig({
        ...base,
        impersonate: {
          user: "kubegen-restricted",
          groups: ["team-a", "team-b"],
          extra: { "scopes.example/x y": ["1"] },
        },
      });
      try {
        const review = await client.json<{
          status: { userInfo: { username: string; groups: string[]; extra: Record<string, string[]> } };
        }>({
          method: "POST",
          path: "/apis/authentication.k8s.io/v1/selfsubjectreviews",
          body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
        });
        expect(review.status.userInfo.username).toBe("kubegen-restricted");
        expect(review.status.userInfo.groups).toEqual(expect.arrayContaining(["team-a", "team-b"]));
        expect(review.status.userInfo.extra).toEqual({ "scopes.example/x y": ["1"] });
        await expect(new ResourceClient(client, namespaces).list()).rejects.toSatisfy(isForbidden);
      } finally {
        await client.close();
      }
    });
  });
});
