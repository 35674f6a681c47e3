/**
 * The RESTClient builder against the real apiserver: absolute paths, CRUD, a merge patch, a
 * server-side apply, a paged list and a watch with a bookmark.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PatchTypes } from "../../runtime/core/patch.js";
import { isNotFound } from "../../runtime/errors.js";
import { RESTClient } from "../../runtime/rest/rest-client.js";
import { adminConfig } from "../support/client-config.js";
import { useTestNamespace } from "../support/cluster.js";

const namespace = useTestNamespace("rest");
let core: RESTClient;
beforeAll(async () => {
  core = RESTClient.forConfig(await adminConfig(), { apiPath: "/api", groupVersion: "v1" });
});
afterAll(() => core.close());

interface ConfigMap {
  metadata: { name: string; resourceVersion?: string; managedFields?: { manager: string }[] };
  data?: Record<string, string>;
}

describe("RESTClient on the real apiserver", () => {
  it("reads /version through absPath", async () => {
    const version = (await core.get().absPath("/version").do()).into<{ gitVersion: string }>();
    expect(version.gitVersion).toMatch(/^v1\./);
  });

  it("creates, merge-patches, applies, lists by pages and deletes", async () => {
    const created = await core
      .post()
      .namespace(namespace())
      .resource("configmaps")
      .body({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "r1" }, data: { a: "1" } })
      .do();
    expect(created.wasCreated).toBe(true);

    const patched = await core
      .patch(PatchTypes.merge)
      .namespace(namespace())
      .resource("configmaps")
      .name("r1")
      .body({ data: { b: "2" } })
      .do();
    expect(patched.into<ConfigMap>().data).toEqual({ a: "1", b: "2" });

    const applied = await core
      .patch(PatchTypes.apply)
      .namespace(namespace())
      .resource("configmaps")
      .name("r2")
      .params({ fieldManager: "rest-test" })
      .body({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "r2" }, data: { c: "3" } })
      .do();
    expect(applied.into<ConfigMap>().metadata.managedFields?.[0]?.manager).toBe("rest-test");

    const page = (
      await core.get().namespace(namespace()).resource("configmaps").params({ limit: 1 }).do()
    ).into<{
      items: ConfigMap[];
      metadata: { continue?: string };
    }>();
    expect(page.items).toHaveLength(1);
    expect(page.metadata.continue).toBeTruthy();
    const rest = (
      await core
        .get()
        .namespace(namespace())
        .resource("configmaps")
        .params({ limit: 1, continue: page.metadata.continue })
        .do()
    ).into<{
      items: ConfigMap[];
    }>();
    expect([...page.items, ...rest.items].map((c) => c.metadata.name).sort()).toEqual(["r1", "r2"]);

    await core.delete().namespace(namespace()).resource("configmaps").name("r1").do();
    await expect(core.get().namespace(namespace()).resource("configmaps").name("r1").do()).rejects.toSatisfy(
      isNotFound,
    );
  });

  it("watches with bookmarks: initial events, then a BOOKMARK", async () => {
    await core
      .post()
      .namespace(namespace())
      .resource("configmaps")
      .body({ metadata: { name: "w1", labels: { w: "1" } } })
      .do();
    const types: string[] = [];
    for await (const e of core
      .get()
      .namespace(namespace())
      .resource("configmaps")
      .params({
        labelSelector: "w=1",
        sendInitialEvents: true,
        resourceVersionMatch: "NotOlderThan",
        allowWatchBookmarks: true,
      })
      .watch<ConfigMap>()) {
      types.push(`${e.type}${e.type === "ADDED" ? ` ${e.object.metadata.name}` : ""}`);
      if (e.type === "BOOKMARK") break;
    }
    expect(types).toEqual(["ADDED w1", "BOOKMARK"]);
  });
});
