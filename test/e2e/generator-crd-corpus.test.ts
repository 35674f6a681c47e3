/**
 * The main job as a user meets it: every CRD of `../shared/fixtures/crds/` (130 CRDs from 11
 * projects) installed into a real apiserver of its own, generated from the cluster with no flags,
 * compared with the YAML path's output, compiled under `--strict` (lib checks on), and one custom
 * resource per project driven through the live-generated clients: create, get, list, a typed
 * watch that sees the change, merge patch, delete.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { main } from "../../generator/cli.js";
import { readTree } from "../../generator/write.js";
import { loadKubeconfig } from "../../runtime/index.js";
import { type ControlPlane, startControlPlane } from "../cluster/control-plane.js";
import { compileDiagnostics } from "../generator/support/compile.js";
import { installCrdCorpus } from "../support/cluster.js";
import { type RawClient, rawClient } from "../support/raw-client.js";

const corpus = new URL("../../../shared/fixtures/crds/", import.meta.url);
let cp: ControlPlane;
let raw: RawClient;
let tmp: string;
let live: Map<string, string>;

async function generate(...args: string[]): Promise<Map<string, string>> {
  const out = join(tmp, `out-${Math.random().toString(36).slice(2)}`);
  let stderr = "";
  const code = await main(["generate", ...args, "--out", out], {
    stdout: () => {},
    stderr: (t) => {
      stderr += t;
    },
  });
  expect(code, stderr).toBe(0);
  return readTree(out);
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "kubegen-corpus-"));
  // A control plane of its own: 130 CRDs would slow discovery for every other test file.
  cp = await startControlPlane({ log: () => {} });
  raw = await rawClient(cp.kubeconfig, undefined);
  const installed = await installCrdCorpus(raw, corpus.pathname);
  expect(installed).toBe(130);
  live = await generate("--kubeconfig", cp.kubeconfig);
}, 600_000);

afterAll(async () => {
  await raw?.close();
  await cp?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/**
 * A CRD module as the live output imports it: package imports of built-in types made relative, and
 * each import on one line (a longer or shorter specifier may wrap it differently).
 */
function asLocal(path: string, text: string): string {
  const relative = text.replace(/from "kubegen\/kubernetes\/([^"]+)"/g, (_m, target: string) => {
    const rel = posix.relative(posix.dirname(path), target);
    return `from "${rel.startsWith(".") ? rel : `./${rel}`}.js"`;
  });
  return oneLineImports(relative);
}

function oneLineImports(text: string): string {
  return text.replace(/^(import (?:type )?)\{\n([^}]*)\n\} from/gm, (_m, head: string, names: string) => {
    const list = names
      .split("\n")
      .map((n) => n.trim().replace(/,$/, ""))
      .join(", ");
    return `${head}{ ${list} } from`;
  });
}

it("gives every CRD module the same bytes from the cluster as from the YAML files", async () => {
  const yaml = await generate("--crd", corpus.pathname);
  const crdsOnly = await generate("--kubeconfig", cp.kubeconfig, "--crds-only");
  // Only the CRDs, importing the built-in types from the package: the very same tree as from YAML.
  expect([...crdsOnly.keys()]).toEqual([...yaml.keys()]);
  for (const [path, text] of yaml) expect(crdsOnly.get(path), path).toBe(text);
  // Everything the cluster serves: the same CRD modules, their built-in types now local.
  // Group-version modules only (`index.ts`, `fake.ts` and `patch-meta.ts` lie at the root, and differ).
  const modules = [...yaml.keys()].filter((p) => p.includes("/"));
  expect(modules.length).toBeGreaterThan(40);
  for (const path of modules)
    expect(oneLineImports(live.get(path)!), path).toBe(asLocal(path, yaml.get(path)!));
  // ...beside the built-in group-versions, on their short paths, with no collision.
  expect(live.has("core/v1.ts")).toBe(true);
  expect(live.has("apiextensions/v1.ts")).toBe(true);
  expect(live.has("apiextensions.crossplane.io/v1.ts")).toBe(true);
}, 120_000);

it("gives live CRD clients watch, and built-in ones discovery's short names and categories", () => {
  expect(live.get("cert-manager.io/v1.ts")).toMatch(
    /export const certificates = [\s\S]*?verbs: \[[^\]]*"watch"\][\s\S]*?shortNames: \["cert", "certs"\]/,
  );
  const core = live.get("core/v1.ts")!;
  expect(core).toMatch(/export const pods = [\s\S]*?shortNames: \["po"\],\n {2}categories: \["all"\],/);
  expect(live.get("apps/v1.ts")).toMatch(/export const deployments = [\s\S]*?shortNames: \["deploy"\]/);
});

/** The typed program a user would write: one custom resource per project, every verb. */
const driver = `import type { ClientConfig, KubeObject, MergePatch, WatchEvent } from "kubegen";
import * as api from "./index.js";

interface Verbs<T extends KubeObject> {
  create(object: T): Promise<T>;
  get(name: string): Promise<T>;
  list(): Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
  watch(options: { resourceVersion?: string; signal?: AbortSignal }): AsyncIterable<WatchEvent<T>>;
  patch(name: string, patch: MergePatch<T>): Promise<T>;
  delete(name: string): Promise<unknown>;
}

async function exercise<T extends KubeObject>(client: Verbs<T>, object: T, patch: MergePatch<T>): Promise<string> {
  const name = object.metadata?.name ?? "";
  const created = await client.create(object);
  const got = await client.get(name);
  if (got.metadata?.uid !== created.metadata?.uid) throw new Error(\`\${name}: get returned another object\`);
  const list = await client.list();
  if (!list.items.some((i) => i.metadata?.name === name)) throw new Error(\`\${name}: not listed\`);
  const abort = new AbortController();
  const seen = (async () => {
    for await (const event of client.watch({ resourceVersion: list.metadata?.resourceVersion, signal: abort.signal })) {
      if (event.type === "MODIFIED" && event.object.metadata?.labels?.patched === "yes") return event.object;
    }
    throw new Error(\`\${name}: the watch ended without the change\`);
  })();
  const patched = await client.patch(name, patch);
  const watched = await seen;
  abort.abort();
  if (watched.metadata?.resourceVersion !== patched.metadata?.resourceVersion)
    throw new Error(\`\${name}: the watch saw another version\`);
  await client.delete(name);
  return \`\${created.apiVersion ?? ""} \${created.kind ?? ""}\`;
}

export async function drive(config: ClientConfig, ns: string): Promise<string[]> {
  const cs = api.Clientset.forConfig(config);
  const metadata = { name: "kubegen-demo" };
  // Checked against each kind's merge-patch type at its call.
  const label = { metadata: { labels: { patched: "yes" } } };
  try {
    return [
      await exercise(cs.argoprojV1alpha1.appProjects(ns), api.argoprojV1alpha1.AppProject({ metadata, spec: {} }), label),
      await exercise(cs.certManagerV1.issuers(ns), api.certManagerV1.Issuer({ metadata, spec: { selfSigned: {} } }), label),
      await exercise(
        cs.ipamV1beta2.ipAddressClaims(ns),
        api.ipamV1beta2.IPAddressClaim({
          metadata,
          spec: { poolRef: { apiGroup: "ipam.example.dev", kind: "Pool", name: "pool" } },
        }), label),
      await exercise(
        cs.apiextensionsCrossplaneIoV1beta1.environmentConfigs(),
        api.apiextensionsCrossplaneIoV1beta1.EnvironmentConfig({ metadata, data: { region: "eu" } }), label),
      await exercise(
        cs.externalSecretsV1.secretStores(ns),
        api.externalSecretsV1.SecretStore({
          metadata,
          spec: { provider: { fake: { data: [{ key: "k", value: "v" }] } } },
        }), label),
      await exercise(
        cs.helmV2.helmReleases(ns),
        api.helmV2.HelmRelease({
          metadata,
          spec: {
            interval: "5m",
            chart: { spec: { chart: "podinfo", sourceRef: { kind: "HelmRepository", name: "podinfo" } } },
          },
        }), label),
      await exercise(
        cs.gatewayV1.gatewayClasses(),
        api.gatewayV1.GatewayClass({ metadata, spec: { controllerName: "example.dev/gateway" } }), label),
      await exercise(cs.servingV1.routes(ns), api.servingV1.Route({ metadata, spec: {} }), label),
      await exercise(cs.kyvernoV1.policies(ns), api.kyvernoV1.Policy({ metadata, spec: {} }), label),
      await exercise(
        cs.monitoringV1.serviceMonitors(ns),
        api.monitoringV1.ServiceMonitor({ metadata, spec: { selector: {}, endpoints: [{ port: "web" }] } }), label),
      await exercise(
        cs.tektonV1.tasks(ns),
        api.tektonV1.Task({ metadata, spec: { steps: [{ name: "hello", image: "alpine" }] } }), label),
    ];
  } finally {
    await cs.close();
  }
}
`;

/**
 * One program a user would test their controller code with, run unchanged on the real clientset and
 * on the generated `FakeClientset`: cert-manager Certificates selected by the CRD's
 * `selectableFields`, seen by a typed informer from the generated `InformerFactory`, and changed
 * by a server-side apply that merges a list-map.
 */
const bothBackends = `import type { KubeObject } from "kubegen";
import * as api from "./index.js";

const names = (items: readonly KubeObject[]) => items.map((i) => i.metadata?.name ?? "").sort();

export async function certificates(cs: api.Clientset, ns: string): Promise<Record<string, unknown>> {
  const client = cs.certManagerV1.certificates(ns);
  const cert = (name: string, issuer: string) =>
    api.certManagerV1.Certificate({
      metadata: { name, labels: { app: "corpus" } },
      spec: { secretName: \`\${name}-tls\`, issuerRef: { name: issuer, kind: "Issuer" }, dnsNames: [\`\${name}.example.dev\`] },
    });
  const abort = new AbortController();
  const factory = new api.InformerFactory(cs, { namespace: ns });
  const { informer, lister } = factory.certManagerV1.certificates();
  const told: string[] = [];
  informer.addEventHandler({
    onAdd: (c) => {
      told.push(\`add \${c.metadata?.name}\`);
    },
    onDelete: (c) => {
      told.push(\`delete \${"obj" in c ? c.obj.metadata?.name : c.metadata?.name}\`);
    },
  });
  try {
    for (const [name, issuer] of [["a1", "alpha"], ["b1", "beta"], ["a2", "alpha"]] as const)
      await client.create(cert(name, issuer));
    factory.start(abort.signal);
    const synced = await factory.waitForCacheSync(abort.signal);
    const byIssuer = names((await client.list({ fieldSelector: "spec.issuerRef.name=alpha" })).items);
    const notAlpha = names((await client.list({ fieldSelector: "spec.issuerRef.name!=alpha,spec.issuerRef.kind=Issuer" })).items);
    let unknownField = "";
    try {
      await client.list({ fieldSelector: "spec.secretName=a1-tls" });
    } catch (err) {
      unknownField = \`\${(err as { code?: number }).code} \${(err as Error).message.includes("spec.secretName")}\`;
    }
    // Two managers apply: one owns the issuer, another adds a DNS name to the set.
    await client.apply(
      { apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "a1" }, spec: { secretName: "a1-tls", issuerRef: { name: "beta" }, dnsNames: ["a1.example.dev"] } },
      { fieldManager: "issuer-owner", force: true },
    );
    const applied = await client.apply(
      { apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "a1" }, spec: { dnsNames: ["a1.example.dev"], issuerRef: { name: "beta" }, secretName: "a1-tls" } },
      { fieldManager: "issuer-owner" },
    );
    const afterApply = names((await client.list({ fieldSelector: "spec.issuerRef.name=alpha" })).items);
    await client.delete("b1");
    // The informer converges on what the server holds.
    for (let i = 0; i < 400 && !(lister.list().length === 2 && told.includes("delete b1")); i++)
      await new Promise((r) => setTimeout(r, 25));
    return {
      synced,
      byIssuer,
      notAlpha,
      unknownField,
      appliedIssuer: applied.spec?.issuerRef.name,
      managers: (applied.metadata?.managedFields ?? []).map((m) => \`\${m.manager} \${m.operation}\`).sort(),
      afterApply,
      cached: names(lister.list("app=corpus")),
      cachedIssuers: lister.list().map((c) => c.spec?.issuerRef.name).sort(),
      told: told.sort(),
    };
  } finally {
    abort.abort();
    await factory.shutdown();
  }
}
`;

/**
 * Every custom resource of the corpus through the fake: its generated descriptor served by
 * `FakeClientset` and an informer of the generated `InformerFactory` on it.
 */
const everyCustomResource = `import type { KubeObject } from "kubegen";
import { FakeClientset } from "./fake.js";
import * as api from "./index.js";

type Verbs = {
  create(o: KubeObject): Promise<KubeObject>;
  get(name: string): Promise<KubeObject>;
  apply(o: KubeObject, options: { fieldManager: string }): Promise<KubeObject>;
};

export async function everyResource(groups: ReadonlySet<string>): Promise<string[]> {
  const cs = new FakeClientset();
  const factory = new api.InformerFactory(cs, { namespace: "corpus" });
  const abort = new AbortController();
  const done: string[] = [];
  const members = cs as unknown as Record<string, Record<string, (ns?: string) => Verbs>>;
  const informers = factory as unknown as Record<string, Record<string, () => { lister: { list(): KubeObject[] } }>>;
  const seen: (() => string[])[] = [];
  for (const [member, gv] of Object.entries(api.Clientset.groupVersions)) {
    if (!groups.has(gv.group)) continue;
    for (const [key, r] of Object.entries(gv.resources)) {
      const client = members[member]![key]!(r.namespaced ? "corpus" : undefined);
      const apiVersion = \`\${gv.group}/\${gv.version}\`;
      const created = await client.create({ apiVersion, kind: r.kind, metadata: { name: "one" } });
      const got = await client.get("one");
      if (got.metadata?.uid !== created.metadata?.uid) throw new Error(\`\${apiVersion} \${r.plural}: get\`);
      const applied = await client.apply(
        { apiVersion, kind: r.kind, metadata: { name: "one", labels: { applied: "yes" } } },
        { fieldManager: "corpus" },
      );
      if (applied.metadata?.labels?.applied !== "yes") throw new Error(\`\${apiVersion} \${r.plural}: apply\`);
      const { lister } = informers[member]![key]!();
      seen.push(() => lister.list().map((o) => \`\${o.apiVersion} \${o.kind} \${o.metadata?.labels?.applied}\`));
      done.push(\`\${apiVersion}/\${r.plural}\`);
    }
  }
  factory.start(abort.signal);
  const synced = await factory.waitForCacheSync(abort.signal);
  abort.abort();
  await factory.shutdown();
  const missing = Object.entries(synced).filter(([, ok]) => !ok);
  if (missing.length) throw new Error(\`not synced: \${missing.map(([k]) => k).join(", ")}\`);
  const cached = seen.flatMap((s) => s());
  if (cached.length !== done.length || cached.some((c) => !c.endsWith(" yes")))
    throw new Error(\`informers cached \${cached.length} of \${done.length}\`);
  return done;
}
`;

let program: Promise<string> | undefined;
/** The live tree and the drivers, compiled under --strict, then written out to be imported. */
function compiledProgram(): Promise<string> {
  program ??= (async () => {
    const tree = new Map(live);
    tree.set("drive.ts", driver);
    tree.set("both.ts", bothBackends);
    tree.set("every.ts", everyCustomResource);
    expect(compileDiagnostics({ corpus: tree })).toEqual([]);
    const dir = join(tmp, "program");
    for (const [path, text] of tree) {
      const file = join(dir, path);
      await mkdir(join(file, ".."), { recursive: true });
      await writeFile(file, text);
    }
    return dir;
  })();
  return program;
}

async function newNamespace(prefix: string): Promise<string> {
  const ns = `${prefix}-${Date.now().toString(36)}`;
  const created = await raw.request("POST", "/api/v1/namespaces", { metadata: { name: ns } });
  expect(created.status).toBe(201);
  return ns;
}

it("compiles under --strict with lib checks, and drives one custom resource per project", async () => {
  // The same program, run against the cluster the clients were generated from.
  const dir = await compiledProgram();
  const ns = await newNamespace("corpus");
  const { drive } = (await import(join(dir, "drive.ts"))) as {
    drive(config: unknown, ns: string): Promise<string[]>;
  };
  const done = await drive(await loadKubeconfig({ path: cp.kubeconfig }), ns);
  expect(done).toEqual([
    "argoproj.io/v1alpha1 AppProject",
    "cert-manager.io/v1 Issuer",
    "ipam.cluster.x-k8s.io/v1beta2 IPAddressClaim",
    "apiextensions.crossplane.io/v1beta1 EnvironmentConfig",
    "external-secrets.io/v1 SecretStore",
    "helm.toolkit.fluxcd.io/v2 HelmRelease",
    "gateway.networking.k8s.io/v1 GatewayClass",
    "serving.knative.dev/v1 Route",
    "kyverno.io/v1 Policy",
    "monitoring.coreos.com/v1 ServiceMonitor",
    "tekton.dev/v1 Task",
  ]);
}, 300_000);

it("runs one program on the cluster and on the generated fake with the same results: selectable fields, informers, apply", async () => {
  const dir = await compiledProgram();
  const { certificates } = (await import(join(dir, "both.ts"))) as {
    certificates(cs: unknown, ns: string): Promise<Record<string, unknown>>;
  };
  const { Clientset } = (await import(join(dir, "index.ts"))) as {
    Clientset: { forConfig(config: unknown): { close(): Promise<void> } };
  };
  const { FakeClientset } = (await import(join(dir, "fake.ts"))) as { FakeClientset: new () => unknown };
  const real = Clientset.forConfig(await loadKubeconfig({ path: cp.kubeconfig }));
  let onCluster: Record<string, unknown>;
  try {
    onCluster = await certificates(real, await newNamespace("selectable"));
  } finally {
    await real.close();
  }
  const onFake = await certificates(new FakeClientset(), "selectable");
  expect(onCluster).toEqual({
    synced: { "cert-manager.io/v1/certificates": true },
    byIssuer: ["a1", "a2"],
    notAlpha: ["b1"],
    unknownField: "400 true",
    appliedIssuer: "beta",
    managers: ["issuer-owner Apply", expect.stringMatching(/ Update$/)],
    afterApply: ["a2"],
    cached: ["a1", "a2"],
    cachedIssuers: ["alpha", "beta"],
    told: ["add a1", "add a2", "add b1", "delete b1"],
  });
  expect(onFake).toEqual(onCluster);
}, 300_000);

it("serves every custom resource of the corpus from the generated fake, with a synced informer each", async () => {
  const dir = await compiledProgram();
  const { everyResource } = (await import(join(dir, "every.ts"))) as {
    everyResource(groups: ReadonlySet<string>): Promise<string[]>;
  };
  const groups = new Set<string>();
  const served = new Set<string>();
  for (const project of await readdir(corpus))
    for (const file of await readdir(new URL(`${project}/`, corpus))) {
      const text = await readFile(new URL(`${project}/${file}`, corpus), "utf8");
      for (const doc of parseAllDocuments(text)) {
        const crd = doc.toJS() as {
          kind?: string;
          spec: { group: string; names: { plural: string }; versions: { name: string; served: boolean }[] };
        };
        if (crd?.kind !== "CustomResourceDefinition") continue;
        groups.add(crd.spec.group);
        for (const v of crd.spec.versions)
          if (v.served) served.add(`${crd.spec.group}/${v.name}/${crd.spec.names.plural}`);
      }
    }
  const done = await everyResource(groups);
  expect(new Set(done)).toEqual(served);
}, 300_000);
