/**
 * Credentials from sources, through the HTTP layer against the real apiserver: a token file whose
 * token the apiserver rejects is re-read after the 401 (the request succeeds on its one retry), and
 * an exec plugin that returns a client certificate instead of a token. Then a kubeconfig's socks5
 * `proxy-url`: TLS to the apiserver inside a local SOCKS5 tunnel.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { ExecCredentialSource } from "../../runtime/auth/exec.js";
import { TokenFileSource } from "../../runtime/auth/token-file.js";
import { loadKubeconfig } from "../../runtime/config/load.js";
import { HttpClient } from "../../runtime/rest/http-client.js";
import { serveSocks5 } from "../runtime/transport/socks5-server.js";
import { adminConfig, clientConfigFor } from "../support/client-config.js";
import { testCluster } from "../support/cluster.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubegen-e2e-auth-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it("re-reads a rotated token file after a 401 and retries the request once", async () => {
  const admin = await adminConfig();
  const goodToken = admin.auth.type === "token" ? admin.auth.token : "";
  const tokenFile = join(dir, "token");
  await writeFile(tokenFile, "stale-token");
  const source = new TokenFileSource(tokenFile);
  const http = HttpClient.forConfig({ ...admin, auth: { type: "source", source } });
  try {
    await expect(http.json({ method: "GET", path: "/api/v1/namespaces" })).rejects.toMatchObject({
      code: 401,
    });
    await writeFile(tokenFile, goodToken);
    // The cached token is stale: the first attempt gets a 401, the source is invalidated, the retry succeeds.
    const list = await http.json<{ kind: string }>({ method: "GET", path: "/api/v1/namespaces" });
    expect(list.kind).toBe("NamespaceList");
  } finally {
    await http.close();
  }
});

it.runIf(testCluster().managed)(
  "authenticates with a client certificate returned by an exec plugin",
  async () => {
    const certConfig = await clientConfigFor(testCluster().contexts.adminCert!);
    const pair = certConfig.tls.clientCertificate!;
    const pem = (s: { pem: string } | { file: string }) => ("pem" in s ? s.pem : "");
    const plugin = join(import.meta.dirname, "../fixtures/exec-plugin/credential.mjs");
    const source = new ExecCredentialSource({
      apiVersion: "client.authentication.k8s.io/v1",
      command: plugin,
      args: ["cert"],
      interactiveMode: "Never",
      env: [
        { name: "PLUGIN_CERT", value: pem(pair.cert) },
        { name: "PLUGIN_KEY", value: pem(pair.key) },
      ],
    });
    const admin = await adminConfig();
    const http = HttpClient.forConfig({ ...admin, auth: { type: "source", source } });
    try {
      const review = await http.json<{ status: { userInfo: { username: string } } }>({
        method: "POST",
        path: "/apis/authentication.k8s.io/v1/selfsubjectreviews",
        body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
      });
      expect(review.status.userInfo.username).toBe("kubegen-admin-cert");
    } finally {
      await http.close();
    }
  },
);

// The harness kubeconfig holds its certificates inline, so a copy elsewhere loads the same.
it.runIf(testCluster().managed)("reaches the apiserver through a kubeconfig's socks5 proxy-url", async () => {
  const cluster = testCluster();
  const proxy = await serveSocks5({ login: true });
  const file = parse(await readFile(cluster.kubeconfig, "utf8")) as {
    clusters: { cluster: Record<string, unknown> }[];
  };
  for (const entry of file.clusters)
    entry.cluster["proxy-url"] = proxy.url.replace("socks5://", "socks5://kubegen:proxy-pass@");
  const path = join(dir, "socks5.yaml");
  await writeFile(path, stringify(file));
  const config = await loadKubeconfig({ path, context: cluster.contexts.admin || undefined });
  expect(config.proxyUrl).toMatch(/^socks5:\/\/kubegen:proxy-pass@127\.0\.0\.1:\d+$/);
  const http = HttpClient.forConfig(config);
  try {
    const list = await http.json<{ kind: string }>({ method: "GET", path: "/api/v1/namespaces" });
    expect(list.kind).toBe("NamespaceList");
  } finally {
    await http.close();
  }
  expect(proxy.seen.logins).toEqual([{ user: "kubegen", password: "proxy-pass" }]);
  expect(proxy.seen.targets).toEqual([new URL(config.server).host]);
});
