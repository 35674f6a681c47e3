/**
 * Stage 2 of kubeconfig loading, and the entry point `loadKubeconfig()`: which files to read
 * (client-go's default loading rules), how they merge, and which context, cluster and user are
 * selected, overrides applied (`overrides.ts`). Stage 3, `validate.ts`, checks the selection is
 * usable; stage 4, `resolve.ts`, turns it into the `ClientConfig`.
 *
 * - An explicit `path` replaces everything (a missing one is an error). Else the `KUBECONFIG`
 *   list (`:`-separated, `;` on Windows): the first file that defines a named cluster, user or
 *   context wins the whole entry, the first non-empty `current-context` wins, and missing files are
 *   skipped unless all are missing. Else `~/.kube/config`.
 * - Relative paths (`certificate-authority`, `client-certificate`, `client-key`, `tokenFile`, and
 *   an exec `command` containing `/`) resolve against the folder of the file that defined them.
 * - No kubeconfig at all (or only empty ones) inside a pod: the in-cluster configuration, with
 *   the server, token, CA and namespace overrides applied, as client-go's deferred loader does.
 *
 * @see https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { inClusterConfig, isInCluster } from "./in-cluster.js";
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
import { type ConfigOverrides, hasUserOverride, overrideCluster, overrideUser } from "./overrides.js";
import { resolveClientConfig } from "./resolve.js";
import type { ClientConfig } from "./types.js";
import { type KubeconfigSelection, validateSelection } from "./validate.js";

/** Options of {@link loadKubeconfig}: where to read, overrides, and the environment to use. */
export interface LoadKubeconfigOptions extends ConfigOverrides {
  /** Explicit kubeconfig file (kubectl's `--kubeconfig`): replaces `KUBECONFIG` and the default. */
  path?: string;
  /**
   * Environment for `KUBECONFIG`, and for `KUBERNETES_SERVICE_HOST`/`_PORT` and `POD_NAMESPACE`
   * of the in-cluster fallback (default `process.env`).
   */
  env?: NodeJS.ProcessEnv;
  /** Home folder for `~/.kube/config` (default `os.homedir()`). */
  home?: string;
  /**
   * Filesystem root under which the in-cluster fallback looks for the service-account files
   * (`/var/run/secrets/kubernetes.io/serviceaccount/`; default `/`).
   */
  root?: string;
  /** Milliseconds an exec credential plugin may run before it is killed (default: no limit). */
  execTimeout?: number;
}

/**
 * What `loadKubeconfig` returns: the `ClientConfig` (whose `namespace` is the override, else the
 * context's namespace, else `default`) plus where it came from.
 */
export interface LoadedClientConfig extends ClientConfig {
  /** Name of the selected context (empty for the in-cluster configuration). */
  contextName: string;
  /** The kubeconfig files read, in precedence order (none for the in-cluster configuration). */
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

/**
 * Picks the context, cluster and user (overrides first) and applies the overrides. Whether the
 * stanzas are usable is `validateSelection`'s question.
 *
 * @throws KubeconfigError when the context, its cluster or user does not exist, or the namespace
 *   is no DNS-1123 label (every such problem at once)
 */
export function selectContext(
  merged: MergedKubeconfig,
  overrides: ConfigOverrides = {},
): KubeconfigSelection {
  const where = merged.files.join(", ") || "(no kubeconfig)";
  const at = (entry: Named<unknown>, field?: string) => describeField(entry, field);
  const contextName = overrides.context || merged.currentContext;
  if (!contextName) {
    if (overrides.server && !overrides.cluster) {
      // No context, but a server: client-go builds a config from the overrides alone.
      if (overrides.user && !merged.users.has(overrides.user))
        throw new KubeconfigError(
          `user ${JSON.stringify(overrides.user)} (the user override) does not exist`,
        );
      return withOverrides({ contextName: "", namespace: overrides.namespace || "default" }, overrides);
    }
    if (isEmpty(merged)) throw new KubeconfigError(`${where}: ${noConfiguration}`);
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
  return withOverrides({ contextName, context, namespace }, overrides, cluster, user);
}

/** An entry made of overrides alone: no file, no name. */
const unnamed = <T>(value: T): Named<T> => ({ name: "", file: "", path: "", value });

/** The selection with the overrides applied to its cluster and user (or to empty ones). */
function withOverrides(
  base: Pick<KubeconfigSelection, "contextName" | "context" | "namespace">,
  o: ConfigOverrides,
  cluster: Named<KubeconfigCluster> = unnamed({}),
  user?: Named<KubeconfigUser>,
): KubeconfigSelection {
  const overridden = new Set<string>();
  const userEntry = user ?? (hasUserOverride(o) ? unnamed({}) : undefined);
  return {
    ...base,
    cluster: { ...cluster, value: overrideCluster(cluster.value, o, overridden) },
    user: userEntry && { ...userEntry, value: overrideUser(userEntry.value, o, overridden) },
    overridden,
  };
}

/** client-go's `IsConfigEmpty`: nothing was loaded that could name a cluster. */
function isEmpty(merged: MergedKubeconfig): boolean {
  return merged.files.length === 0 || (merged.clusters.size === 0 && merged.contexts.size === 0);
}

/**
 * The in-cluster configuration with the overrides client-go applies to it (server, token, CA,
 * namespace), for `loadKubeconfig` when no kubeconfig says anything.
 */
async function inClusterWithOverrides(options: LoadKubeconfigOptions): Promise<LoadedClientConfig> {
  const config = await inClusterConfig(options);
  if (options.server) config.server = options.server;
  if (options.token) config.auth = { type: "token", token: options.token };
  if (options.certificateAuthority) config.tls.ca = { file: resolve(options.certificateAuthority) };
  if (options.namespace) config.namespace = options.namespace;
  if (options.timeout) config.timeout = options.timeout;
  return { ...config, contextName: "", files: [] };
}

/**
 * Loads the kubeconfig by client-go's default loading rules, selects the context, applies
 * overrides, validates, and resolves the result into a `ClientConfig` (see `resolve.ts`).
 * Credentials, the CA, `insecure-skip-tls-verify` and `tls-server-name` are used only for
 * `https://` servers, as client-go does. With no kubeconfig (or only empty ones) and no context,
 * cluster, user or server override, inside a pod it returns the in-cluster configuration, as
 * client-go's deferred loading does.
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
  const named = options.context || options.cluster || options.user || options.server;
  if (isEmpty(merged) && !named && (await isInCluster(options))) return inClusterWithOverrides(options);
  if (files.length === 0 && !options.server) {
    const what = (options.env ?? process.env).KUBECONFIG
      ? "none of the KUBECONFIG files exists"
      : "no kubeconfig";
    throw new KubeconfigError(`${noConfiguration} (${what}: ${paths.join(", ")})`);
  }
  const selection = await validateSelection(selectContext(merged, options));
  const config = await resolveClientConfig(selection, {
    timeout: options.timeout,
    execTimeout: options.execTimeout,
  });
  return { ...config, contextName: selection.contextName, files: merged.files };
}
