/**
 * Configuration against the real apiserver: each harness context loaded by `loadKubeconfig`
 * authenticates as its identity; an exec plugin's token is accepted; a rotated token file is picked
 * up after a 401 (invalidate, then one retry).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadKubeconfig } from "../../runtime/config/load.js";
import type { ClientConfig } from "../../runtime/config/types.js";
import { HttpClient } from "../../runtime/rest/http-client.js";
import { testCluster } from "../support/cluster.js";

const cluster = testCluster();
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubegen-e2e-config-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function whoAmI(config: ClientConfig): Promise<string> {
  const http = HttpClient.forConfig(config);
  try {
    const review = await http.json<{ status: { userInfo: { username: string } } }>({
      method: "POST",
      path: "/apis/authentication.k8s.io/v1/selfsubjectreviews",
      body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
    });
    return review.status.userInfo.username;
  } finally {
    await http.close();
  }
}

/** A kubeconfig with the harness's cluster and one user of our own. */
async function kubeconfigWithUser(name: string, user: object): Promise<string> {
  const base = await loadKubeconfig({
    path: cluster.kubeconfig,
    context: cluster.contexts.admin || undefined,
  });
  const ca = base.tls.ca && "pem" in base.tls.ca ? base.tls.ca.pem : "";
  const path = join(dir, `${name}.yaml`);
  await writeFile(
    path,
    stringify({
      "current-context": name,
      clusters: [
        {
          name: "c",
          cluster: { server: base.server, "certificate-authority-data": Buffer.from(ca).toString("base64") },
        },
      ],
      users: [{ name: "u", user }],
      contexts: [{ name, context: { cluster: "c", user: "u" } }],
    }),
  );
  return path;
}

const adminToken = async () => {
  const c = await loadKubeconfig({ path: cluster.kubeconfig, context: cluster.contexts.admin || undefined });
  return c.auth.type === "token" ? c.auth.token : "";
};

describe.runIf(cluster.managed)("loadKubeconfig on the harness kubeconfig", () => {
  it("authenticates each context as its identity", async () => {
    const names: Record<string, string> = {};
    for (const context of [
      cluster.contexts.admin,
      cluster.contexts.adminCert!,
      cluster.contexts.restricted!,
    ]) {
      const config = await loadKubeconfig({ path: cluster.kubeconfig, context });
      names[context] = await whoAmI(config);
    }
    expect(names).toEqual({
      "kubegen-admin": "kubegen-admin",
      "kubegen-admin-cert": "kubegen-admin-cert",
      "kubegen-restricted": "kubegen-restricted",
    });
    const restricted = await loadKubeconfig({
      path: cluster.kubeconfig,
      context: cluster.contexts.restricted!,
    });
    expect(restricted.namespace).toBe("kubegen-restricted");
  });

  it("authenticates with an exec plugin's token", async () => {
    const plugin = resolve(import.meta.dirname, "../fixtures/exec-plugin/credential.mjs");
    const path = await kubeconfigWithUser("exec", {
      exec: {
        apiVersion: "client.authentication.k8s.io/v1",
        command: plugin,
        interactiveMode: "Never",
        provideClusterInfo: true,
        env: [{ name: "PLUGIN_TOKEN", value: await adminToken() }],
      },
    });
    expect(await whoAmI(await loadKubeconfig({ path }))).toBe("kubegen-admin");
  });

  it("picks up a rotated token file after a 401 and retries once", async () => {
    const tokenFile = join(dir, "token");
    await writeFile(tokenFile, "stale-token");
    const path = await kubeconfigWithUser("tokenfile", { tokenFile });
    const config = await loadKubeconfig({ path });
    const http = HttpClient.forConfig(config);
    try {
      await expect(http.json({ method: "GET", path: "/api/v1/namespaces" })).rejects.toMatchObject({
        code: 401,
      });
      await writeFile(tokenFile, await adminToken());
      // The cached stale token gets a 401; the source is invalidated and the request sent again.
      const list = await http.json<{ kind: string }>({ method: "GET", path: "/api/v1/namespaces" });
      expect(list.kind).toBe("NamespaceList");
    } finally {
      await http.close();
    }
  });
});
