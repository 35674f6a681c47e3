// Pod logs: the last lines as text, then follow the log line by line until a signal aborts it.
// Needs a cluster where pods run (under the test control plane, KWOK serves every pod's log from
// one file the tests append to).
import { loadKubeconfig } from "kubegen";
import { Clientset } from "kubegen/kubernetes";

const config = await loadKubeconfig();
const clientset = Clientset.forConfig(config);
const pods = clientset.coreV1.pods(config.namespace);
const name = "logs-example";
await pods.create({
  metadata: { name },
  spec: {
    containers: [
      { name: "app", image: "busybox:1.36", command: ["sh", "-c", "while true; do date; sleep 1; done"] },
    ],
    terminationGracePeriodSeconds: 0,
  },
});
while ((await pods.get(name)).status?.phase !== "Running") await new Promise((r) => setTimeout(r, 250));

const tail = await pods.getLogs(name, { tailLines: 2 });
console.log(`last lines: ${JSON.stringify(tail)}`);

// Follow for two seconds: lines written meanwhile arrive as they are written.
const signal = AbortSignal.timeout(2000);
try {
  for await (const line of pods.logLines(name, { follow: true, tailLines: 1, timestamps: true, signal }))
    console.log(`followed: ${line}`);
} catch (err) {
  if (!signal.aborted) throw err;
}
console.log("stopped following");

await pods.delete(name, { gracePeriodSeconds: 0 });
await clientset.close();
