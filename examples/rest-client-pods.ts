// The RESTClient: build the request yourself (client-go's rest.Interface), here a list of pods.
import { loadKubeconfig, RESTClient } from "kubegen";
import type { PodList } from "kubegen/kubernetes/core/v1";

const config = await loadKubeconfig();
const rest = RESTClient.forConfig(config, { apiPath: "/api", groupVersion: "v1" });
const result = await rest.get().namespace(config.namespace).resource("pods").params({ limit: 500 }).do();
const pods = result.into<PodList>();
console.log(`status ${result.statusCode}: ${pods.items.length} pods in namespace ${config.namespace}`);
await rest.close();
