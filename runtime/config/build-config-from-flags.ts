/**
 * `buildConfigFromFlags(masterUrl, kubeconfigPath)`: client-go's `clientcmd.BuildConfigFromFlags`,
 * the entry point of programs with `--master` and `--kubeconfig` flags. It reads only the given
 * path plus the server override, never `KUBECONFIG` or `~/.kube/config` (a known surprise, kept
 * on purpose upstream). With both empty it uses the in-cluster configuration, and when that is not
 * available fails with client-go's "no configuration has been provided" error.
 */
import { inClusterConfig, NotInClusterError } from "./in-cluster.js";
import { KubeconfigError } from "./kubeconfig.js";
import { loadKubeconfig, mergeKubeconfigs, selectContext } from "./load.js";
import { resolveClientConfig } from "./resolve.js";
import type { ClientConfig } from "./types.js";
import { validateSelection } from "./validate.js";

/** Test seams of {@link buildConfigFromFlags}: the in-cluster environment and root folder. */
export interface BuildConfigFromFlagsOptions {
  env?: NodeJS.ProcessEnv;
  /** Filesystem root for the in-cluster service-account files (default `/`). */
  root?: string;
}

/**
 * A `ClientConfig` from a server URL and/or a kubeconfig path, as client-go's function of that name.
 *
 * - path given: that file alone (its current-context), with `masterUrl` (if any) replacing the server;
 * - only `masterUrl`: that server, no credentials;
 * - neither: the in-cluster configuration.
 *
 * @throws KubeconfigError "no configuration has been provided" when both are empty outside a pod
 * @example
 * const config = await buildConfigFromFlags("", "/etc/kubernetes/admin.conf");
 */
export async function buildConfigFromFlags(
  masterUrl: string,
  kubeconfigPath: string,
  options: BuildConfigFromFlagsOptions = {},
): Promise<ClientConfig> {
  if (!masterUrl && !kubeconfigPath) {
    try {
      return await inClusterConfig(options);
    } catch (err) {
      if (!(err instanceof NotInClusterError)) throw err;
      throw new KubeconfigError(
        `invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable (neither --kubeconfig nor --master was given, and ${err.message})`,
        { cause: err },
      );
    }
  }
  if (kubeconfigPath) return loadKubeconfig({ path: kubeconfigPath, server: masterUrl || undefined });
  // Only a server: client-go's loading rules are empty then, so no file is read at all.
  return resolveClientConfig(
    await validateSelection(selectContext(mergeKubeconfigs([]), { server: masterUrl })),
  );
}
