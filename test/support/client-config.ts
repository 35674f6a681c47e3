/**
 * Builds a `ClientConfig` for one context of the harness kubeconfig, by hand. Tests of the
 * transport and clients use it so they do not depend on the kubeconfig loader under test elsewhere.
 */
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import type { ClientConfig } from "../../runtime/config/types.js";
import { testCluster } from "./cluster.js";

interface File {
  "current-context"?: string;
  clusters: { name: string; cluster: Record<string, string> }[];
  users: { name: string; user: Record<string, string> }[];
  contexts: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
}

const b64 = (s: string) => Buffer.from(s, "base64").toString("utf8");

export async function clientConfigFor(
  contextName?: string,
  kubeconfig = testCluster().kubeconfig,
): Promise<ClientConfig> {
  const file = parse(await readFile(kubeconfig, "utf8")) as File;
  const name = contextName || file["current-context"];
  const context = file.contexts.find((c) => c.name === name)?.context;
  if (!context) throw new Error(`${kubeconfig}: no context ${name}`);
  const cluster = file.clusters.find((c) => c.name === context.cluster)!.cluster;
  const user = file.users.find((u) => u.name === context.user)!.user;
  const ca = cluster["certificate-authority-data"];
  const cert = user["client-certificate-data"];
  const key = user["client-key-data"];
  return {
    server: cluster.server!,
    namespace: context.namespace ?? "default",
    tls: {
      ...(ca ? { ca: { pem: b64(ca) } } : {}),
      ...(cert && key ? { clientCertificate: { cert: { pem: b64(cert) }, key: { pem: b64(key) } } } : {}),
    },
    auth: user.token ? { type: "token", token: user.token } : { type: "none" },
  };
}

/** The admin context of the cluster under test. */
export function adminConfig(): Promise<ClientConfig> {
  const cluster = testCluster();
  return clientConfigFor(cluster.contexts.admin || undefined);
}
