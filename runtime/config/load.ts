/**
 * `loadKubeconfig()`: client-go's default loading rules, merge, context selection and overrides,
 * resolved into a `ClientConfig`.
 *
 * - An explicit `path` replaces everything. Else the `KUBECONFIG` list (`:`-separated): the first
 *   file that defines a named cluster, user or context wins the whole entry, the first non-empty
 *   `current-context` wins, missing files are skipped unless all are missing. Else `~/.kube/config`.
 * - Credentials, CA, `insecure-skip-tls-verify` and `tls-server-name` apply only to `https://`
 *   servers, as in client-go.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { type ExecClusterInfo, ExecCredentialSource } from "../auth/exec.js";
import { TokenFileSource } from "../auth/token-file.js";
import {
  type KubeconfigCluster,
  type KubeconfigContext,
  KubeconfigError,
  type KubeconfigFile,
  type KubeconfigUser,
  type Named,
  parseKubeconfig,
} from "./kubeconfig.js";
import type { AuthConfig, ClientConfig, PemSource } from "./types.js";

export interface LoadKubeconfigOptions {
  /** Explicit kubeconfig file (kubectl's `--kubeconfig`): replaces `KUBECONFIG` and the default. */
  path?: string;
  /** Overrides, as kubectl's flags. */
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  /** Replaces the cluster's server (and drops its `tls-server-name`). */
  server?: string;
  /** Environment and home folder (default: the process's). */
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/** A loaded configuration, with the context it came from. */
export interface LoadedClientConfig extends ClientConfig {
  contextName: string;
  /** The files read, in precedence order. */
  files: string[];
}

/** The files the default loading rules read, in precedence order. */
export function kubeconfigPaths(options: Pick<LoadKubeconfigOptions, "path" | "env" | "home"> = {}): {
  paths: string[];
  explicit: boolean;
} {
  if (options.path) return { paths: [options.path], explicit: true };
  const env = options.env ?? process.env;
  if (env.KUBECONFIG) {
    const paths = [...new Set(env.KUBECONFIG.split(":").filter(Boolean))];
    return { paths, explicit: false };
  }
  return { paths: [join(options.home ?? homedir(), ".kube", "config")], explicit: false };
}

async function readKubeconfigFiles(paths: string[], explicit: boolean): Promise<KubeconfigFile[]> {
  const files: KubeconfigFile[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" && !explicit) continue;
      throw new KubeconfigError(
        `${path}: cannot read the kubeconfig: ${code === "ENOENT" ? "no such file" : (code ?? err)}`,
      );
    }
    files.push(parseKubeconfig(text, path));
  }
  if (files.length === 0) {
    throw new KubeconfigError(
      `no kubeconfig found (looked at ${paths.join(", ")}): no configuration has been provided; set KUBECONFIG or pass a path`,
    );
  }
  return files;
}

/** Merges files: the first file that defines a name wins the whole entry. */
export function mergeKubeconfigs(files: KubeconfigFile[]): {
  clusters: Map<string, Named<KubeconfigCluster>>;
  users: Map<string, Named<KubeconfigUser>>;
  contexts: Map<string, Named<KubeconfigContext>>;
  currentContext?: string;
} {
  const pick = <T>(list: (f: KubeconfigFile) => Named<T>[]) => {
    const map = new Map<string, Named<T>>();
    for (const f of files) for (const e of list(f)) if (!map.has(e.name)) map.set(e.name, e);
    return map;
  };
  return {
    clusters: pick((f) => f.clusters),
    users: pick((f) => f.users),
    contexts: pick((f) => f.contexts),
    currentContext: files.find((f) => f.currentContext)?.currentContext,
  };
}

const pemFromData = (data: string, file: string, field: string): PemSource => {
  const pem = Buffer.from(data, "base64").toString("utf8");
  if (!pem.includes("-----BEGIN")) throw new KubeconfigError(`${file}: ${field}: is not base64-encoded PEM`);
  return { pem };
};

function pemFromFile(path: string, file: string, field: string): PemSource {
  if (!existsSync(path)) throw new KubeconfigError(`${file}: ${field}: file ${path} does not exist`);
  return { file: path };
}

export async function loadKubeconfig(options: LoadKubeconfigOptions = {}): Promise<LoadedClientConfig> {
  const { paths, explicit } = kubeconfigPaths(options);
  const files = await readKubeconfigFiles(paths, explicit);
  const merged = mergeKubeconfigs(files);
  const where = files.map((f) => f.file).join(", ");

  const contextName = options.context || merged.currentContext;
  if (!contextName) throw new KubeconfigError(`${where}: no current-context is set and no context was given`);
  const context = merged.contexts.get(contextName);
  if (!context) throw new KubeconfigError(`${where}: context ${JSON.stringify(contextName)} does not exist`);
  const clusterName = options.cluster || context.value.cluster;
  const cluster = merged.clusters.get(clusterName);
  if (!cluster) {
    throw new KubeconfigError(
      `${context.file}: contexts[${contextName}].cluster: cluster ${JSON.stringify(clusterName)} does not exist`,
    );
  }
  const userName = options.user || context.value.user;
  const user = userName ? merged.users.get(userName) : undefined;
  if (userName && !user) {
    throw new KubeconfigError(
      `${context.file}: contexts[${contextName}].user: user ${JSON.stringify(userName)} does not exist`,
    );
  }

  const c = cluster.value;
  const server = options.server || c.server;
  if (!server) throw new KubeconfigError(`${cluster.file}: clusters[${clusterName}].server: is required`);
  const config: LoadedClientConfig = {
    server,
    namespace: options.namespace || context.value.namespace || "default",
    tls: {},
    auth: { type: "none" },
    contextName,
    files: files.map((f) => f.file),
  };
  if (c.proxyUrl) config.proxyUrl = c.proxyUrl;
  if (c.disableCompression) config.disableCompression = true;

  // client-go applies TLS settings and credentials only to https servers.
  if (!server.startsWith("https://")) return config;
  const clusterField = (f: string) => `clusters[${clusterName}].cluster.${f}`;
  if (c.certificateAuthorityData)
    config.tls.ca = pemFromData(
      c.certificateAuthorityData,
      cluster.file,
      clusterField("certificate-authority-data"),
    );
  else if (c.certificateAuthority)
    config.tls.ca = pemFromFile(c.certificateAuthority, cluster.file, clusterField("certificate-authority"));
  if (c.insecureSkipTlsVerify) {
    if (config.tls.ca) {
      throw new KubeconfigError(
        `${cluster.file}: ${clusterField("insecure-skip-tls-verify")}: cannot be used with a certificate authority`,
      );
    }
    config.tls.insecureSkipVerify = true;
  }
  if (c.tlsServerName && !options.server) config.tls.serverName = c.tlsServerName;

  if (user) {
    const u = user.value;
    const field = (f: string) => `users[${userName}].user.${f}`;
    const cert = u.clientCertificateData
      ? pemFromData(u.clientCertificateData, user.file, field("client-certificate-data"))
      : u.clientCertificate
        ? pemFromFile(u.clientCertificate, user.file, field("client-certificate"))
        : undefined;
    const key = u.clientKeyData
      ? pemFromData(u.clientKeyData, user.file, field("client-key-data"))
      : u.clientKey
        ? pemFromFile(u.clientKey, user.file, field("client-key"))
        : undefined;
    if (cert && !key)
      throw new KubeconfigError(
        `${user.file}: ${field("client-key")}: is required with a client certificate`,
      );
    if (cert && key) config.tls.clientCertificate = { cert, key };
    if ((u.token || u.tokenFile) && (u.username || u.password)) {
      throw new KubeconfigError(
        `${user.file}: users[${userName}]: username/password or bearer token may be set, but not both`,
      );
    }
    config.auth = authOf(u, user.file, field, { server, cluster: c, clusterName });
    if (u.as || u.asUid || u.asGroups || u.asUserExtra) {
      if (!u.as && (u.asUid || u.asGroups || u.asUserExtra)) {
        throw new KubeconfigError(
          `${user.file}: ${field("as")}: is required with as-uid, as-groups or as-user-extra`,
        );
      }
      config.impersonate = { user: u.as, uid: u.asUid, groups: u.asGroups, extra: u.asUserExtra };
    }
  }
  return config;
}

function authOf(
  u: KubeconfigUser,
  file: string,
  field: (f: string) => string,
  cluster: { server: string; cluster: KubeconfigCluster; clusterName: string },
): AuthConfig {
  if (u.authProvider) {
    throw new KubeconfigError(
      `${file}: ${field("auth-provider")}: auth-provider ${JSON.stringify(u.authProvider.name)} is not supported; use an exec plugin (kubelogin, gke-gcloud-auth-plugin...)`,
    );
  }
  if (u.tokenFile) {
    if (!existsSync(u.tokenFile))
      throw new KubeconfigError(`${file}: ${field("tokenFile")}: file ${u.tokenFile} does not exist`);
    return { type: "source", source: new TokenFileSource(u.tokenFile, { initialToken: u.token }) };
  }
  if (u.token) return { type: "token", token: u.token };
  if (u.username || u.password)
    return { type: "basic", username: u.username ?? "", password: u.password ?? "" };
  if (u.exec) {
    const c = cluster.cluster;
    const info: ExecClusterInfo = { server: cluster.server };
    if (c.tlsServerName) info["tls-server-name"] = c.tlsServerName;
    if (c.insecureSkipTlsVerify) info["insecure-skip-tls-verify"] = true;
    if (c.certificateAuthorityData) info["certificate-authority-data"] = c.certificateAuthorityData;
    if (c.proxyUrl) info["proxy-url"] = c.proxyUrl;
    if (c.disableCompression) info["disable-compression"] = true;
    const ext = c.extensions?.find((e) => e.name === "client.authentication.k8s.io/exec");
    if (ext) info.config = ext.extension;
    return { type: "source", source: new ExecCredentialSource(u.exec, { cluster: info }) };
  }
  return { type: "none" };
}
