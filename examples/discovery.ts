// The DiscoveryClient: every resource the server serves, in each group's preferred version.
import { DiscoveryClient, loadKubeconfig, parseGroupVersion } from "kubegen";

const discovery = DiscoveryClient.forConfig(await loadKubeconfig());
for (const list of await discovery.serverPreferredResources()) {
  const { group, version } = parseGroupVersion(list.groupVersion);
  for (const resource of list.resources)
    console.log(`name: ${resource.name}, group: ${group}, version: ${version}`);
}
await discovery.close();
