/**
 * Configuration against the real apiserver, with plain undici requests (not kubegen's transport,
 * so only the config and credential sources are under test): each harness context loaded by
 * `loadKubeconfig` yields the right `ClientConfig` and authenticates as its identity; an exec
 * plugin's token is accepted; a rotated token file is picked up after a 401 and `invalidate()`.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { loadKubeconfig } from "../../runtime/config/load.js";
import type { ClientConfig, PemSource } from "../../runtime/config/types.js";
import { testCluster } from "../support/cluster.js";

const cluster = testCluster();
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubegen-e2e-config-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const pem = async (source: PemSource | undefined) =>
  source === undefined ? undefined : "pem" in source ? source.pem : readFile(source.file, "utf8");

/** POSTs a SelfSubjectReview with plain undici, using only what the ClientConfig says. */
async function whoAmI(config: ClientConfig, token?: string): Promise<{ status: number; username?: string }> {
  const cert = config.tls.clientCertificate;
  const agent = new Agent({
    connect: { ca: await pem(config.tls.ca), cert: await pem(cert?.cert), key: await pem(cert?.key) },
  });
  try {
    const res = await request(`${config.server}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
      method: "POST",
      dispatcher: agent,
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" }),
    });
    const body = (await res.body.json()) as { status?: { userInfo?: { username?: string } } };
    return { status: res.statusCode, username: body.status?.userInfo?.username };
  } finally {
    await agent.close();
  }
}

/** The bearer token a ClientConfig sends, asking its credential source if it has one. */
async function tokenOf(config: ClientConfig): Promise<string | undefined> {
  if (config.auth.type === "token") return config.auth.token;
  if (config.auth.type === "source") return (await config.auth.source.get()).token;
  return undefined;
}

/** The harness kubeconfig, read as plain YAML: the ground truth to compare the loader with. */
async function harness() {
  return parse(await readFile(cluster.kubeconfig, "utf8")) as {
    clusters: { name: string; cluster: Record<string, string> }[];
    users: { name: string; user: Record<string, string> }[];
    contexts: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
  };
}

/** A kubeconfig of our own: the harness cluster plus the given user. */
async function kubeconfigWithUser(name: string, user: object): Promise<string> {
  const file = await harness();
  const path = join(dir, `${name}.yaml`);
  await writeFile(
    path,
    stringify({
      "current-context": name,
      clusters: [{ name: "c", cluster: file.clusters[0]!.cluster }],
      users: [{ name: "u", user }],
      contexts: [{ name, context: { cluster: "c", user: "u" } }],
    }),
  );
  return path;
}

async function adminToken(): Promise<string> {
  const token = await tokenOf(
    await loadKubeconfig({ path: cluster.kubeconfig, context: cluster.contexts.admin }),
  );
  if (!token) throw new Error("the admin context has no token");
  return token;
}

describe.runIf(cluster.managed)("loadKubeconfig on the harness kubeconfig", () => {
  it("yields each context's ClientConfig, which authenticates as its identity", async () => {
    const file = await harness();
    const contexts = [cluster.contexts.admin, cluster.contexts.adminCert!, cluster.contexts.restricted!];
    const seen: Record<string, string | undefined> = {};
    for (const name of contexts) {
      const config = await loadKubeconfig({ path: cluster.kubeconfig, context: name, env: {} });
      const context = file.contexts.find((c) => c.name === name)!.context;
      const clusterEntry = file.clusters.find((c) => c.name === context.cluster)!.cluster;
      const user = file.users.find((u) => u.name === context.user)!.user;
      const b64 = (s: string | undefined) => (s ? Buffer.from(s, "base64").toString("utf8") : undefined);
      expect(config.contextName).toBe(name);
      expect(config.server).toBe(clusterEntry.server);
      expect(config.namespace).toBe(context.namespace ?? "default");
      expect(config.tls.ca).toEqual({ pem: b64(clusterEntry["certificate-authority-data"]) });
      if (user.token) {
        expect(config.auth).toEqual({ type: "token", token: user.token });
        expect(config.tls.clientCertificate).toBeUndefined();
      } else {
        expect(config.auth).toEqual({ type: "none" });
        expect(config.tls.clientCertificate).toEqual({
          cert: { pem: b64(user["client-certificate-data"]) },
          key: { pem: b64(user["client-key-data"]) },
        });
      }
      const answer = await whoAmI(config, await tokenOf(config));
      expect(answer.status).toBe(201);
      seen[name] = answer.username;
    }
    expect(seen).toEqual({
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
    const info = join(dir, "exec-info.json");
    const path = await kubeconfigWithUser("exec", {
      exec: {
        apiVersion: "client.authentication.k8s.io/v1",
        command: plugin,
        interactiveMode: "Never",
        provideClusterInfo: true,
        env: [
          { name: "PLUGIN_TOKEN", value: await adminToken() },
          { name: "PLUGIN_INFO_FILE", value: info },
        ],
      },
    });
    const config = await loadKubeconfig({ path });
    expect(config.auth.type).toBe("source");
    expect(await whoAmI(config, await tokenOf(config))).toEqual({ status: 201, username: "kubegen-admin" });
    // The plugin was told which cluster it serves.
    expect(JSON.parse(await readFile(info, "utf8")).spec.cluster.server).toBe(config.server);
  });

  it("picks up a rotated token file once the 401 invalidates the cached token", async () => {
    const tokenFile = join(dir, "token");
    await writeFile(tokenFile, "stale-token");
    const config = await loadKubeconfig({ path: await kubeconfigWithUser("tokenfile", { tokenFile }) });
    if (config.auth.type !== "source") throw new Error("expected a token file source");
    const source = config.auth.source;
    expect((await whoAmI(config, await tokenOf(config))).status).toBe(401);
    await writeFile(tokenFile, await adminToken());
    source.invalidate();
    expect(await whoAmI(config, await tokenOf(config))).toEqual({ status: 201, username: "kubegen-admin" });
  });
});
