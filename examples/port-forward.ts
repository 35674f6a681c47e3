// Port-forward: listen on a free local port and forward each connection to port 8080 of a pod, as
// `kubectl port-forward pod :8080`; then talk to the pod through it. The pod runs a TCP echo
// server on 8080 (busybox's nc running cat); under the test control plane, KWOK forwards the pod's
// 8080 to an echo server the test runs on this machine's loopback instead.
import { connect } from "node:net";
import { loadKubeconfig } from "kubegen";
import { Clientset } from "kubegen/kubernetes";

const config = await loadKubeconfig();
const clientset = Clientset.forConfig(config);
const pods = clientset.coreV1.pods(config.namespace);
const name = "port-forward-example";
await pods.create({
  metadata: { name },
  spec: {
    containers: [
      {
        name: "echo",
        image: "busybox:1.36",
        command: ["nc", "-lk", "-p", "8080", "-e", "cat"],
        ports: [{ containerPort: 8080 }],
      },
    ],
    terminationGracePeriodSeconds: 0,
  },
});
while ((await pods.get(name)).status?.phase !== "Running") await new Promise((r) => setTimeout(r, 250));

const forward = await pods.portForward(name, [":8080"], {
  onError: (err) => console.error(`connection failed: ${err.message}`),
});
const local = forward.ports[0]?.local ?? 0;
console.log(`forwarding 127.0.0.1:<free port> -> ${name}:8080`);

const reply = await new Promise<string>((resolve, reject) => {
  const socket = connect(local, "127.0.0.1", () => socket.write("ping"));
  socket.once("data", (data) => {
    resolve(data.toString());
    socket.end();
  });
  socket.once("error", reject);
});
console.log(`sent ping, got ${reply}`);

await forward.close();
await pods.delete(name, { gracePeriodSeconds: 0 });
await clientset.close();
