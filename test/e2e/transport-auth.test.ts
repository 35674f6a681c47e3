/**
 * Credentials from sources, through the HTTP layer against the real apiserver: a token file whose
 * token the apiserver rejects is re-read after the 401 (the request succeeds on its one retry), and
 * an exec plugin that returns a client certificate instead of a token.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ExecCredentialSource } from "../../runtime/auth/exec.js";
import { TokenFileSource } from "../../runtime/auth/token-file.js";
import { HttpClient } from "../../runtime/rest/http-client.js";
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
