/**
 * Stage 3 of kubeconfig loading: is the selected context usable? client-go's `validation.go`
 * (`ConfirmUsable`) for the selected cluster and user, overrides applied. It checks everything and
 * reports every problem at once (a `KubeconfigError` with one entry per problem), as client-go's
 * aggregate error does, and returns the selection with narrowed types, so `resolve.ts` only maps.
 *
 * - Always: a server URL that is http(s) and carries no credentials; `proxy-url` by the shared
 *   proxy rule (`core/proxy-rules.ts`); a CA file or data, not both, and not beside
 *   `insecure-skip-tls-verify`; a readable CA file; token or basic auth, not both; a client
 *   certificate with its key and the other way round, each a file or data, not both, files
 *   readable; impersonation extras only with `as`; an exec plugin's command, API version, v1's
 *   `interactiveMode` and env names.
 * - Only for `https://` servers, where client-go uses them: `*-data` fields must be PEM; a
 *   `tokenFile` must be readable unless an inline `token` stands beside it (client-go then sends
 *   the token and uses the file only once it can be read); an `auth-provider` is refused.
 */
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import {
  type ExecPluginConfig,
  execApiVersions,
  execInteractiveModes,
  isExecApiVersion,
  isExecInteractiveMode,
} from "../auth/exec.js";
import { proxyUrlProblem } from "../core/proxy-rules.js";
import { insecureWithCa, insecureWithCaReason } from "../core/tls-rules.js";
import { hasUserInfo, redactUrl } from "../core/url.js";
import {
  describeField,
  type KubeconfigCluster,
  type KubeconfigContext,
  KubeconfigError,
  type KubeconfigUser,
  type Named,
} from "./kubeconfig.js";

/** The result of context selection (`load.ts`): the stanzas to validate and resolve. */
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

/** A cluster stanza that passed validation: `server` is there, normalized (see {@link normalizeServer}). */
export interface ValidCluster extends KubeconfigCluster {
  server: string;
}

/** A user stanza that passed validation: its exec plugin is complete; an auth-provider is gone. */
export interface ValidUser extends Omit<KubeconfigUser, "exec" | "authProvider"> {
  exec?: ExecPluginConfig;
}

/** A selection that passed validation, as `resolveClientConfig` takes it. */
export interface ValidSelection extends Omit<KubeconfigSelection, "cluster" | "user"> {
  cluster: Named<ValidCluster>;
  user?: Named<ValidUser>;
}

/** `Never, IfAvailable or Always`. */
const interactiveModesText = `${execInteractiveModes.slice(0, -1).join(", ")} or ${execInteractiveModes.at(-1)}`;

/** A problem now, or one a file check may find; undefined for none. */
type Check = string | undefined | Promise<string | undefined>;

/** Names a field of an entry for a message (`describeField` with the selection's overrides). */
type FieldNamer = (entry: Named<unknown>, field?: string) => string;

/**
 * Validates a selection as client-go's `ConfirmUsable`, reading the files it names.
 *
 * @throws KubeconfigError listing every problem, each naming the file and field (never a value)
 * @example
 * const config = await resolveClientConfig(await validateSelection(selectContext(merged)));
 */
export async function validateSelection(selection: KubeconfigSelection): Promise<ValidSelection> {
  const { cluster, user, overridden } = selection;
  const at: FieldNamer = (entry, field) => describeField(entry, field, overridden);
  const raw = cluster.value.server;
  const server = raw
    ? normalizeServer(raw, at(cluster, "server"), hasTlsSettings(cluster.value))
    : {
        problem: `${at(cluster, "server")}: is required (no server found for cluster ${JSON.stringify(cluster.name)})`,
      };
  const https = server.url?.startsWith("https://") ?? false;
  const checks: Check[] = [server.problem, ...clusterChecks(cluster, https, at)];
  const exec = user?.value.exec && validExec(user.value.exec);
  if (user) {
    checks.push(...userChecks(user, https, at));
    if (Array.isArray(exec)) checks.push(...exec.map(([field, message]) => `${at(user, field)}: ${message}`));
  }
  const problems = (await Promise.all(checks)).filter((p) => p !== undefined);
  if (problems.length || server.url === undefined) throw new KubeconfigError(problems);
  let validUser: Named<ValidUser> | undefined;
  if (user) {
    const { exec: _exec, authProvider: _authProvider, ...rest } = user.value;
    validUser = { ...user, value: exec && !Array.isArray(exec) ? { ...rest, exec } : rest };
  }
  return {
    ...selection,
    cluster: { ...cluster, value: { ...cluster.value, server: server.url } },
    user: validUser,
  };
}

const hasTlsSettings = (c: KubeconfigCluster) =>
  Boolean(c.certificateAuthority || c.certificateAuthorityData || c.insecureSkipTlsVerify);

/** client-go's `validateClusterInfo`; PEM data only for https, where it is used. */
function clusterChecks(cluster: Named<KubeconfigCluster>, https: boolean, at: FieldNamer): Check[] {
  const c = cluster.value;
  const proxyProblem = c.proxyUrl === undefined ? undefined : proxyUrlProblem(c.proxyUrl);
  return [
    proxyProblem ? `${at(cluster, "proxy-url")}: ${proxyProblem}` : undefined,
    c.certificateAuthority && c.certificateAuthorityData
      ? `${at(cluster)}: certificate-authority and certificate-authority-data are both set; keep one`
      : undefined,
    insecureWithCa({
      insecureSkipVerify: c.insecureSkipTlsVerify,
      hasCa: Boolean(c.certificateAuthority || c.certificateAuthorityData),
    })
      ? `${at(cluster, "insecure-skip-tls-verify")}: ${insecureWithCaReason}`
      : undefined,
    c.certificateAuthority
      ? unreadable(c.certificateAuthority, at(cluster, "certificate-authority"))
      : undefined,
    https ? notPem(c.certificateAuthorityData, at(cluster, "certificate-authority-data")) : undefined,
  ];
}

/** client-go's `validateAuthInfo`, plus what its `ClientConfig()` fails on for https servers. */
function userChecks(user: Named<KubeconfigUser>, https: boolean, at: FieldNamer): Check[] {
  const u = user.value;
  const f = (field: string) => at(user, field);
  const hasCert = Boolean(u.clientCertificate || u.clientCertificateData);
  const hasKey = Boolean(u.clientKey || u.clientKeyData);
  return [
    (u.token || u.tokenFile) && (u.username || u.password)
      ? `${at(user)}: more than one authentication method: username/password or a bearer token may be set, but not both`
      : undefined,
    u.clientCertificate && u.clientCertificateData
      ? `${at(user)}: client-certificate and client-certificate-data are both set; keep one`
      : undefined,
    u.clientKey && u.clientKeyData
      ? `${at(user)}: client-key and client-key-data are both set; keep one`
      : undefined,
    hasCert && !hasKey
      ? `${f("client-key")}: client-key or client-key-data is required with a client certificate`
      : undefined,
    hasKey && !hasCert
      ? `${f("client-certificate")}: client-certificate or client-certificate-data is required with a client key`
      : undefined,
    u.clientCertificate ? unreadable(u.clientCertificate, f("client-certificate")) : undefined,
    u.clientKey ? unreadable(u.clientKey, f("client-key")) : undefined,
    https ? notPem(u.clientCertificateData, f("client-certificate-data")) : undefined,
    https ? notPem(u.clientKeyData, f("client-key-data")) : undefined,
    // client-go reads a token file only without an inline token; with one it never fails on it.
    https && u.tokenFile && !u.token ? unreadable(u.tokenFile, f("tokenFile")) : undefined,
    !u.as && (u.asUid || u.asGroups?.length || u.asUserExtra)
      ? `${f("as")}: is required with as-uid, as-groups or as-user-extra (impersonating a user)`
      : undefined,
    u.exec && u.authProvider ? `${at(user)}: exec and auth-provider cannot be used together` : undefined,
    https && u.authProvider && !u.exec
      ? `${f("auth-provider")}: auth-provider ${JSON.stringify(u.authProvider.name ?? "")} is not supported; ` +
        "use an exec credential plugin instead (kubelogin for oidc and azure, gke-gcloud-auth-plugin for gcp)"
      : undefined,
  ];
}

/**
 * An exec stanza as the plugin's configuration, or its problems as `[field, message]` pairs.
 * `interactiveMode` defaults to `IfAvailable`, which v1beta1 implies.
 */
function validExec(e: NonNullable<KubeconfigUser["exec"]>): ExecPluginConfig | [string, string][] {
  const problems: [string, string][] = [];
  const { command, apiVersion, interactiveMode: mode } = e;
  if (!command) problems.push(["exec.command", "is required"]);
  if (!apiVersion) problems.push(["exec.apiVersion", "is required"]);
  else if (!isExecApiVersion(apiVersion))
    problems.push([
      "exec.apiVersion",
      `must be ${execApiVersions.join(" or ")}, not ${JSON.stringify(apiVersion)}`,
    ]);
  if (mode === undefined && apiVersion === "client.authentication.k8s.io/v1")
    problems.push([
      "exec.interactiveMode",
      `is required for client.authentication.k8s.io/v1 (${interactiveModesText})`,
    ]);
  else if (mode !== undefined && !isExecInteractiveMode(mode))
    problems.push(["exec.interactiveMode", `must be ${interactiveModesText}`]);
  e.env?.forEach((v, i) => {
    if (!v.name) problems.push([`exec.env[${i}].name`, "is required"]);
  });
  if (problems.length || !command || !apiVersion || !isExecApiVersion(apiVersion)) return problems;
  const { args, env, installHint, provideClusterInfo } = e;
  const interactiveMode = mode !== undefined && isExecInteractiveMode(mode) ? mode : "IfAvailable";
  return { apiVersion, command, args, env, installHint, provideClusterInfo, interactiveMode };
}

/** A problem when `path` cannot be read; the text names the kubeconfig field that pointed at it. */
async function unreadable(path: string, what: string): Promise<string | undefined> {
  try {
    await access(path, constants.R_OK);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return `${what}: file ${path} ${code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? "error"})`}`;
  }
}

/** A problem when decoded `*-data` text holds no PEM block (client-go fails on it when building TLS). */
function notPem(text: string | undefined, what: string): string | undefined {
  return text !== undefined && !text.includes("-----BEGIN ")
    ? `${what}: does not decode to PEM data`
    : undefined;
}

/**
 * client-go's server URL handling: a missing scheme is `https://` when TLS settings exist, else
 * `http://`; the path is kept (a prefix), a query or fragment dropped; only http and https, and
 * no user info. The problem text never holds the URL's user info.
 */
export function normalizeServer(raw: string, what: string, tls: boolean): { url?: string; problem?: string } {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `${tls ? "https" : "http"}://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    // The text may hold a password that broke the parse: print it without its user info.
    const removed = hasUserInfo(raw) ? " (user info removed)" : "";
    return { problem: `${what}: ${JSON.stringify(redactUrl(raw))}${removed} is not a URL` };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return { problem: `${what}: the scheme must be https or http, not ${url.protocol.slice(0, -1)}` };
  if (url.username || url.password) return { problem: `${what}: must not contain credentials` };
  if (!url.search && !url.hash) return { url: withScheme };
  return { url: `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}` };
}
