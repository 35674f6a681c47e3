/**
 * `npm run cluster`: starts the local control plane for manual use, prints its kubeconfig, and
 * stops it (removing its temporary files) on Ctrl-C.
 */
import { contexts, startControlPlane } from "./control-plane.js";

const cp = await startControlPlane({ allApis: process.argv.includes("--all-apis") });
process.stdout.write(
  [
    `kubeconfig: ${cp.kubeconfig}`,
    `server:     ${cp.server}`,
    `contexts:   ${Object.values(contexts).join(", ")}`,
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
