// cp: copy a local folder into a pod and back out with tar over exec, as `kubectl cp`. The
// container needs `tar`. Container paths without a leading slash are relative to the container's
// working folder (under the test control plane, KWOK runs the commands in a folder of its own).
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadKubeconfig } from "kubegen";
import { Clientset } from "kubegen/kubernetes";

const config = await loadKubeconfig();
const clientset = Clientset.forConfig(config);
const pods = clientset.coreV1.pods(config.namespace);
const name = "cp-example";
await pods.create({
  metadata: { name },
  spec: {
    containers: [{ name: "app", image: "busybox:1.36", command: ["sleep", "3600"] }],
    terminationGracePeriodSeconds: 0,
  },
});
while ((await pods.get(name)).status?.phase !== "Running") await new Promise((r) => setTimeout(r, 250));

const local = await mkdtemp(join(tmpdir(), "cp-example-"));
try {
  await writeFile(join(local, "greeting.txt"), "hello through tar\n");
  const sent = await pods.copyToPod(name, local, "cp-example");
  console.log(`copied in: ${sent.entries} entries`);

  const back = join(local, "back");
  const got = await pods.copyFromPod(name, "cp-example", back);
  console.log(`copied out: ${got.entries} entries`);
  console.log(`greeting: ${(await readFile(join(back, "greeting.txt"), "utf8")).trim()}`);
  await pods.exec(name, ["rm", "-rf", "cp-example"]);
} finally {
  await rm(local, { recursive: true, force: true });
  await pods.delete(name, { gracePeriodSeconds: 0 });
  await clientset.close();
}
