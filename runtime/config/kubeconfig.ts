/**
 * The kubeconfig file model: parses one file's YAML and checks every field's type, so an error
 * names the file and the field (`~/.kube/config: users[0].user.token: must be a string`). Relative
 * paths are resolved here against the file's folder, as client-go's loader does.
 *
 * @see https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { parseDocument } from "yaml";

export interface KubeconfigCluster {
  server?: string;
  certificateAuthority?: string;
  certificateAuthorityData?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
  disableCompression?: boolean;
  extensions?: { name: string; extension: unknown }[];
}

export interface ExecConfig {
  apiVersion: string;
  command: string;
  args?: string[];
  env?: { name: string; value: string }[];
  installHint?: string;
  provideClusterInfo?: boolean;
  interactiveMode?: "Never" | "IfAvailable" | "Always";
}

export interface KubeconfigUser {
  clientCertificate?: string;
  clientCertificateData?: string;
  clientKey?: string;
  clientKeyData?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  as?: string;
  asUid?: string;
  asGroups?: string[];
  asUserExtra?: Record<string, string[]>;
  exec?: ExecConfig;
  authProvider?: { name: string; config?: Record<string, string> };
}

export interface KubeconfigContext {
  cluster: string;
  user: string;
  namespace?: string;
}

/** A named entry and the file that defined it. */
export interface Named<T> {
  name: string;
  value: T;
  file: string;
}

export interface KubeconfigFile {
  file: string;
  clusters: Named<KubeconfigCluster>[];
  users: Named<KubeconfigUser>[];
  contexts: Named<KubeconfigContext>[];
  currentContext?: string;
}

/** A kubeconfig problem: always names the file, and the field where there is one. */
export class KubeconfigError extends Error {
  override readonly name = "KubeconfigError";
}

type Obj = Record<string, unknown>;

class Reader {
  constructor(readonly file: string) {}

  fail(path: string, message: string): never {
    throw new KubeconfigError(`${this.file}: ${path}: ${message}`);
  }

  object(value: unknown, path: string): Obj {
    if (value === undefined || value === null) return {};
    if (typeof value !== "object" || Array.isArray(value)) this.fail(path, "must be a mapping");
    return value as Obj;
  }

  string(obj: Obj, key: string, path: string): string | undefined {
    const v = obj[key];
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v !== "string") this.fail(`${path}.${key}`, "must be a string");
    return v;
  }

  bool(obj: Obj, key: string, path: string): boolean | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "boolean") this.fail(`${path}.${key}`, "must be true or false");
    return v;
  }

  strings(obj: Obj, key: string, path: string): string[] | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((s) => typeof s !== "string"))
      this.fail(`${path}.${key}`, "must be a list of strings");
    return v as string[];
  }

  /** A file path, resolved against the kubeconfig's folder. */
  path(obj: Obj, key: string, path: string): string | undefined {
    const p = this.string(obj, key, path);
    return p === undefined ? undefined : isAbsolute(p) ? p : resolve(dirname(this.file), p);
  }

  list(root: Obj, key: string): { name: string; body: Obj; path: string }[] {
    const v = root[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(key, "must be a list");
    const inner = key.slice(0, -1);
    return v.map((item, i) => {
      const path = `${key}[${i}]`;
      const entry = this.object(item, path);
      const name = this.string(entry, "name", path);
      if (!name) this.fail(`${path}.name`, "is required");
      return { name, body: this.object(entry[inner], `${path}.${inner}`), path: `${path}.${inner}` };
    });
  }
}

function parseExec(r: Reader, obj: Obj, path: string): ExecConfig {
  const apiVersion = r.string(obj, "apiVersion", path);
  const command = r.string(obj, "command", path);
  if (!command) r.fail(`${path}.command`, "is required");
  if (
    apiVersion !== "client.authentication.k8s.io/v1" &&
    apiVersion !== "client.authentication.k8s.io/v1beta1"
  ) {
    r.fail(
      `${path}.apiVersion`,
      `must be client.authentication.k8s.io/v1 or /v1beta1, not ${JSON.stringify(apiVersion ?? "")}`,
    );
  }
  const mode = r.string(obj, "interactiveMode", path);
  if (mode !== undefined && mode !== "Never" && mode !== "IfAvailable" && mode !== "Always") {
    r.fail(`${path}.interactiveMode`, "must be Never, IfAvailable or Always");
  }
  if (apiVersion === "client.authentication.k8s.io/v1" && mode === undefined) {
    r.fail(`${path}.interactiveMode`, "is required for client.authentication.k8s.io/v1");
  }
  const envList = obj.env === undefined || obj.env === null ? [] : obj.env;
  if (!Array.isArray(envList)) r.fail(`${path}.env`, "must be a list");
  const env = envList.map((e, i) => {
    const item = r.object(e, `${path}.env[${i}]`);
    const name = r.string(item, "name", `${path}.env[${i}]`);
    if (!name) r.fail(`${path}.env[${i}].name`, "is required");
    return { name, value: r.string(item, "value", `${path}.env[${i}]`) ?? "" };
  });
  // A command with a path separator is a file relative to the kubeconfig; a bare name is looked up on PATH.
  const resolvedCommand =
    command.includes("/") && !isAbsolute(command) ? resolve(dirname(r.file), command) : command;
  return {
    apiVersion,
    command: resolvedCommand,
    args: r.strings(obj, "args", path),
    env,
    installHint: r.string(obj, "installHint", path),
    provideClusterInfo: r.bool(obj, "provideClusterInfo", path),
    interactiveMode: (mode as ExecConfig["interactiveMode"]) ?? "IfAvailable",
  };
}

/** Parses one kubeconfig file's text. */
export function parseKubeconfig(text: string, file: string): KubeconfigFile {
  const doc = parseDocument(text);
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0]?.line;
    throw new KubeconfigError(
      `${file}${line ? `:${line}` : ""}: YAML syntax error: ${error.message.split("\n")[0]}`,
    );
  }
  const r: Reader = new Reader(file);
  const root = r.object(doc.toJS(), "(document)");
  const clusters = r.list(root, "clusters").map(({ name, body, path }) => ({
    name,
    file,
    value: {
      server: r.string(body, "server", path),
      certificateAuthority: r.path(body, "certificate-authority", path),
      certificateAuthorityData: r.string(body, "certificate-authority-data", path),
      insecureSkipTlsVerify: r.bool(body, "insecure-skip-tls-verify", path),
      tlsServerName: r.string(body, "tls-server-name", path),
      proxyUrl: r.string(body, "proxy-url", path),
      disableCompression: r.bool(body, "disable-compression", path),
    } satisfies KubeconfigCluster,
  }));
  const users = r.list(root, "users").map(({ name, body, path }) => {
    const extra = r.object(body["as-user-extra"], `${path}.as-user-extra`);
    const asUserExtra: Record<string, string[]> = {};
    for (const key of Object.keys(extra))
      asUserExtra[key] = r.strings(extra, key, `${path}.as-user-extra`) ?? [];
    const user: KubeconfigUser = {
      clientCertificate: r.path(body, "client-certificate", path),
      clientCertificateData: r.string(body, "client-certificate-data", path),
      clientKey: r.path(body, "client-key", path),
      clientKeyData: r.string(body, "client-key-data", path),
      token: r.string(body, "token", path),
      tokenFile: r.path(body, "tokenFile", path),
      username: r.string(body, "username", path),
      password: r.string(body, "password", path),
      as: r.string(body, "as", path),
      asUid: r.string(body, "as-uid", path),
      asGroups: r.strings(body, "as-groups", path),
      asUserExtra: Object.keys(asUserExtra).length ? asUserExtra : undefined,
    };
    if (body.exec !== undefined && body.exec !== null)
      user.exec = parseExec(r, r.object(body.exec, `${path}.exec`), `${path}.exec`);
    if (body["auth-provider"] !== undefined && body["auth-provider"] !== null) {
      const ap = r.object(body["auth-provider"], `${path}.auth-provider`);
      user.authProvider = { name: r.string(ap, "name", `${path}.auth-provider`) ?? "" };
    }
    return { name, file, value: user };
  });
  const contexts = r.list(root, "contexts").map(({ name, body, path }) => {
    const cluster = r.string(body, "cluster", path);
    const user = r.string(body, "user", path);
    if (!cluster) r.fail(`${path}.cluster`, "is required");
    return { name, file, value: { cluster, user: user ?? "", namespace: r.string(body, "namespace", path) } };
  });
  return { file, clusters, users, contexts, currentContext: r.string(root, "current-context", "(document)") };
}
