/**
 * The RESTClient and the transport against the real apiserver: token and client-certificate auth,
 * impersonation, 401/403/404/409/422 mapped to the apierrors predicates, CRUD with merge, JSON,
 * strategic-merge patches and server-side apply, a paged list, warnings, and watches (events the
 * test causes, and a bookmark).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClientConfig } from "../../runtime/config/types.js";
import { deleteOptionsBody } from "../../runtime/core/options.js";
import { PatchTypes } from "../../runtime/core/patch.js";
import {
  isAlreadyExists,
  isConflict,
  isForbidden,
  isInvalid,
  isNotFound,
  isUnauthorized,
  StatusError,
} from "../../runtime/errors.js";
import { RESTClient } from "../../runtime/rest/rest-client.js";
import { adminConfig, clientConfigFor } from "../support/client-config.js";
import { testCluster, useTestNamespace } from "../support/cluster.js";

const namespace = useTestNamespace("rest");
let admin: ClientConfig;
let core: RESTClient;
const opened: RESTClient[] = [];
beforeAll(async () => {
  admin = await adminConfig();
  core = RESTClient.forConfig(admin, { apiPath: "/api", groupVersion: "v1" });
  opened.push(core);
});
afterAll(() => Promise.all(opened.map((c) => c.close())));

/** A RESTClient for `authentication.k8s.io/v1` with the given configuration. */
function authClient(config: ClientConfig): RESTClient {
  const client = RESTClient.forConfig(config, { apiPath: "/apis", groupVersion: "authentication.k8s.io/v1" });
  opened.push(client);
  return client;
}

/** Who the apiserver says we are. */
async function whoAmI(config: ClientConfig): Promise<{ username: string; groups?: string[] }> {
  const result = await authClient(config)
    .post()
    .resource("selfsubjectreviews")
    .body({ apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" })
    .do();
  return result.into<{ status: { userInfo: { username: string; groups?: string[] } } }>().status.userInfo;
}

interface ConfigMap {
  metadata: { name: string; resourceVersion?: string; managedFields?: { manager: string }[] };
  data?: Record<string, string>;
}

const cluster = testCluster();

describe("authentication and authorization", () => {
  it("authenticates with a bearer token", async () => {
    expect((await whoAmI(admin)).username).toBe("kubegen-admin");
  });

  it.runIf(cluster.managed)("authenticates with a client certificate", async () => {
    const certConfig = await clientConfigFor(cluster.contexts.adminCert!);
    expect(certConfig.auth.type).toBe("none");
    const me = await whoAmI(certConfig);
    expect(me.username).toBe("kubegen-admin-cert");
    expect(me.groups).toContain("system:masters");
  });

  it("maps a bad token to a 401 that isUnauthorized", async () => {
    const err = await whoAmI({ ...admin, auth: { type: "token", token: "not-a-valid-token" } }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(StatusError);
    expect(isUnauthorized(err)).toBe(true);
    expect((err as StatusError).code).toBe(401);
    expect((err as StatusError).message).not.toContain("not-a-valid-token");
  });

  it.runIf(cluster.managed)(
    "maps the restricted identity's forbidden call to a 403 that isForbidden",
    async () => {
      const restricted = await clientConfigFor(cluster.contexts.restricted!);
      const client = RESTClient.forConfig(restricted, { apiPath: "/api", groupVersion: "v1" });
      opened.push(client);
      // Allowed: ConfigMaps in its own namespace.
      const own = await client.get().namespace("kubegen-restricted").resource("configmaps").do();
      expect(own.statusCode).toBe(200);
      const err = await client
        .get()
        .namespace(namespace())
        .resource("configmaps")
        .do()
        .catch((e) => e);
      expect(isForbidden(err)).toBe(true);
      expect((err as StatusError).status.details?.kind).toBe("configmaps");
    },
  );

  it.runIf(cluster.managed)(
    "impersonates the restricted user as the admin, and is then forbidden",
    async () => {
      const impersonating: ClientConfig = {
        ...admin,
        impersonate: { user: "kubegen-restricted", groups: ["kubegen:testers", "system:authenticated"] },
      };
      const me = await whoAmI(impersonating);
      expect(me.username).toBe("kubegen-restricted");
      expect(me.groups).toEqual(["kubegen:testers", "system:authenticated"]);
      const client = RESTClient.forConfig(impersonating, { apiPath: "/api", groupVersion: "v1" });
      opened.push(client);
      const err = await client
        .get()
        .resource("namespaces")
        .do()
        .catch((e) => e);
      expect(isForbidden(err)).toBe(true);
      expect((err as StatusError).message).toContain(
        'User "kubegen-restricted" cannot list resource "namespaces"',
      );
    },
  );
});

describe("API errors", () => {
  it("maps 404, 409 (AlreadyExists and Conflict) and 422 to their predicates", async () => {
    const configmaps = () => core.post().namespace(namespace()).resource("configmaps");
    const missing = await core
      .get()
      .namespace(namespace())
      .resource("configmaps")
      .name("does-not-exist")
      .do()
      .catch((e) => e);
    expect(isNotFound(missing)).toBe(true);
    expect((missing as StatusError).status.details).toMatchObject({
      name: "does-not-exist",
      kind: "configmaps",
    });

    const created = (
      await configmaps()
        .body({ metadata: { name: "errs" }, data: { a: "1" } })
        .do()
    ).into<ConfigMap>();
    const again = await configmaps()
      .body({ metadata: { name: "errs" } })
      .do()
      .catch((e) => e);
    expect(isAlreadyExists(again)).toBe(true);
    expect(isConflict(again)).toBe(false);

    await core
      .patch(PatchTypes.merge)
      .namespace(namespace())
      .resource("configmaps")
      .name("errs")
      .body({ data: { a: "2" } })
      .do();
    const stale = await core
      .put()
      .namespace(namespace())
      .resource("configmaps")
      .name("errs")
      .body({ ...created, data: { a: "3" } })
      .do()
      .catch((e) => e);
    expect(isConflict(stale)).toBe(true);
    expect((stale as StatusError).code).toBe(409);

    const invalid = await configmaps()
      .body({ metadata: { name: "Not_Valid" } })
      .do()
      .catch((e) => e);
    expect(isInvalid(invalid)).toBe(true);
    expect((invalid as StatusError).causes.map((c) => c.field)).toContain("metadata.name");
  });

  it("rejects a bad request before sending it", async () => {
    await expect(core.get().namespace("a/b").resource("configmaps").do()).rejects.toThrow(
      /invalid request: invalid namespace "a\/b"/,
    );
  });
});

describe("RESTClient on the real apiserver", () => {
  it("reads /version through absPath", async () => {
    const version = (await core.get().absPath("/version").do()).into<{ gitVersion: string }>();
    expect(version.gitVersion).toMatch(/^v1\./);
  });

  it("creates, patches (merge, JSON, strategic), applies, lists by pages and deletes", async () => {
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

    const jsonPatched = await core
      .patch(PatchTypes.json)
      .namespace(namespace())
      .resource("configmaps")
      .name("r1")
      .body([{ op: "remove", path: "/data/a" }])
      .do();
    expect(jsonPatched.into<ConfigMap>().data).toEqual({ b: "2" });

    const strategic = await core
      .patch(PatchTypes.strategicMerge)
      .namespace(namespace())
      .resource("configmaps")
      .name("r1")
      .body({ data: { c: "3" } })
      .do();
    expect(strategic.into<ConfigMap>().data).toEqual({ b: "2", c: "3" });

    const applied = await core
      .patch(PatchTypes.apply)
      .namespace(namespace())
      .resource("configmaps")
      .name("r2")
      .params({ fieldManager: "rest-test", force: true })
      .body({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "r2" }, data: { c: "3" } })
      .do();
    expect(applied.statusCode).toBe(201);
    expect(applied.into<ConfigMap>().metadata.managedFields?.[0]?.manager).toBe("rest-test");

    // A paged list: one item per page, following `continue` to the end.
    const names: string[] = [];
    let pages = 0;
    let token: string | undefined;
    do {
      const page = (
        await core
          .get()
          .namespace(namespace())
          .resource("configmaps")
          .params({ limit: 1, continue: token })
          .do()
      ).into<{ items: ConfigMap[]; metadata: { continue?: string } }>();
      expect(page.items).toHaveLength(1);
      names.push(...page.items.map((c) => c.metadata.name));
      token = page.metadata.continue || undefined;
      pages++;
    } while (token && pages < 50);
    expect(pages).toBe(names.length);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(names).toContain("r1");
    expect(names).toContain("r2");

    const deleted = await core
      .delete()
      .namespace(namespace())
      .resource("configmaps")
      .name("r1")
      .body(
        deleteOptionsBody({
          propagationPolicy: "Background",
          preconditions: { resourceVersion: strategic.into<ConfigMap>().metadata.resourceVersion! },
        }),
      )
      .do();
    expect(deleted.statusCode).toBe(200);
    await expect(core.get().namespace(namespace()).resource("configmaps").name("r1").do()).rejects.toSatisfy(
      isNotFound,
    );
  });

  it("returns the apiserver's warnings with the result", async () => {
    const seen: string[] = [];
    const client = RESTClient.forConfig(
      admin,
      { apiPath: "/api", groupVersion: "v1" },
      { warningHandler: (w) => seen.push(w) },
    );
    opened.push(client);
    const result = await client
      .post()
      .namespace(namespace())
      .resource("configmaps")
      .params({ fieldValidation: "Warn" })
      .body({ metadata: { name: "warned" }, data: { a: "1" }, notAField: true })
      .do();
    expect(result.warnings).toEqual(['unknown field "notAField"']);
    expect(seen).toEqual(['unknown field "notAField"']);
  });

  it("watches the events the test causes", async () => {
    const ns = namespace();
    const list = (await core.get().namespace(ns).resource("configmaps").do()).into<{
      metadata: { resourceVersion: string };
    }>();
    const controller = new AbortController();
    const seen: string[] = [];
    const watching = (async () => {
      for await (const e of core
        .get()
        .namespace(ns)
        .resource("configmaps")
        .params({ resourceVersion: list.metadata.resourceVersion, labelSelector: "watched=yes" })
        .signal(controller.signal)
        .watch<ConfigMap>()) {
        seen.push(`${e.type} ${e.object.metadata.name} ${JSON.stringify(e.object.data ?? {})}`);
        if (e.type === "DELETED") return;
      }
    })();
    await core
      .post()
      .namespace(ns)
      .resource("configmaps")
      .body({ metadata: { name: "watched", labels: { watched: "yes" } } })
      .do();
    await core
      .patch(PatchTypes.merge)
      .namespace(ns)
      .resource("configmaps")
      .name("watched")
      .body({ data: { step: "2" } })
      .do();
    await core.delete().namespace(ns).resource("configmaps").name("watched").do();
    const timer = setTimeout(() => controller.abort(new Error("no DELETED event within 10 s")), 10_000);
    try {
      await watching;
    } finally {
      clearTimeout(timer);
    }
    expect(seen).toEqual([
      "ADDED watched {}",
      'MODIFIED watched {"step":"2"}',
      'DELETED watched {"step":"2"}',
    ]);
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
      .watch<ConfigMap & { metadata: { annotations?: Record<string, string> } }>()) {
      types.push(`${e.type}${e.type === "ADDED" ? ` ${e.object.metadata.name}` : ""}`);
      if (e.type === "BOOKMARK") {
        expect(e.object.metadata.annotations?.["k8s.io/initial-events-end"]).toBe("true");
        break;
      }
    }
    expect(types).toEqual(["ADDED w1", "BOOKMARK"]);
  });
});
