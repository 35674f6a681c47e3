/**
 * Stage 3 of kubeconfig loading: a selected (and validated) context → the `ClientConfig` the
 * transport consumes, as client-go's `DirectClientConfig.ClientConfig()`:
 *
 * - The server URL keeps its path (a prefix) and loses any query or fragment; a server without a
 *   scheme gets `https://` when TLS settings exist, else `http://`.
 * - The CA, `insecure-skip-tls-verify`, `tls-server-name`, credentials and impersonation apply
 *   only to `https://` servers: a kubeconfig's secrets never travel in clear text.
 * - Auth: `token` → `{type: "token"}`; `tokenFile` → a re-reading `TokenFileSource` (a `token`
 *   beside it is the fallback); username/password → `{type: "basic"}`; `exec` →
 *   `ExecCredentialSource`, used only when no token, basic auth or client certificate is set (as
 *   client-go). Client certificates (file or data) go to `tls.clientCertificate`.
 * - Files named by the selection must be readable: the error names the file and the field.
 */
import { constants } from "node:fs";
import { access, readFile } from "node:fs/promises";
import { type ExecApiVersion, type ExecClusterInfo, ExecCredentialSource } from "../auth/exec.js";
import { TokenFileSource } from "../auth/token-file.js";
import { hasUserInfo, redactUrl } from "../core/url.js";
import {
  describeField,
  type ExecInteractiveMode,
  type KubeconfigCluster,
  type KubeconfigContext,
  KubeconfigError,
  type KubeconfigUser,
  type Named,
} from "./kubeconfig.js";
import type { AuthConfig, ClientConfig, PemSource } from "./types.js";

/** The result of context selection (`load.ts`): what `resolveClientConfig` turns into a `ClientConfig`. */
export interface KubeconfigSelection {
  /** The selected context's name (empty when only overrides were given). */
  contextName: string;
  context?: Named<KubeconfigContext>;
  /** The namespace: override, else the context's, else `default`. */
  namespace: string;
  /** The cluster stanza, overrides applied. */
  cluster: Named<KubeconfigCluster>;
  /** The user stanza, overrides applied; absent for an anonymous context. */
  user?: Named<KubeconfigUser>;
  /** Kubeconfig field names whose value came from an override (for error messages). */
  overridden?: ReadonlySet<string>;
}

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
 * Turns a selection into a `ClientConfig`.
 *
 * @throws KubeconfigError when a file it names cannot be read, the server is not an http(s) URL,
 *   or the user asks for an auth-provider (removed upstream: use an exec plugin)
 * @example
 * const config = await resolveClientConfig(selectContext(mergeKubeconfigs(files), { context: "dev" }));
 */
export async function resolveClientConfig(
  selection: KubeconfigSelection,
  options: ResolveOptions = {},
): Promise<ClientConfig> {
  const { cluster, user, overridden } = selection;
  const c = cluster.value;
  const field = (entry: Named<unknown>, name?: string) => describeField(entry, name, overridden);
  const server = normalizeServer(c, field(cluster, "server"));
  const config: ClientConfig = { server, namespace: selection.namespace, tls: {}, auth: { type: "none" } };
  if (c.proxyUrl) config.proxyUrl = c.proxyUrl;
  if (c.disableCompression) config.disableCompression = true;
  if (options.timeout) config.timeout = options.timeout;

  // client-go applies TLS settings and all of the user's stanza only to https servers.
  if (!server.startsWith("https://")) return config;

  if (c.certificateAuthorityData) config.tls.ca = { pem: c.certificateAuthorityData };
  else if (c.certificateAuthority)
    config.tls.ca = await pemFile(c.certificateAuthority, field(cluster, "certificate-authority"));
  if (c.insecureSkipTlsVerify) config.tls.insecureSkipVerify = true;
  if (c.tlsServerName) config.tls.serverName = c.tlsServerName;
  if (!user) return config;

  const u = user.value;
  const cert = u.clientCertificateData
    ? { pem: u.clientCertificateData }
    : u.clientCertificate
      ? await pemFile(u.clientCertificate, field(user, "client-certificate"))
      : undefined;
  const key = u.clientKeyData
    ? { pem: u.clientKeyData }
    : u.clientKey
      ? await pemFile(u.clientKey, field(user, "client-key"))
      : undefined;
  if (cert && key) config.tls.clientCertificate = { cert, key };

  if (u.authProvider) {
    const name = u.authProvider.name ?? "";
    throw new KubeconfigError(
      `${field(user, "auth-provider")}: auth-provider ${JSON.stringify(name)} is not supported; ` +
        "use an exec credential plugin instead (kubelogin for oidc and azure, gke-gcloud-auth-plugin for gcp)",
    );
  }
  config.auth = await authFor(u, user, field, { hasCert: Boolean(cert), cluster: c, server, options });

  if (u.as) {
    config.impersonate = { user: u.as };
    if (u.asUid) config.impersonate.uid = u.asUid;
    if (u.asGroups?.length) config.impersonate.groups = u.asGroups;
    if (u.asUserExtra) config.impersonate.extra = u.asUserExtra;
  }
  return config;
}

async function authFor(
  u: KubeconfigUser,
  user: Named<KubeconfigUser>,
  field: (entry: Named<unknown>, name?: string) => string,
  ctx: { hasCert: boolean; cluster: KubeconfigCluster; server: string; options: ResolveOptions },
): Promise<AuthConfig> {
  if (u.tokenFile) {
    // client-go reads the file when building the config: an unreadable one fails here.
    await readable(u.tokenFile, field(user, "tokenFile"));
    return { type: "source", source: new TokenFileSource(u.tokenFile, { fallbackToken: u.token }) };
  }
  if (u.token) return { type: "token", token: u.token };
  if (u.username || u.password)
    return { type: "basic", username: u.username ?? "", password: u.password ?? "" };
  // As client-go: a plugin is not run when the user already authenticates another way.
  if (u.exec && !ctx.hasCert) {
    const e = u.exec;
    const source = new ExecCredentialSource(
      {
        // Validated by selectContext.
        apiVersion: e.apiVersion as ExecApiVersion,
        command: e.command ?? "",
        args: e.args,
        env: e.env,
        installHint: e.installHint,
        provideClusterInfo: e.provideClusterInfo,
        interactiveMode: (e.interactiveMode as ExecInteractiveMode | undefined) ?? "IfAvailable",
      },
      {
        cluster: e.provideClusterInfo ? await execClusterInfo(ctx.cluster, ctx.server) : undefined,
        env: ctx.options.env,
        timeout: ctx.options.execTimeout,
      },
    );
    return { type: "source", source };
  }
  return { type: "none" };
}

/** `spec.cluster` for `KUBERNETES_EXEC_INFO`, as client-go's `ConfigToExecCluster` (a CA file is inlined). */
async function execClusterInfo(c: KubeconfigCluster, server: string): Promise<ExecClusterInfo> {
  const info: ExecClusterInfo = { server };
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

/** Checks a file can be read; the error names the kubeconfig field that pointed at it. */
async function readable(path: string, what: string): Promise<void> {
  try {
    await access(path, constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? "error"})`;
    throw new KubeconfigError(`${what}: file ${path} ${reason}`, { cause: err });
  }
}

async function pemFile(path: string, what: string): Promise<PemSource> {
  await readable(path, what);
  // A file source, not its text: the transport re-reads it, so rotated certificates are picked up.
  return { file: path };
}

/** client-go's server URL handling: default scheme, path kept, query and fragment dropped. */
function normalizeServer(c: KubeconfigCluster, what: string): string {
  const raw = c.server ?? "";
  const tls = Boolean(c.certificateAuthority || c.certificateAuthorityData || c.insecureSkipTlsVerify);
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `${tls ? "https" : "http"}://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    // The text may hold a password that broke the parse: print it without its user info.
    const removed = hasUserInfo(raw) ? " (user info removed)" : "";
    throw new KubeconfigError(`${what}: ${JSON.stringify(redactUrl(raw))}${removed} is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new KubeconfigError(`${what}: the scheme must be https or http, not ${url.protocol.slice(0, -1)}`);
  if (url.username || url.password) throw new KubeconfigError(`${what}: must not contain credentials`);
  if (!url.search && !url.hash) return withScheme;
  return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
}
