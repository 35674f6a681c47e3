// Exec in a pod over WebSocket: run a command and get its output and exit code, then stream a
// command's output as it comes. Needs a cluster where pods run (the test control plane with KWOK
// runs the command on the test machine).
import { loadKubeconfig } from "kubegen";
import { Clientset } from "kubegen/kubernetes";

const config = await loadKubeconfig();
const clientset = Clientset.forConfig(config);
const pods = clientset.coreV1.pods(config.namespace);
const name = "exec-example";
await pods.create({
  metadata: { name },
  spec: {
    containers: [{ name: "app", image: "busybox:1.36", command: ["sleep", "3600"] }],
    terminationGracePeriodSeconds: 0,
  },
});
while ((await pods.get(name)).status?.phase !== "Running") await new Promise((r) => setTimeout(r, 250));

// The simple form: the whole output and the exit code.
const { stdout, stderr, exitCode } = await pods.exec(name, [
  "sh",
  "-c",
  "echo hello from the pod; echo to stderr >&2",
]);
console.log(`stdout: ${stdout.trim()}`);
console.log(`stderr: ${stderr.trim()}`);
console.log(`exit code: ${exitCode}`);

// The streaming form: output chunk by chunk while the command runs.
const cmd = await pods.execStream(name, ["sh", "-c", "for i in 1 2 3; do echo line $i; sleep 0.1; done"]);
for await (const chunk of cmd.stdout) process.stdout.write(`streamed: ${Buffer.from(chunk).toString()}`);
console.log(`streamed command exit code: ${await cmd.exitCode}`);

await pods.delete(name, { gracePeriodSeconds: 0 });
await clientset.close();
