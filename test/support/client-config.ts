/**
 * Builds a `ClientConfig` for one context of the harness kubeconfig, by hand. Tests of the
 * transport and clients use it so they do not depend on the kubeconfig loader under test elsewhere.
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import { loadKubeconfig } from "../../runtime/config/load.js";
import type { ClientConfig } from "../../runtime/config/types.js";
import { testCluster } from "./cluster.js";

interface File {
  "current-context"?: string;
  clusters?: { name: string; cluster: Record<string, string> }[];
  users?: { name: string; user: Record<string, string> }[];
  contexts?: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
}

const b64 = (s: string) => Buffer.from(s, "base64").toString("utf8");

/**
 * The `ClientConfig` of one context (default: the current one) of a kubeconfig (default: the test
 * cluster's): server, CA, client certificate (data or file), bearer token, namespace.
 */
export async function clientConfigFor(
  contextName?: string,
  kubeconfig = testCluster().kubeconfig,
): Promise<ClientConfig> {
  const file = parse(await readFile(kubeconfig, "utf8")) as File;
  const name = contextName || file["current-context"];
  const context = file.contexts?.find((c) => c.name === name)?.context;
  if (!context) throw new Error(`${kubeconfig}: no context ${JSON.stringify(name)}`);
  const cluster = file.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster?.server)
    throw new Error(`${kubeconfig}: context ${name}: no cluster ${context.cluster} with a server`);
  const user = file.users?.find((u) => u.name === context.user)?.user;
  if (!user) throw new Error(`${kubeconfig}: context ${name}: no user ${context.user}`);
  const pem = (data: string | undefined, path: string | undefined) =>
    data ? { pem: b64(data) } : path ? { file: resolve(dirname(kubeconfig), path) } : undefined;
  const ca = pem(cluster["certificate-authority-data"], cluster["certificate-authority"]);
  const cert = pem(user["client-certificate-data"], user["client-certificate"]);
  const key = pem(user["client-key-data"], user["client-key"]);
  return {
    server: cluster.server,
    namespace: context.namespace ?? "default",
    tls: {
      ...(ca ? { ca } : {}),
      ...(cert && key ? { clientCertificate: { cert, key } } : {}),
      ...(String(cluster["insecure-skip-tls-verify"]) === "true" ? { insecureSkipVerify: true } : {}),
      ...(cluster["tls-server-name"] ? { serverName: cluster["tls-server-name"] } : {}),
    },
    auth: user.token ? { type: "token", token: user.token } : { type: "none" },
  };
}

/**
 * The admin context of the cluster under test. For an existing cluster
 * (`KUBEGEN_TEST_KUBECONFIG`), whose kubeconfig may use any auth kind, the real loader reads it.
 */
export function adminConfig(): Promise<ClientConfig> {
  const cluster = testCluster();
  if (!cluster.managed)
    return loadKubeconfig({ path: cluster.kubeconfig, context: cluster.contexts.admin || undefined });
  return clientConfigFor(cluster.contexts.admin || undefined);
}
