/**
 * The control plane itself: a real kube-apiserver answers, stores objects, and enforces RBAC for
 * each identity the harness created. Raw undici calls on purpose; the runtime has its own tests.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, testCluster, useTestNamespace } from "../support/cluster.js";
import { type RawClient, rawClient } from "../support/raw-client.js";

interface List {
  kind: string;
  items: { metadata: { name: string } }[];
}

describe("local control plane", () => {
  const namespace = useTestNamespace("smoke");
  let admin: RawClient;
  beforeAll(async () => {
    admin = await adminClient();
  });
  afterAll(() => admin.close());

  it("serves /version", async () => {
    const res = await admin.request<{ gitVersion: string; major: string }>("GET", "/version");
    expect(res.status).toBe(200);
    expect(res.body.gitVersion).toMatch(/^v1\.\d+\.\d+/);
    const cluster = testCluster();
    if (cluster.kubernetesVersion) expect(res.body.gitVersion).toBe(cluster.kubernetesVersion);
  });

  it("lists namespaces, including the test's own", async () => {
    const res = await admin.request<List>("GET", "/api/v1/namespaces");
    expect(res.status).toBe(200);
    expect(res.body.kind).toBe("NamespaceList");
    const names = res.body.items.map((n) => n.metadata.name);
    expect(names).toContain("default");
    expect(names).toContain(namespace());
  });

  it("creates, reads and deletes a ConfigMap", async () => {
    const path = `/api/v1/namespaces/${namespace()}/configmaps`;
    const created = await admin.request<{ metadata: { uid: string } }>("POST", path, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "smoke" },
      data: { greeting: "hello" },
    });
    expect(created.status).toBe(201);
    expect(created.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);

    const got = await admin.request<{ data: Record<string, string> }>("GET", `${path}/smoke`);
    expect(got.status).toBe(200);
    expect(got.body.data).toEqual({ greeting: "hello" });

    const deleted = await admin.request("DELETE", `${path}/smoke`);
    expect(deleted.status).toBe(200);
    const gone = await admin.request<{ reason: string }>("GET", `${path}/smoke`);
    expect(gone.status).toBe(404);
    expect(gone.body.reason).toBe("NotFound");
  });
});

describe("identities", () => {
  const cluster = testCluster();
  // Only the harness's own control plane has these identities; they run whenever it is the one
  // under test (always in CI), and only an existing cluster (KUBEGEN_TEST_KUBECONFIG) leaves them out.
  describe.runIf(cluster.managed)("created by the harness", () => {
    it("authenticates the admin client certificate as system:masters", async () => {
      const client = await rawClient(cluster.kubeconfig, cluster.contexts.adminCert!);
      try {
        const review = await client.request<{ status: { userInfo: { username: string; groups: string[] } } }>(
          "POST",
          "/apis/authentication.k8s.io/v1/selfsubjectreviews",
          { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
        );
        expect(review.status).toBe(201);
        expect(review.body.status.userInfo.username).toBe("kubegen-admin-cert");
        expect(review.body.status.userInfo.groups).toContain("system:masters");
      } finally {
        await client.close();
      }
    });

    it("forbids the restricted user outside its Role, and allows it inside", async () => {
      const client = await rawClient(cluster.kubeconfig, cluster.contexts.restricted!);
      try {
        const denied = await client.request<{ reason: string; code: number }>("GET", "/api/v1/namespaces");
        expect(denied.status).toBe(403);
        expect(denied.body.reason).toBe("Forbidden");
        const allowed = await client.request<List>(
          "GET",
          `/api/v1/namespaces/${client.namespace}/configmaps`,
        );
        expect(allowed.status).toBe(200);
        expect(allowed.body.kind).toBe("ConfigMapList");
      } finally {
        await client.close();
      }
    });

    it("rejects an unknown bearer token with 401", async () => {
      const client = await rawClient(cluster.kubeconfig, cluster.contexts.admin);
      try {
        const res = await client.request("GET", "/api/v1/namespaces", undefined, {
          token: "not-a-valid-token",
        });
        expect(res.status).toBe(401);
      } finally {
        await client.close();
      }
    });
  });
});
