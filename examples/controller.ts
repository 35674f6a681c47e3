// A controller as an operator would write one: it runs only while it holds a Lease, follows
// ConfigMaps labelled example=controller through an informer, and for each writes a ConfigMap
// `<name>-derived` summarizing it (key count, sha256 of the data), owned by the source so the
// garbage collector removes it with its source. Every reconcile records an Event on the source.
// The controller itself is in derive-controller.ts, which its unit test drives with the fake
// clientset; this program runs it against a real cluster under leader election.
import { hostname } from "node:os";
import { EventRecorder, loadKubeconfig, runLeaderElection } from "kubegen";
import { Clientset } from "kubegen/kubernetes";
import { runDeriveController, summarize } from "./derive-controller.js";

const config = await loadKubeconfig();
const namespace = config.namespace;
const clientset = Clientset.forConfig(config);
const configMaps = clientset.coreV1.configMaps(namespace);
const identity = `${hostname()}-${process.pid}`;
const recorder = new EventRecorder({
  clientset,
  reportingController: "example.com/derive-controller",
  reportingInstance: identity,
  onError: (err) => console.error("recording an Event:", err),
});
const retried: string[] = [];
const run = (signal: AbortSignal) =>
  runDeriveController(
    {
      clientset,
      namespace,
      recorder,
      flaky: ["source-a"], // its first reconcile fails, to show the retry path
      onRetry: (name, err) => retried.push(`${name} (${err.message})`),
    },
    signal,
  );

/** Polls until `check` holds: the program watches its own controller converge. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (const deadline = Date.now() + 30_000; !(await check()); ) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the controller");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const derived = async () => (await configMaps.list({ labelSelector: "example=controller-derived" })).items;

const sources = { "source-a": { a: "1", b: "2" }, "source-b": { x: "y" }, "source-c": {} };
for (const [name, data] of Object.entries(sources)) {
  await configMaps.create({ metadata: { name, labels: { example: "controller" } }, data });
}

const stop = new AbortController();
let controller: Promise<void> = Promise.resolve();
const election = runLeaderElection({
  clientset,
  namespace,
  name: "derive-controller",
  identity,
  // Short enough for an example; the defaults (15 s, 10 s, 2 s) suit real deployments.
  leaseDurationMs: 4000,
  renewDeadlineMs: 3000,
  retryPeriodMs: 1000,
  releaseOnCancel: true,
  signal: stop.signal,
  onError: (err) => console.error("leader election:", err),
  callbacks: {
    onStartedLeading: (leading) => {
      controller = run(leading);
    },
  },
});

await eventually(async () => (await derived()).length === 3);
const changed = { x: "z", y: "w" };
await configMaps.update({ metadata: { name: "source-b", labels: { example: "controller" } }, data: changed });
const expected = summarize(changed).sha256;
await eventually(async () => (await derived()).some((d) => d.data?.sha256 === expected));

// Stopping: leadership ends, the Lease is released, the queue drains and the informers stop.
stop.abort();
await election;
await controller;

const lines = (await derived()).map((d) => {
  const owner = d.metadata?.ownerReferences?.map((o) => `${o.kind}/${o.name}`).join(",");
  return `${d.metadata?.name}: keys=${d.data?.keys} sha256=${d.data?.sha256} owner=${owner}`;
});
for (const line of lines.sort()) console.log(line);
console.log(`retried: ${retried.join("; ")}`);
const events = (await clientset.eventsV1.events(namespace).list()).items
  .filter((e) => e.reportingController === "example.com/derive-controller")
  .map((e) => `event ${e.type} ${e.reason} ${e.regarding?.kind}/${e.regarding?.name}: ${e.note}`);
for (const line of events.sort()) console.log(line);
const lease = await clientset.coordinationV1.leases(namespace).get("derive-controller");
console.log(`released lease: ${lease.spec?.holderIdentity === ""}`);

// Without a garbage collector (a bare apiserver), the derived objects need deleting too.
await configMaps.deleteCollection({ labelSelector: "example in (controller, controller-derived)" });
await clientset.coordinationV1.leases(namespace).delete("derive-controller");
await clientset.close();
