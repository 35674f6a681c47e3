// The MetadataClient: any resource by group, version and resource name, read as metadata only.
// The apiserver trims each object to PartialObjectMetadata, so a Secret's data never comes back.
import { DynamicClient, HttpClient, loadKubeconfig, MetadataClient, parseLabelSelector } from "kubegen";

const config = await loadKubeconfig();
// One connection pool for both clients: the dynamic client writes, the metadata client reads.
const http = HttpClient.forConfig(config);
const secretsResource = { group: "", version: "v1", resource: "secrets" };
await new DynamicClient(http)
  .resource(secretsResource)
  .namespace(config.namespace)
  .create({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "metadata-example", labels: { app: "example" } },
    stringData: { password: "never-printed" },
  });

const secrets = new MetadataClient(http).resource(secretsResource).namespace(config.namespace);
const secret = await secrets.get("metadata-example");
const has = "data" in secret ? "with" : "without";
console.log(
  `${secret.kind} ${secret.metadata.name} ${has} data, labels ${JSON.stringify(secret.metadata.labels)}`,
);

const patched = await secrets.patch("metadata-example", { metadata: { labels: { rotated: "yes" } } });
const selector = parseLabelSelector("app=example, rotated");
console.log(`"${selector}" matches: ${selector.matches(patched.metadata.labels)}`);

const list = await secrets.list({ labelSelector: selector.toString() });
console.log(`${list.kind}: ${list.items.map((s) => s.metadata.name).join(", ")}`);
await secrets.delete("metadata-example");
await http.close();
