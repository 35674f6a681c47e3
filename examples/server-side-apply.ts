// Server-side apply: send only the fields you own; the apiserver merges them and records the
// field manager. Applying again is idempotent.
import { loadKubeconfig } from "kubegen";
import { Clientset } from "kubegen/kubernetes";

const config = await loadKubeconfig();
const clientset = Clientset.forConfig(config);
const configMaps = clientset.coreV1.configMaps(config.namespace);
const options = { fieldManager: "kubegen-example", force: true };
await configMaps.apply({ metadata: { name: "applied" }, data: { color: "blue" } }, options);
const applied = await configMaps.apply({ metadata: { name: "applied" }, data: { color: "green" } }, options);
console.log(`data: ${JSON.stringify(applied.data)}`);
console.log(
  `managers: ${applied.metadata?.managedFields?.map((f) => `${f.manager}/${f.operation}`).join(", ")}`,
);
await configMaps.delete("applied");
await clientset.close();
