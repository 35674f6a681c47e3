// Work queue: the controller pattern. The names of this program's ConfigMaps go into a
// rate-limited queue; two workers take them, a failure is retried after the limiter's delay, and
// an item is never with two workers at once. Shutting down with drain waits for work in hand.
import { defaultControllerRateLimiter, loadKubeconfig, RateLimitingQueue } from "kubegen";
import { Clientset } from "kubegen/kubernetes";

const config = await loadKubeconfig();
const clientset = Clientset.forConfig(config);
const configMaps = clientset.coreV1.configMaps(config.namespace);
for (const name of ["queued-a", "queued-b", "queued-c"]) {
  await configMaps.create({ metadata: { name, labels: { example: "workqueue" } }, data: { name } });
}

const queue = new RateLimitingQueue<string>(defaultControllerRateLimiter());
const { items } = await configMaps.list({ labelSelector: "example=workqueue" });
for (const configMap of items) queue.add(configMap.metadata?.name ?? "");
queue.add("queued-a"); // already queued: de-duplicated

const results: string[] = [];
let remaining = items.length;
async function worker(): Promise<void> {
  for await (const name of queue) {
    try {
      const configMap = await configMaps.get(name);
      // Fail the first attempt of one item to show the retry path.
      if (name === "queued-b" && queue.numRequeues(name) === 0) throw new Error("transient");
      results.push(`${configMap.metadata?.name} done after ${queue.numRequeues(name)} retries`);
      queue.forget(name);
      if (--remaining === 0) void queue.shutDownWithDrain();
    } catch {
      queue.addRateLimited(name);
    } finally {
      queue.done(name);
    }
  }
}
await Promise.all([worker(), worker()]);
for (const line of results.sort()) console.log(line);

await configMaps.deleteCollection({ labelSelector: "example=workqueue" });
await clientset.close();
