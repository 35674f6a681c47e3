/**
 * `npm run cluster`: starts the local control plane for manual use, prints its kubeconfig, and
 * stops it (removing its temporary files) on Ctrl-C. `-- --controllers` adds kube-controller-manager
 * and kube-scheduler; `-- --kwok` adds those and KWOK with one simulated node, so pods run.
 */
import { contexts, startControlPlane } from "./control-plane.js";

const cp = await startControlPlane({
  allApis: process.argv.includes("--all-apis"),
  controllers: process.argv.includes("--controllers"),
  kwok: process.argv.includes("--kwok"),
});
process.stdout.write(
  [
    `kubeconfig: ${cp.kubeconfig}`,
    `server:     ${cp.server}`,
    `contexts:   ${Object.values(contexts).join(", ")}`,
    `components: kube-apiserver, etcd${cp.components.controllerManager ? ", kube-controller-manager, kube-scheduler" : ""}${cp.components.kwok ? `, kwok (nodes: ${cp.components.nodes.join(", ")})` : ""}`,
    "",
    `  export KUBECONFIG=${cp.kubeconfig}`,
    "",
    "Press Ctrl-C to stop.",
    "",
  ].join("\n"),
);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  process.stdout.write("\nstopping the control plane...\n");
  await cp.stop();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
// Keep the event loop alive until a signal arrives.
setInterval(() => {}, 1 << 30);
