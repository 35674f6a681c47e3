// The Clientset: load the kubeconfig, list pods in all namespaces, get one pod and tell
// "not found" apart from other errors (client-go's out-of-cluster example).
import { isNotFound, loadKubeconfig } from "kubegen";
import { Clientset } from "kubegen/kubernetes";

const clientset = Clientset.forConfig(await loadKubeconfig()); // $KUBECONFIG or ~/.kube/config
const pods = await clientset.coreV1.pods().list(); // no namespace: all namespaces
console.log(`There are ${pods.items.length} pods in the cluster`);
try {
  const pod = await clientset.coreV1.pods("default").get("example-xxxxx");
  console.log(`Found pod ${pod.metadata?.name} in namespace default`);
} catch (err) {
  if (isNotFound(err)) console.log("Pod example-xxxxx not found in default namespace");
  else throw err;
}
await clientset.close();
