import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ExecCredentialSource } from "../../../runtime/auth/exec.js";
import { TokenFileSource } from "../../../runtime/auth/token-file.js";
import type { KubeconfigCluster, KubeconfigUser } from "../../../runtime/config/kubeconfig.js";
import { type ResolveOptions, resolveClientConfig as resolveValid } from "../../../runtime/config/resolve.js";
import { type KubeconfigSelection, validateSelection } from "../../../runtime/config/validate.js";

const pki = resolve(import.meta.dirname, "../../fixtures/kubeconfig/relative/pki");
const caPem = "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n";
const exec = { apiVersion: "client.authentication.k8s.io/v1", command: "plugin", interactiveMode: "Never" };

function selection(cluster: KubeconfigCluster, user?: KubeconfigUser): KubeconfigSelection {
  return {
    contextName: "ctx",
    namespace: "ns",
    cluster: { name: "c", file: "/k/config", path: "clusters[0].cluster", value: cluster },
    user: user ? { name: "u", file: "/k/config", path: "users[0].user", value: user } : undefined,
  };
}
const https = { server: "https://c.example:6443" };

/** Validation, then resolution, as `loadKubeconfig` does them. */
const resolveClientConfig = async (s: KubeconfigSelection, options?: ResolveOptions) =>
  resolveValid(await validateSelection(s), options);

describe("resolveClientConfig", () => {
  it("maps each auth kind", async () => {
    expect((await resolveClientConfig(selection(https, { token: "t" }))).auth).toEqual({
      type: "token",
      token: "t",
    });
    expect((await resolveClientConfig(selection(https, { username: "a", password: "p" }))).auth).toEqual({
      type: "basic",
      username: "a",
      password: "p",
    });
    expect((await resolveClientConfig(selection(https))).auth).toEqual({ type: "none" });
    const file = await resolveClientConfig(
      selection(https, { tokenFile: join(pki, "ca.crt"), token: "fallback" }),
    );
    expect(file.auth.type === "source" && file.auth.source).toBeInstanceOf(TokenFileSource);
    const plugin = await resolveClientConfig(selection(https, { exec }));
    expect(plugin.auth.type === "source" && plugin.auth.source).toBeInstanceOf(ExecCredentialSource);
  });

  it("does not use an exec plugin when a token, basic auth or client certificate is set (as client-go)", async () => {
    expect((await resolveClientConfig(selection(https, { token: "t", exec }))).auth.type).toBe("token");
    const withCert = await resolveClientConfig(
      selection(https, { clientCertificateData: caPem, clientKey: join(pki, "client.key"), exec }),
    );
    expect(withCert.auth).toEqual({ type: "none" });
    expect(withCert.tls.clientCertificate).toEqual({
      cert: { pem: caPem },
      key: { file: join(pki, "client.key") },
    });
  });

  it("hands the plugin the cluster (CA file inlined, exec extension as config) with provideClusterInfo", async () => {
    const config = await resolveClientConfig(
      selection(
        {
          server: "https://c.example:6443/prefix",
          certificateAuthority: join(pki, "ca.crt"),
          tlsServerName: "sni.example",
          proxyUrl: "http://127.0.0.1:3128",
          disableCompression: true,
          extensions: { "client.authentication.k8s.io/exec": { audience: "a" }, other: 1 },
        },
        { exec: { ...exec, provideClusterInfo: true } },
      ),
    );
    const source = config.auth.type === "source" ? (config.auth.source as ExecCredentialSource) : undefined;
    expect(JSON.parse(source?.execInfo(false) ?? "{}")).toEqual({
      apiVersion: "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      spec: {
        interactive: false,
        cluster: {
          server: "https://c.example:6443/prefix",
          "tls-server-name": "sni.example",
          "certificate-authority-data": Buffer.from(caPem).toString("base64"),
          "proxy-url": "http://127.0.0.1:3128",
          "disable-compression": true,
          config: { audience: "a" },
        },
      },
    });
  });

  it("maps impersonation, TLS settings, proxy and compression", async () => {
    const config = await resolveClientConfig(
      selection(
        {
          ...https,
          insecureSkipTlsVerify: true,
          tlsServerName: "sni",
          proxyUrl: "https://p",
          disableCompression: true,
        },
        { token: "t", as: "bob", asUid: "7", asGroups: ["a", "b"], asUserExtra: { k: ["v1", "v2"] } },
      ),
      { timeout: 1_000 },
    );
    expect(config).toEqual({
      server: "https://c.example:6443",
      namespace: "ns",
      tls: { insecureSkipVerify: true, serverName: "sni" },
      auth: { type: "token", token: "t" },
      impersonate: { user: "bob", uid: "7", groups: ["a", "b"], extra: { k: ["v1", "v2"] } },
      proxyUrl: "https://p",
      disableCompression: true,
      timeout: 1_000,
    });
  });

  it("keeps the server's path, drops a query or fragment, and rejects credentials in the URL", async () => {
    const config = await resolveClientConfig(selection({ server: "https://c.example/prefix/?a=b#f" }));
    expect(config.server).toBe("https://c.example/prefix/");
    await expect(resolveClientConfig(selection({ server: "https://user:s3cr3t@c.example" }))).rejects.toThrow(
      "/k/config: clusters[0].cluster.server: must not contain credentials",
    );
  });

  it("refuses auth-provider users, pointing at exec plugins", async () => {
    await expect(
      resolveClientConfig(
        selection(https, { authProvider: { name: "oidc", config: { "id-token": "s3cr3t" } } }),
      ),
    ).rejects.toThrow(
      /users\[0\]\.user\.auth-provider: auth-provider "oidc" is not supported; use an exec credential plugin/,
    );
  });
});
