// Watch: an async iterator of typed events. The loop sees the ConfigMap this program creates,
// changes and deletes; leaving the loop closes the connection.
import { loadKubeconfig } from "kubegen";
import { Clientset } from "kubegen/kubernetes";

const config = await loadKubeconfig();
const clientset = Clientset.forConfig(config);
const configMaps = clientset.coreV1.configMaps(config.namespace);
const { metadata } = await configMaps.list({ limit: 1 });

const changes = (async () => {
  for await (const event of configMaps.watch({
    resourceVersion: metadata?.resourceVersion,
    labelSelector: "example=watch",
  })) {
    console.log(event.type, event.object.metadata?.name, JSON.stringify(event.object.data ?? {}));
    if (event.type === "DELETED") break;
  }
})();
await configMaps.create({ metadata: { name: "watched", labels: { example: "watch" } }, data: { step: "1" } });
await configMaps.patch("watched", { data: { step: "2" } });
await configMaps.delete("watched");
await changes;
await clientset.close();
