/**
 * In-cluster configuration, as client-go's `rest.InClusterConfig`: the second producer of a
 * `ClientConfig`, for processes running in a pod. The apiserver comes from
 * `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT` (IPv6 hosts bracketed); the credential
 * is the pod's service-account token, re-read as kubelet rotates it; the CA and the namespace come
 * from the same mounted folder. The namespace is `POD_NAMESPACE`, else the mounted `namespace`
 * file, else `default`. `loadKubeconfig` falls back to it when no kubeconfig says anything, and
 * `buildConfigFromFlags` when given neither flag, as client-go's do.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { TokenFileSource } from "../auth/token-file.js";
import type { ClientConfig } from "./types.js";

/** Where kubelet mounts a pod's service-account token, CA and namespace. */
export const serviceAccountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

/** Options of {@link inClusterConfig}, for tests: where the files are and which environment to read. */
export interface InClusterOptions {
  /** Environment (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Filesystem root under which `/var/run/secrets/...` is looked up (default `/`). */
  root?: string;
}

/** The process does not run in a pod (or its service-account token is missing). */
export class NotInClusterError extends Error {
  override readonly name = "NotInClusterError";
}

const isFile = (path: string) =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  );

/**
 * Whether in-cluster configuration is possible (client-go's `inClusterClientConfig.Possible`):
 * both service env variables are set and the token file exists.
 */
export async function isInCluster(options: InClusterOptions = {}): Promise<boolean> {
  const env = options.env ?? process.env;
  const dir = join(options.root ?? "/", serviceAccountPath);
  return (
    Boolean(env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) && (await isFile(join(dir, "token")))
  );
}

/**
 * The configuration of the pod this process runs in.
 *
 * @throws NotInClusterError when the service env variables are missing or the token cannot be read
 * @example
 * const clientset = Clientset.forConfig(await inClusterConfig());
 */
export async function inClusterConfig(options: InClusterOptions = {}): Promise<ClientConfig> {
  const env = options.env ?? process.env;
  const dir = join(options.root ?? "/", serviceAccountPath);
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new NotInClusterError(
      "unable to load in-cluster configuration: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined (is this process running in a pod?)",
    );
  }
  const tokenFile = join(dir, "token");
  const source = new TokenFileSource(tokenFile);
  try {
    // client-go reads the token once up front: an unreadable token fails here, not on first use.
    await source.get();
  } catch (err) {
    throw new NotInClusterError(`unable to load in-cluster configuration: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const config: ClientConfig = {
    server: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    namespace: env.POD_NAMESPACE || (await readNamespace(join(dir, "namespace"))) || "default",
    tls: {},
    auth: { type: "source", source },
  };
  // As client-go: a CA file that is absent or holds no certificate is skipped (system roots are used).
  const caFile = join(dir, "ca.crt");
  const ca = await readFile(caFile, "utf8").catch(() => "");
  if (ca.includes("-----BEGIN CERTIFICATE-----")) config.tls.ca = { file: caFile };
  return config;
}

async function readNamespace(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, "utf8")).trim() || undefined;
  } catch {
    return undefined;
  }
}
