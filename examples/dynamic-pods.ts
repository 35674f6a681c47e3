// The DynamicClient: any resource by group, version and resource name, as unstructured JSON,
// converted to the generated Pod type with a check of apiVersion and kind.
import { DynamicClient, fromUnstructured, loadKubeconfig } from "kubegen";
import type { Pod } from "kubegen/kubernetes/core/v1";

const config = await loadKubeconfig();
const dynamic = DynamicClient.forConfig(config);
const pods = dynamic.resource({ group: "", version: "v1", resource: "pods" }).namespace(config.namespace);
await pods.create({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "dynamic-example" },
  spec: { containers: [{ name: "app", image: "registry.invalid/app:1" }] },
});
for (const item of (await pods.list()).items) {
  const pod = fromUnstructured<Pod>(
    { apiVersion: "v1", kind: "Pod", ...item },
    { apiVersion: "v1", kind: "Pod" },
  );
  console.log(`${pod.metadata?.name}: ${pod.spec?.containers.map((c) => c.image).join(", ")}`);
}
await pods.delete("dynamic-example", { gracePeriodSeconds: 0 });
await dynamic.close();
