// The ScaleClient: read and change the replicas of anything with a scale subresource.
import { loadKubeconfig, ScaleClient } from "kubegen";
import { Clientset } from "kubegen/kubernetes";
import { Deployment } from "kubegen/kubernetes/apps/v1";

const config = await loadKubeconfig();
const clientset = Clientset.forConfig(config);
const labels = { app: "scale-example" };
await clientset.appsV1.deployments(config.namespace).create(
  Deployment({
    metadata: { name: "scale-example" },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: "app", image: "registry.invalid/app:1" }] },
      },
    },
  }),
);
const scaleClient = ScaleClient.forConfig(config);
const scales = scaleClient.scales(config.namespace);
const scale = await scales.get("deployments.apps", "scale-example");
console.log(`replicas before: ${scale.spec?.replicas}`);
await scales.update("deployments.apps", { ...scale, spec: { replicas: 4 } });
const after = await clientset.appsV1.deployments(config.namespace).get("scale-example");
console.log(`replicas after: ${after.spec?.replicas}`);
await clientset.appsV1.deployments(config.namespace).delete("scale-example");
await clientset.close();
await scaleClient.close();
