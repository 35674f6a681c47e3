/**
 * Stage 2 of kubeconfig loading, and the entry point `loadKubeconfig()`: which files to read
 * (client-go's default loading rules), how they merge, which context, cluster and user are
 * selected, how overrides apply, and whether the selection is usable (client-go's
 * `validation.go`). Stage 3, `resolve.ts`, turns the selection into the `ClientConfig`.
 *
 * - An explicit `path` replaces everything (a missing one is an error). Else the `KUBECONFIG`
 *   list (`:`-separated, `;` on Windows): the first file that defines a named cluster, user or
 *   context wins the whole entry, the first non-empty `current-context` wins, and missing files are
 *   skipped unless all are missing. Else `~/.kube/config`.
 * - Relative paths (`certificate-authority`, `client-certificate`, `client-key`, `tokenFile`, and
 *   an exec `command` containing `/`) resolve against the folder of the file that defined them.
 *
 * @see https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { execApiVersions } from "../auth/exec.js";
import { insecureWithCa, insecureWithCaReason } from "../core/tls-rules.js";
import {
  decodeKubeconfigBytes,
  describeField,
  type KubeconfigCluster,
  type KubeconfigContext,
  KubeconfigError,
  type KubeconfigFile,
  type KubeconfigUser,
  type Named,
  parseKubeconfig,
} from "./kubeconfig.js";
import { type KubeconfigSelection, resolveClientConfig } from "./resolve.js";
import type { ClientConfig } from "./types.js";

/**
 * Overrides, as kubectl's flags (client-go's `ConfigOverrides`). Empty values count as unset.
 * Paths are used as given (relative to the working directory).
 */
export interface ConfigOverrides {
  /** `--context`: the context to use instead of `current-context`. */
  context?: string;
  /** `--cluster`: the cluster to use instead of the context's. */
  cluster?: string;
  /** `--user`: the user to use instead of the context's. */
  user?: string;
  /** `--namespace`: wins over the context's namespace. */
  namespace?: string;
  /** `--server`: replaces the cluster's server and drops its `tls-server-name`. */
  server?: string;
  /** `--tls-server-name`. */
  tlsServerName?: string;
  /** `--insecure-skip-tls-verify`: drops the kubeconfig's CA settings. */
  insecureSkipTlsVerify?: boolean;
  /** `--certificate-authority`: a CA file; drops the kubeconfig's CA settings and insecure flag. */
  certificateAuthority?: string;
  /** `--client-certificate` (a file; replaces the user's certificate). */
  clientCertificate?: string;
  /** `--client-key` (a file; replaces the user's key). */
  clientKey?: string;
  /** `--token`: replaces the user's token and token file. */
  token?: string;
  /** `--username` / `--password`. */
  username?: string;
  password?: string;
  /** `--as`, `--as-uid`, `--as-group`: impersonation. */
  as?: string;
  asUid?: string;
  asGroups?: string[];
  /** `--proxy-url`. */
  proxyUrl?: string;
  /** `--disable-compression`. */
  disableCompression?: boolean;
  /** `--request-timeout`, in milliseconds. */
  timeout?: number;
}

/** Options of {@link loadKubeconfig}: where to read, overrides, and the environment to use. */
export interface LoadKubeconfigOptions extends ConfigOverrides {
  /** Explicit kubeconfig file (kubectl's `--kubeconfig`): replaces `KUBECONFIG` and the default. */
  path?: string;
  /** Environment for `KUBECONFIG` (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Home folder for `~/.kube/config` (default `os.homedir()`). */
  home?: string;
  /** Milliseconds an exec credential plugin may run before it is killed (default: no limit). */
  execTimeout?: number;
}

/**
 * What `loadKubeconfig` returns: the `ClientConfig` (whose `namespace` is the override, else the
 * context's namespace, else `default`) plus where it came from.
 */
export interface LoadedClientConfig extends ClientConfig {
  /** Name of the selected context. */
  contextName: string;
  /** The kubeconfig files read, in precedence order. */
  files: string[];
}

/** All entries of the loaded files, merged by client-go's precedence rules. */
export interface MergedKubeconfig {
  clusters: Map<string, Named<KubeconfigCluster>>;
  users: Map<string, Named<KubeconfigUser>>;
  contexts: Map<string, Named<KubeconfigContext>>;
  currentContext?: string;
  /** The file that set `current-context`. */
  currentContextFile?: string;
  files: string[];
}

const noConfiguration =
  "no configuration has been provided, try setting KUBERNETES_MASTER environment variable";

/**
 * The files client-go's default loading rules read, in precedence order.
 *
 * @example
 * kubeconfigPaths({ env: { KUBECONFIG: "/a:/b" } }); // { paths: ["/a", "/b"], explicit: false }
 */
export function kubeconfigPaths(options: Pick<LoadKubeconfigOptions, "path" | "env" | "home"> = {}): {
  paths: string[];
  explicit: boolean;
} {
  if (options.path) return { paths: [options.path], explicit: true };
  const list = (options.env ?? process.env).KUBECONFIG;
  if (list) return { paths: [...new Set(list.split(delimiter).filter(Boolean))], explicit: false };
  return { paths: [join(options.home ?? homedir(), ".kube", "config")], explicit: false };
}

/**
 * Reads, parses and path-resolves the given kubeconfig files. Missing files are skipped unless
 * `explicit` (then a missing file is an error); if none exists, the result is empty.
 *
 * @throws KubeconfigError naming the file for an unreadable or invalid file
 */
export async function readKubeconfigFiles(paths: string[], explicit: boolean): Promise<KubeconfigFile[]> {
  const files: KubeconfigFile[] = [];
  for (const path of paths) {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" && !explicit) continue;
      const reason =
        code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : (code ?? err);
      throw new KubeconfigError(`${path}: cannot read the kubeconfig: ${reason}`, { cause: err });
    }
    files.push(resolveLocalPaths(parseKubeconfig(decodeKubeconfigBytes(bytes), path)));
  }
  return files;
}

/**
 * Resolves a file's relative paths against its folder, as client-go's `ResolveLocalPaths`: the
 * CA, client certificate and key, `tokenFile`, and an exec `command` that contains a `/` (a bare
 * command name is looked up on PATH).
 */
export function resolveLocalPaths(model: KubeconfigFile): KubeconfigFile {
  const base = dirname(resolve(model.file));
  const abs = (p: string | undefined) => (p === undefined || isAbsolute(p) ? p : resolve(base, p));
  const set = <T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined) => {
    if (value !== undefined) obj[key] = value;
  };
  for (const { value: c } of model.clusters) set(c, "certificateAuthority", abs(c.certificateAuthority));
  for (const { value: u } of model.users) {
    set(u, "clientCertificate", abs(u.clientCertificate));
    set(u, "clientKey", abs(u.clientKey));
    set(u, "tokenFile", abs(u.tokenFile));
    if (u.exec?.command?.includes("/")) u.exec.command = abs(u.exec.command);
  }
  return model;
}

/**
 * Merges files by client-go's rules: the first file that defines a name wins the whole entry (no
 * field merge), and the first non-empty `current-context` wins.
 */
export function mergeKubeconfigs(files: KubeconfigFile[]): MergedKubeconfig {
  const pick = <T>(list: (f: KubeconfigFile) => Named<T>[]) => {
    const map = new Map<string, Named<T>>();
    for (const f of files) for (const e of list(f)) if (!map.has(e.name)) map.set(e.name, e);
    return map;
  };
  const current = files.find((f) => f.currentContext);
  return {
    clusters: pick((f) => f.clusters),
    users: pick((f) => f.users),
    contexts: pick((f) => f.contexts),
    currentContext: current?.currentContext,
    currentContextFile: current?.file,
    files: files.map((f) => f.file),
  };
}

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Applies cluster overrides (`--server` drops `tls-server-name`; a CA or insecure override drops all CA settings). */
function overrideCluster(
  c: KubeconfigCluster,
  o: ConfigOverrides,
  overridden: Set<string>,
): KubeconfigCluster {
  const out = { ...c };
  const mark = (...fields: string[]) => {
    for (const f of fields) overridden.add(f);
  };
  if (o.server) {
    out.server = o.server;
    delete out.tlsServerName;
    mark("server");
  }
  if (o.tlsServerName) {
    out.tlsServerName = o.tlsServerName;
    mark("tls-server-name");
  }
  if (o.insecureSkipTlsVerify || o.certificateAuthority) {
    delete out.certificateAuthority;
    delete out.certificateAuthorityData;
    delete out.insecureSkipTlsVerify;
    if (o.insecureSkipTlsVerify) out.insecureSkipTlsVerify = true;
    if (o.certificateAuthority) out.certificateAuthority = resolve(o.certificateAuthority);
    mark("certificate-authority", "insecure-skip-tls-verify");
  }
  if (o.proxyUrl) {
    out.proxyUrl = o.proxyUrl;
    mark("proxy-url");
  }
  if (o.disableCompression) out.disableCompression = true;
  return out;
}

/** Applies user overrides; an override replaces the matching kubeconfig fields (file and data). */
function overrideUser(u: KubeconfigUser, o: ConfigOverrides, overridden: Set<string>): KubeconfigUser {
  const out = { ...u };
  if (o.clientCertificate) {
    out.clientCertificate = resolve(o.clientCertificate);
    delete out.clientCertificateData;
    overridden.add("client-certificate");
  }
  if (o.clientKey) {
    out.clientKey = resolve(o.clientKey);
    delete out.clientKeyData;
    overridden.add("client-key");
  }
  if (o.token) {
    out.token = o.token;
    delete out.tokenFile;
    overridden.add("token");
  }
  if (o.username) out.username = o.username;
  if (o.password) out.password = o.password;
  if (o.as) {
    out.as = o.as;
    overridden.add("as");
  }
  if (o.asUid) out.asUid = o.asUid;
  if (o.asGroups?.length) out.asGroups = o.asGroups;
  return out;
}

/**
 * Picks the context, cluster and user (overrides first), applies the overrides, and validates the
 * selection as client-go's `validation.go` does, reporting every problem found at once.
 *
 * @throws KubeconfigError naming the file and field of each problem
 */
export function selectContext(
  merged: MergedKubeconfig,
  overrides: ConfigOverrides = {},
): KubeconfigSelection {
  const where = merged.files.join(", ") || "(no kubeconfig)";
  const at = (entry: Named<unknown>, field?: string) => describeField(entry, field);
  const contextName = overrides.context || merged.currentContext;
  if (!contextName) {
    if (overrides.server && !overrides.cluster) return serverOnlySelection(merged, overrides);
    if (merged.files.length === 0 || (merged.clusters.size === 0 && merged.contexts.size === 0))
      throw new KubeconfigError(`${where}: ${noConfiguration}`);
    throw new KubeconfigError(`${where}: current-context is not set, and no context was given`);
  }
  const context = merged.contexts.get(contextName);
  if (!context) {
    const name = JSON.stringify(contextName);
    throw new KubeconfigError(
      overrides.context
        ? `context ${name} (the context override) does not exist in ${where}`
        : `${merged.currentContextFile}: current-context: context ${name} does not exist in ${where}`,
    );
  }

  const problems: string[] = [];
  const clusterName = overrides.cluster || context.value.cluster;
  const cluster = clusterName ? merged.clusters.get(clusterName) : undefined;
  if (!clusterName) problems.push(`${at(context, "cluster")}: is required`);
  else if (!cluster) {
    problems.push(
      overrides.cluster
        ? `cluster ${JSON.stringify(clusterName)} (the cluster override) does not exist in ${where}`
        : `${at(context, "cluster")}: cluster ${JSON.stringify(clusterName)} does not exist`,
    );
  }
  const userName = overrides.user || context.value.user;
  const user = userName ? merged.users.get(userName) : undefined;
  if (userName && !user) {
    problems.push(
      overrides.user
        ? `user ${JSON.stringify(userName)} (the user override) does not exist in ${where}`
        : `${at(context, "user")}: user ${JSON.stringify(userName)} does not exist`,
    );
  }
  const namespace = overrides.namespace || context.value.namespace || "default";
  if (!dns1123Label.test(namespace) || namespace.length > 63) {
    problems.push(
      overrides.namespace
        ? `namespace ${JSON.stringify(namespace)} (the namespace override) is not a valid DNS-1123 label`
        : `${at(context, "namespace")}: ${JSON.stringify(namespace)} is not a valid DNS-1123 label`,
    );
  }
  if (problems.length || !cluster) throw new KubeconfigError(problems);

  const overridden = new Set<string>();
  const selection: KubeconfigSelection = {
    contextName,
    context,
    namespace,
    cluster: { ...cluster, value: overrideCluster(cluster.value, overrides, overridden) },
    user: user
      ? { ...user, value: overrideUser(user.value, overrides, overridden) }
      : hasUserOverride(overrides)
        ? { name: "", file: "", path: "", value: overrideUser({}, overrides, overridden) }
        : undefined,
    overridden,
  };
  validateSelection(selection);
  return selection;
}

const hasUserOverride = (o: ConfigOverrides) =>
  Boolean(o.clientCertificate || o.clientKey || o.token || o.username || o.password || o.as || o.asUid);

/** No context, but a server override: client-go then builds a config from the overrides alone. */
function serverOnlySelection(merged: MergedKubeconfig, o: ConfigOverrides): KubeconfigSelection {
  const overridden = new Set<string>();
  const selection: KubeconfigSelection = {
    contextName: "",
    namespace: o.namespace || "default",
    cluster: { name: "", file: "", path: "", value: overrideCluster({}, o, overridden) },
    user: hasUserOverride(o)
      ? { name: "", file: "", path: "", value: overrideUser({}, o, overridden) }
      : undefined,
    overridden,
  };
  if (o.user && !merged.users.has(o.user))
    throw new KubeconfigError(`user ${JSON.stringify(o.user)} (the user override) does not exist`);
  validateSelection(selection);
  return selection;
}

/**
 * client-go's `validateClusterInfo` and `validateAuthInfo` for the selected stanzas (file checks
 * happen in `resolve.ts`, which reads the files).
 */
function validateSelection({ cluster, user, overridden }: KubeconfigSelection): void {
  const problems: string[] = [];
  const at = (entry: Named<unknown>, field?: string) => describeField(entry, field, overridden);
  const c = cluster.value;
  if (!c.server)
    problems.push(
      `${at(cluster, "server")}: is required (no server found for cluster ${JSON.stringify(cluster.name)})`,
    );
  if (c.certificateAuthority && c.certificateAuthorityData)
    problems.push(
      `${at(cluster)}: certificate-authority and certificate-authority-data are both set; keep one`,
    );
  if (
    insecureWithCa({
      insecureSkipVerify: c.insecureSkipTlsVerify,
      hasCa: Boolean(c.certificateAuthority || c.certificateAuthorityData),
    })
  )
    problems.push(`${at(cluster, "insecure-skip-tls-verify")}: ${insecureWithCaReason}`);
  if (c.proxyUrl) {
    let scheme = "";
    try {
      scheme = new URL(c.proxyUrl).protocol;
    } catch {
      problems.push(`${at(cluster, "proxy-url")}: is not a URL`);
    }
    if (scheme && !["http:", "https:", "socks5:"].includes(scheme))
      problems.push(
        `${at(cluster, "proxy-url")}: the scheme must be http, https or socks5, not ${scheme.slice(0, -1)}`,
      );
  }
  if (user) {
    const u = user.value;
    const f = (field: string) => at(user, field);
    if ((u.token || u.tokenFile) && (u.username || u.password))
      problems.push(
        `${at(user)}: more than one authentication method: username/password or a bearer token may be set, but not both`,
      );
    if (u.clientCertificate && u.clientCertificateData)
      problems.push(`${at(user)}: client-certificate and client-certificate-data are both set; keep one`);
    if (u.clientKey && u.clientKeyData)
      problems.push(`${at(user)}: client-key and client-key-data are both set; keep one`);
    if ((u.clientCertificate || u.clientCertificateData) && !u.clientKey && !u.clientKeyData)
      problems.push(
        `${f("client-key")}: client-key or client-key-data is required with a client certificate`,
      );
    if ((u.clientKey || u.clientKeyData) && !u.clientCertificate && !u.clientCertificateData)
      problems.push(
        `${f("client-certificate")}: client-certificate or client-certificate-data is required with a client key`,
      );
    if (!u.as && (u.asUid || u.asGroups?.length || u.asUserExtra))
      problems.push(`${f("as")}: is required with as-uid, as-groups or as-user-extra (impersonating a user)`);
    if (u.exec) {
      const e = u.exec;
      if (u.authProvider) problems.push(`${at(user)}: exec and auth-provider cannot be used together`);
      if (!e.command) problems.push(`${f("exec.command")}: is required`);
      if (!e.apiVersion) problems.push(`${f("exec.apiVersion")}: is required`);
      else if (!(execApiVersions as readonly string[]).includes(e.apiVersion))
        problems.push(
          `${f("exec.apiVersion")}: must be ${execApiVersions.join(" or ")}, not ${JSON.stringify(e.apiVersion)}`,
        );
      if (e.interactiveMode === undefined && e.apiVersion === "client.authentication.k8s.io/v1")
        problems.push(
          `${f("exec.interactiveMode")}: is required for client.authentication.k8s.io/v1 (Never, IfAvailable or Always)`,
        );
      else if (
        e.interactiveMode !== undefined &&
        !["Never", "IfAvailable", "Always"].includes(e.interactiveMode)
      )
        problems.push(`${f("exec.interactiveMode")}: must be Never, IfAvailable or Always`);
      e.env?.forEach((v, i) => {
        if (!v.name) problems.push(`${f(`exec.env[${i}].name`)}: is required`);
      });
    }
  }
  if (problems.length) throw new KubeconfigError(problems);
}

/**
 * Loads the kubeconfig by client-go's default loading rules, selects the context, applies
 * overrides, validates, and resolves the result into a `ClientConfig` (see `resolve.ts`).
 * Credentials, the CA, `insecure-skip-tls-verify` and `tls-server-name` are used only for
 * `https://` servers, as client-go does.
 *
 * @throws KubeconfigError naming the file and field at fault (never a secret's value)
 * @example
 * const config = await loadKubeconfig();                       // $KUBECONFIG or ~/.kube/config
 * const other = await loadKubeconfig({ context: "staging", namespace: "team-a" });
 * const clientset = Clientset.forConfig(config);
 */
export async function loadKubeconfig(options: LoadKubeconfigOptions = {}): Promise<LoadedClientConfig> {
  const { paths, explicit } = kubeconfigPaths(options);
  const files = await readKubeconfigFiles(paths, explicit);
  const merged = mergeKubeconfigs(files);
  if (files.length === 0 && !options.server) {
    const what = (options.env ?? process.env).KUBECONFIG
      ? "none of the KUBECONFIG files exists"
      : "no kubeconfig";
    throw new KubeconfigError(`${noConfiguration} (${what}: ${paths.join(", ")})`);
  }
  const selection = selectContext(merged, options);
  const config = await resolveClientConfig(selection, {
    timeout: options.timeout,
    execTimeout: options.execTimeout,
  });
  return { ...config, contextName: selection.contextName, files: merged.files };
}
