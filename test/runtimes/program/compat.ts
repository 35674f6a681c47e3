/**
 * The compatibility program: what a new user does first, run unchanged by every runtime in
 * `test/runtimes/` against the real apiserver, from the installed tarball (`kubegen`,
 * `kubegen/kubernetes`) plus CRD clients generated into `./k8s/` by `kubegen generate --crd`.
 * `compat.e2e.test.ts` compiles it in the user's project and checks what it prints: one JSON line.
 *
 * Arguments: kubeconfig, admin context, client-certificate context, exec-plugin kubeconfig (contexts
 * `plugin-token` and `plugin-cert`: a plugin that returns a token, one that returns a client
 * certificate), the kubeconfig again with a `proxy-url`, namespace, transport (`auto`, `undici` or
 * `fetch`).
 */
import {
  DiscoveryClient,
  DynamicClient,
  defaultUserAgent,
  HttpClient,
  isNotFound,
  loadKubeconfig,
  RESTClient,
  ScaleClient,
  type TransportKind,
} from "kubegen";
import { Clientset } from "kubegen/kubernetes";
import { Deployment } from "kubegen/kubernetes/apps/v1";
import type { ConfigMap, NamespaceList } from "kubegen/kubernetes/core/v1";
import { Issuer } from "./k8s/cert-manager.io/v1.js";
import { CrdClientset } from "./k8s/index.js";

const [kubeconfig, adminContext, certContext, pluginKubeconfig, proxyKubeconfig, namespace, transportArg] =
  process.argv.slice(2);
if (!kubeconfig || !adminContext || !certContext || !pluginKubeconfig || !proxyKubeconfig || !namespace)
  throw new Error(
    "usage: compat KUBECONFIG ADMIN_CONTEXT CERT_CONTEXT PLUGIN_KUBECONFIG PROXY_KUBECONFIG NAMESPACE TRANSPORT",
  );
const transport = !transportArg || transportArg === "auto" ? undefined : (transportArg as TransportKind);
const denoVersion = (globalThis as { Deno?: { version: { deno: string } } }).Deno?.version.deno;
const runtime = denoVersion
  ? `deno ${denoVersion}`
  : process.versions.bun
    ? `bun ${process.versions.bun}`
    : `node ${process.version}`;

const out: Record<string, unknown> = { runtime, userAgent: defaultUserAgent() };

// Load the kubeconfig; one HTTP layer for all five clients.
const config = await loadKubeconfig({ path: kubeconfig, context: adminContext });
const http = HttpClient.forConfig(config, { transport });
out.transport = http.transport;
const clientset = new Clientset(http);

// Clientset: create, get, list, and tell "not found" apart.
await clientset.coreV1.namespaces().create({ metadata: { name: namespace } });
const configMaps = clientset.coreV1.configMaps(namespace);
const before = await configMaps.list();
await configMaps.create({ metadata: { name: "first" }, data: { a: "1" } });
out.clientset = {
  got: (await configMaps.get("first")).data,
  listed: (await configMaps.list()).items.map((c) => c.metadata?.name).filter((n) => n === "first"),
  notFound: await configMaps.get("missing").then(
    () => false,
    (err: unknown) => isNotFound(err),
  ),
};

// A watch from the list's resourceVersion (taken before the create) sees the create and a change.
const watched: string[] = [];
const watching = (async () => {
  for await (const event of configMaps.watch({
    resourceVersion: before.metadata?.resourceVersion,
    fieldSelector: "metadata.name=first",
  })) {
    watched.push(`${event.type} ${event.object.data?.a}`);
    if (event.object.data?.a === "2") break;
  }
})();
await configMaps.patch("first", { data: { a: "2" } });
await watching;
out.watch = watched;

// RESTClient: a request built by hand.
const rest = new RESTClient(http, { apiPath: "/api", groupVersion: "v1" });
const result = await rest.get().namespace(namespace).resource("configmaps").name("first").do();
out.rest = { statusCode: result.statusCode, data: result.into<ConfigMap>().data };

// DynamicClient: a ConfigMap as unstructured JSON.
const dynamic = new DynamicClient(http);
const dynamicConfigMaps = dynamic
  .resource({ group: "", version: "v1", resource: "configmaps" })
  .namespace(namespace);
await dynamicConfigMaps.create({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "dynamic" },
  data: { b: "1" },
});
out.dynamic = (await dynamicConfigMaps.get("dynamic")).data;

// DiscoveryClient: the server's version and groups.
const discovery = new DiscoveryClient(http);
const groups = await discovery.serverGroups();
out.discovery = {
  gitVersion: (await discovery.serverVersion()).gitVersion,
  apps: groups.some((g) => g.name === "apps"),
};

// ScaleClient: the replicas of a Deployment (no controllers run: only the object changes).
const labels = { app: "compat" };
await clientset.appsV1.deployments(namespace).create(
  Deployment({
    metadata: { name: "compat" },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: "app", image: "registry.invalid/app:1" }] },
      },
    },
  }),
);
const scales = new ScaleClient(discovery).scales(namespace);
const scale = await scales.get("deployments.apps", "compat");
await scales.update("deployments.apps", { ...scale, spec: { replicas: 3 } });
out.scale = {
  before: scale.spec?.replicas,
  after: (await clientset.appsV1.deployments(namespace).get("compat")).spec?.replicas,
};

// CRD clients generated from the cert-manager Issuer CRD.
const crds = new CrdClientset(http);
const issuers = crds.certManagerV1.issuers(namespace);
await issuers.create(Issuer({ metadata: { name: "self-signed" }, spec: { selfSigned: {} } }));
out.crd = {
  got: (await issuers.get("self-signed")).spec,
  listed: (await issuers.list()).items.map((i) => i.metadata?.name),
};
await issuers.delete("self-signed");

// Credentials other than a token: a client certificate, and an exec plugin.
const listNamespaces = async (config: Awaited<ReturnType<typeof loadKubeconfig>>) => {
  const client = HttpClient.forConfig(config, { transport });
  try {
    const list = await client.json<NamespaceList>({ method: "GET", path: "/api/v1/namespaces" });
    return list.items.some((n) => n.metadata?.name === namespace);
  } finally {
    await client.close();
  }
};
out.clientCertificate = await listNamespaces(
  await loadKubeconfig({ path: kubeconfig, context: certContext }),
);
out.execPlugin = {
  token: await listNamespaces(await loadKubeconfig({ path: pluginKubeconfig, context: "plugin-token" })),
  clientCertificate: await listNamespaces(
    await loadKubeconfig({ path: pluginKubeconfig, context: "plugin-cert" }),
  ),
};

// Through an http proxy (the kubeconfig's proxy-url): a CONNECT tunnel to the apiserver.
out.proxy = await listNamespaces(await loadKubeconfig({ path: proxyKubeconfig, context: adminContext }));

await clientset.coreV1.namespaces().delete(namespace);
await http.close();
console.log(JSON.stringify(out));
