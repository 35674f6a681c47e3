/**
 * Stage 4 of kubeconfig loading: a validated selection (`validate.ts`) → the `ClientConfig` the
 * transport consumes, as client-go's `DirectClientConfig.ClientConfig()`:
 *
 * - The server URL, proxy, compression and impersonation apply whatever the scheme.
 * - The CA, `insecure-skip-tls-verify`, `tls-server-name` and credentials apply only to `https://`
 *   servers: a kubeconfig's secrets never travel in clear text.
 * - Auth: `token` → `{type: "token"}`, or, with a `tokenFile` beside it, a re-reading
 *   `TokenFileSource` that sends the token until the file can be read (client-go's order);
 *   `tokenFile` alone → that source; username/password → `{type: "basic"}`; `exec` →
 *   `ExecCredentialSource`, used only when no token, basic auth or client certificate is set (as
 *   client-go). Client certificates (file or data) go to `tls.clientCertificate`.
 */
import { readFile } from "node:fs/promises";
import { type ExecClusterInfo, ExecCredentialSource } from "../auth/exec.js";
import { TokenFileSource } from "../auth/token-file.js";
import type { AuthConfig, ClientConfig, PemSource } from "./types.js";
import type { ValidCluster, ValidSelection, ValidUser } from "./validate.js";

/** Settings of the `ClientConfig` that do not come from a kubeconfig. */
export interface ResolveOptions {
  /** Per-request timeout in milliseconds. */
  timeout?: number;
  /** Base environment for exec plugins (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds an exec plugin may run before it is killed (default: no limit, as client-go). */
  execTimeout?: number;
}

/** The name of the cluster extension handed to exec plugins as `spec.cluster.config`. */
export const execClusterExtension = "client.authentication.k8s.io/exec";

/**
 * Turns a validated selection into a `ClientConfig`.
 *
 * @example
 * const config = await resolveClientConfig(await validateSelection(selectContext(merged, { context: "dev" })));
 */
export async function resolveClientConfig(
  selection: ValidSelection,
  options: ResolveOptions = {},
): Promise<ClientConfig> {
  const { cluster, user } = selection;
  const c = cluster.value;
  const config: ClientConfig = {
    server: c.server,
    namespace: selection.namespace,
    tls: {},
    auth: { type: "none" },
  };
  if (c.proxyUrl) config.proxyUrl = c.proxyUrl;
  if (c.disableCompression) config.disableCompression = true;
  if (options.timeout) config.timeout = options.timeout;
  // As client-go: impersonation is no credential, and holds for any server.
  const u = user?.value;
  if (u?.as) {
    config.impersonate = { user: u.as };
    if (u.asUid) config.impersonate.uid = u.asUid;
    if (u.asGroups?.length) config.impersonate.groups = u.asGroups;
    if (u.asUserExtra) config.impersonate.extra = u.asUserExtra;
  }

  // client-go applies TLS settings and the user's credentials only to https servers.
  if (!c.server.startsWith("https://")) return config;

  const ca = pem(c.certificateAuthorityData, c.certificateAuthority);
  if (ca) config.tls.ca = ca;
  if (c.insecureSkipTlsVerify) config.tls.insecureSkipVerify = true;
  if (c.tlsServerName) config.tls.serverName = c.tlsServerName;
  if (!u) return config;

  const cert = pem(u.clientCertificateData, u.clientCertificate);
  const key = pem(u.clientKeyData, u.clientKey);
  if (cert && key) config.tls.clientCertificate = { cert, key };
  config.auth = await authFor(u, { hasCert: Boolean(cert), cluster: c, options });
  return config;
}

/**
 * Data wins over a file, as in client-go. A file stays a file source, not its text: the transport
 * re-reads it, so rotated certificates are picked up.
 */
function pem(data: string | undefined, file: string | undefined): PemSource | undefined {
  if (data) return { pem: data };
  return file ? { file } : undefined;
}

async function authFor(
  u: ValidUser,
  ctx: { hasCert: boolean; cluster: ValidCluster; options: ResolveOptions },
): Promise<AuthConfig> {
  if (u.tokenFile) {
    // The inline token is sent while the file cannot be read, as client-go's bearer round tripper.
    return { type: "source", source: new TokenFileSource(u.tokenFile, { fallbackToken: u.token }) };
  }
  if (u.token) return { type: "token", token: u.token };
  if (u.username || u.password)
    return { type: "basic", username: u.username ?? "", password: u.password ?? "" };
  // As client-go: a plugin is not run when the user already authenticates another way.
  if (u.exec && !ctx.hasCert) {
    const source = new ExecCredentialSource(u.exec, {
      cluster: u.exec.provideClusterInfo ? await execClusterInfo(ctx.cluster) : undefined,
      env: ctx.options.env,
      timeout: ctx.options.execTimeout,
    });
    return { type: "source", source };
  }
  return { type: "none" };
}

/** `spec.cluster` for `KUBERNETES_EXEC_INFO`, as client-go's `ConfigToExecCluster` (a CA file is inlined). */
async function execClusterInfo(c: ValidCluster): Promise<ExecClusterInfo> {
  const info: ExecClusterInfo = { server: c.server };
  if (c.tlsServerName) info["tls-server-name"] = c.tlsServerName;
  if (c.insecureSkipTlsVerify) info["insecure-skip-tls-verify"] = true;
  const ca =
    c.certificateAuthorityData ??
    (c.certificateAuthority ? await readFile(c.certificateAuthority, "utf8") : undefined);
  if (ca) info["certificate-authority-data"] = Buffer.from(ca).toString("base64");
  if (c.proxyUrl) info["proxy-url"] = c.proxyUrl;
  if (c.disableCompression) info["disable-compression"] = true;
  const ext = c.extensions?.[execClusterExtension];
  if (ext !== undefined) info.config = ext;
  return info;
}
