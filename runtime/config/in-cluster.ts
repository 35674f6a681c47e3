/**
 * In-cluster configuration, as client-go's `rest.InClusterConfig`: the apiserver from
 * `KUBERNETES_SERVICE_HOST`/`_PORT`, the pod's service-account token (re-read as it rotates), its
 * CA and its namespace.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TokenFileSource } from "../auth/token-file.js";
import type { ClientConfig } from "./types.js";

export const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

export interface InClusterOptions {
  env?: NodeJS.ProcessEnv;
  /** Folder holding `token`, `ca.crt` and `namespace` (default: the service-account mount). */
  serviceAccountDir?: string;
}

/** Thrown when the process does not run in a pod. */
export class NotInClusterError extends Error {
  override readonly name = "NotInClusterError";
}

export function inClusterConfig(options: InClusterOptions = {}): ClientConfig {
  const env = options.env ?? process.env;
  const dir = options.serviceAccountDir ?? serviceAccountDir;
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new NotInClusterError(
      "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set",
    );
  }
  const tokenFile = join(dir, "token");
  if (!existsSync(tokenFile))
    throw new NotInClusterError(`not running in a cluster: ${tokenFile} does not exist`);
  const caFile = join(dir, "ca.crt");
  let namespace = env.POD_NAMESPACE;
  if (!namespace) {
    try {
      namespace = readFileSync(join(dir, "namespace"), "utf8").trim();
    } catch {
      namespace = undefined;
    }
  }
  return {
    server: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    namespace: namespace || "default",
    tls: existsSync(caFile) ? { ca: { file: caFile } } : {},
    auth: { type: "source", source: new TokenFileSource(tokenFile) },
  };
}
