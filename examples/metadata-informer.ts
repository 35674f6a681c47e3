// A metadata-only informer over every Secret in the cluster: the cache holds names, labels and
// owners as PartialObjectMetadata, so no Secret's data crosses the wire or sits in this process.
import { loadKubeconfig, MetadataClient, MetadataInformerFactory, type PartialObjectMetadata } from "kubegen";
import { Clientset } from "kubegen/kubernetes";

const config = await loadKubeconfig();
const clientset = Clientset.forConfig(config);
const secrets = clientset.coreV1.secrets(config.namespace);
const labels = { example: "metadata-informer" };
for (const name of ["metadata-informer-a", "metadata-informer-b"]) {
  await secrets.create({ metadata: { name, labels }, stringData: { password: `never-cached-${name}` } });
}

// The metadata client shares the clientset's connection pool. No namespace option: all Secrets.
const factory = new MetadataInformerFactory(new MetadataClient(clientset.http));
const { informer, lister } = factory.forResource({ group: "", version: "v1", resource: "secrets" });
const ours = (s: PartialObjectMetadata) => s.metadata.namespace === config.namespace;
let resolveAdded: (secret: PartialObjectMetadata) => void = () => {};
const added = new Promise<PartialObjectMetadata>((resolve) => {
  resolveAdded = resolve;
});
informer.addEventHandler({
  // Objects of the initial list arrive here too; wait for one created after the sync.
  onAdd: (secret, isInInitialList) => {
    if (!isInInitialList && ours(secret) && secret.metadata.labels?.example === labels.example)
      resolveAdded(secret);
  },
});

const stop = new AbortController();
factory.start(stop.signal);
await factory.waitForCacheSync(stop.signal);

// The cache holds every namespace's Secrets: the label selector and the namespace pick this
// program's.
for (const secret of lister.list("example=metadata-informer").filter(ours).sort(byName)) {
  console.log(`${secret.kind} ${secret.metadata.name} labels ${JSON.stringify(secret.metadata.labels)}`);
}
await secrets.create({
  metadata: { name: "metadata-informer-c", labels },
  stringData: { password: "never-cached-c" },
});
const third = await added;
console.log(`added: ${third.kind} ${third.metadata.name}`);
// What the cache holds, across every namespace: metadata, never a Secret's data.
console.log(`data cached: ${lister.list().some((s) => "data" in s || "stringData" in s)}`);

stop.abort();
await factory.shutdown();
await secrets.deleteCollection({ labelSelector: "example=metadata-informer" });
await clientset.close();

function byName(a: PartialObjectMetadata, b: PartialObjectMetadata): number {
  return (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}
