/**
 * `buildConfigFromFlags(masterUrl, kubeconfigPath)`, client-go's `clientcmd.BuildConfigFromFlags`:
 * it reads only the given path plus the server override, never `KUBECONFIG` or `~/.kube/config`.
 * With both empty it tries the in-cluster configuration and fails with "no configuration" otherwise.
 */
import { inClusterConfig, NotInClusterError } from "./in-cluster.js";
import { KubeconfigError } from "./kubeconfig.js";
import { loadKubeconfig } from "./load.js";
import type { ClientConfig } from "./types.js";

export async function buildConfigFromFlags(masterUrl: string, kubeconfigPath: string): Promise<ClientConfig> {
  if (!masterUrl && !kubeconfigPath) {
    try {
      return inClusterConfig();
    } catch (err) {
      if (!(err instanceof NotInClusterError)) throw err;
      throw new KubeconfigError(
        `no configuration has been provided: pass a kubeconfig path or a server URL (${err.message})`,
      );
    }
  }
  if (!kubeconfigPath) {
    // Only the server: no credentials, as client-go builds it from empty loading rules.
    return { server: masterUrl, namespace: "default", tls: {}, auth: { type: "none" } };
  }
  return loadKubeconfig({ path: kubeconfigPath, server: masterUrl || undefined, env: {} });
}
