/**
 * `kubegen generate`: the generator's command line, and the only part of it that reads argv, the
 * environment, the network or the disk. Everything else is the pure pipeline:
 * load → model (normalize, merge, filter) → `generate()` → `writeTreeAtomically()`.
 *
 * Run: `npx tsx generator/cli.ts generate --help` (or `npm run generate` for the built-in clientset).
 */
import { readdir, readFile, rename, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { ClientConfig } from "../runtime/config/types.js";
import type { ApiCaller } from "../runtime/rest/api-caller.js";
import { version } from "../runtime/version.js";
import type { ImportTarget } from "./emit/file-builder.js";
import { generate, modulesReferencedOutside } from "./generate.js";
import { crdOpenApiPaths, type FetchJson, fetchCrds, fetchOpenApi } from "./load/cluster.js";
import { type LoadedCrd, loadCrdFiles, sortCrds } from "./load/crd.js";
import { type LoadedDocument, loadOpenApiFiles } from "./load/openapi-v3.js";
import type { ApiModel } from "./model/ir.js";
import { applyDiscovery, type DiscoveredResource } from "./normalize/discovery.js";
import { filterModel } from "./normalize/filter.js";
import { modelFromCrds } from "./normalize/from-crd.js";
import { modelFromOpenApi } from "./normalize/from-openapi.js";
import { mergeModels } from "./normalize/merge.js";
import {
  type BuiltinTypes,
  builtinTypesFromJson,
  builtinTypesOf,
  builtinTypesToJson,
  type ShareStats,
  shareTypes,
} from "./normalize/share.js";
import { diffTrees, readTree, writeTreeAtomically } from "./write.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/**
 * The built-in types CRD types are matched against, derived from the snapshot by `npm run generate`.
 * Beside this module both in the repository and in the package (`dist/generator/`), where the
 * snapshot itself is not shipped.
 */
const builtinTypesFile = fileURLToPath(new URL("./builtin-types.json", import.meta.url));

/** The text of `kubegen generate --help`. */
export const usage = `Usage: kubegen generate [options] --out DIR

Generates typed clientset modules from a live cluster, from CustomResourceDefinition files, or
from OpenAPI v3 documents. For example:

  kubegen generate --context my-cluster --out src/k8s     every API the cluster serves
  kubegen generate --context my-cluster --crds-only --out src/k8s
                                                          only its CRDs, beside kubegen/kubernetes
  kubegen generate --crd ./crds --out src/k8s             CRD manifests (YAML or JSON)

Inputs (any combination):
  --kubeconfig FILE   read a live cluster: its CustomResourceDefinitions (generated exactly as
                      from files), the OpenAPI v3 documents of every other group-version, and
                      discovery (verbs, short names, categories)
  --context NAME      the kubeconfig context to use (implies a live cluster; without --kubeconfig
                      the default loading rules apply: $KUBECONFIG, then ~/.kube/config)
  --crds-only         with a live cluster: only its CRDs, importing the built-in types from
                      kubegen/kubernetes (the same output as --crd with the same CRDs)
  --openapi DIR|URL   OpenAPI v3 documents (or a v2 swagger.json): a file or folder of *.json
                      files, or an apiserver URL
                      reachable without credentials (e.g. http://127.0.0.1:8001 from kubectl proxy)
  --crd FILE|DIR      CustomResourceDefinition manifests (YAML/JSON, multi-document, List); repeatable

Output:
  --out DIR           output folder, replaced as a whole
  --include PATTERNS  keep only these: comma-separated group, group/version or
                      group/version/resource; "core" is the legacy group, "*" any one segment;
                      repeatable
  --exclude PATTERNS  drop these (same syntax, applied after --include); repeatable
  --runtime SPEC      where generated files import the runtime from (default "kubegen"); a path
                      starting with "." is taken relative to the current folder
  --kubernetes SPEC   where CRD output imports the built-in types (ObjectMeta...) from (default
                      "<runtime>/kubernetes"); a path starting with "." likewise
  --no-builtin-types  declare every CRD object type in the output, even where it is a copy of a
                      built-in type (Container, LabelSelector...) that would otherwise be imported
  --check             write nothing; exit 1 and list the files that differ from --out
  -h, --help          show this help

\`kubegen --version\` prints the version of kubegen.

In kubegen's own repository, \`npm run generate\` (no options) regenerates the built-in clientset
in generated/kubernetes/ from the project's OpenAPI snapshot, offline.
`;

/** What `kubegen generate` with no input says where there is no snapshot to fall back on. */
const noInput = `nothing to generate from: point kubegen at your cluster or at CRD files, e.g.
  kubegen generate --context my-cluster --out src/k8s
  kubegen generate --crd ./crds --out src/k8s
Give one or more inputs, and --out:
  --kubeconfig FILE / --context NAME   a live cluster (add --crds-only for its CRDs alone)
  --crd FILE|DIR                       CustomResourceDefinition manifests (YAML or JSON)
  --openapi DIR|URL                    OpenAPI v3 documents, or an apiserver URL
  --out DIR                            the folder to generate into`;

/** A loader's "not there" error, with the flag that named the path: only the CLI knows flags. */
function withFlag(flag: string): (err: unknown) => never {
  return (err) => {
    const code = (err as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENODOCS") throw new Error(`${flag} ${(err as Error).message}`);
    throw err;
  };
}

/** A command-line mistake: reported with a pointer to `--help`. */
class UsageError extends Error {}

/** Where the CLI prints; tests capture it. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const csv = (values: string[] | undefined) =>
  (values ?? []).flatMap((v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );

async function hasSnapshot(): Promise<boolean> {
  return latestSnapshot().then(
    () => true,
    () => false,
  );
}

/** The newest snapshot folder under generator/snapshot/. */
export async function latestSnapshot(): Promise<string> {
  const root = join(repoRoot, "generator", "snapshot");
  const entries = (await readdir(root).catch(() => [])).filter((e) => e.startsWith("kubernetes-")).sort();
  const latest = entries.at(-1);
  if (!latest)
    throw new Error(`no OpenAPI snapshot in ${root}: take one with \`npx tsx test/cluster/snapshot.ts\``);
  return join(root, latest);
}

/** A `FetchJson` over the runtime's HTTP layer (auth, TLS, retries included). */
export function fetchJsonOver(http: ApiCaller): FetchJson {
  return (pathAndQuery) => {
    const url = new URL(pathAndQuery, "http://placeholder");
    return http.json({ method: "GET", path: url.pathname, query: Object.fromEntries(url.searchParams) });
  };
}

/** What a live cluster gives the generator. */
interface LiveInput {
  crds: LoadedCrd[];
  documents: LoadedDocument[];
  discovered: DiscoveredResource[];
}

// The runtime's HTTP and kubeconfig code is loaded only for live inputs: offline generation
// (`npm run generate`) needs neither.
async function readCluster(
  config: ClientConfig,
  label: string,
  io: CliIo,
  what: { crds: boolean; openapi: boolean },
): Promise<LiveInput> {
  const { HttpClient } = await import("../runtime/rest/http-client.js");
  const { DiscoveryClient, isSubresource } = await import("../runtime/clients/discovery.js");
  const { parseGroupVersion } = await import("../runtime/core/group-version.js");
  // A few retries only: a generator run against a cluster that is down should fail in seconds.
  const http = HttpClient.forConfig({ ...config, qps: -1 }, { retry: { maxRetries: 2 } });
  const progress = (line: string) => io.stderr(`${line}\n`);
  try {
    const fetchJson = fetchJsonOver(http);
    const crds = what.crds ? await fetchCrds(fetchJson) : [];
    if (what.crds) progress(`read ${crds.length} CustomResourceDefinitions`);
    if (!what.openapi) return { crds, documents: [], discovered: [] };
    // CRD-served group-versions come from the CRDs themselves: their OpenAPI lacks watch and the
    // named nested types.
    const skip = crdOpenApiPaths(crds);
    const docs = await fetchOpenApi(fetchJson, progress, (path) => skip.has(path));
    const documents = [...docs].map(([path, document]) => ({
      source: path === "openapi/v2" ? `${label}/openapi/v2` : `${label}/openapi/v3/${path}`,
      document,
    }));
    const { resources } = await new DiscoveryClient(http).serverGroupsAndResources();
    const discovered = resources.flatMap((list) => {
      const { group, version } = parseGroupVersion(list.groupVersion);
      return list.resources
        .filter((r) => !isSubresource(r))
        .map((r) => ({
          group,
          version,
          plural: r.name,
          verbs: r.verbs,
          shortNames: r.shortNames,
          categories: r.categories,
        }));
    });
    return { crds, documents, discovered };
  } catch (err) {
    throw new Error(`${label}: ${(err as Error).message}`);
  } finally {
    await http.close();
  }
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        kubeconfig: { type: "string" },
        context: { type: "string" },
        openapi: { type: "string" },
        crd: { type: "string", multiple: true },
        out: { type: "string" },
        include: { type: "string", multiple: true },
        exclude: { type: "string", multiple: true },
        runtime: { type: "string" },
        kubernetes: { type: "string" },
        "no-builtin-types": { type: "boolean" },
        check: { type: "boolean" },
        "crds-only": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * A CRD model through the shared types stage. Built-in types come from the output's own OpenAPI
 * model when it has one (its modules are local), else from the package's index.
 */
async function shareCrdTypes(
  crdModel: ApiModel,
  openApiModel: ApiModel | undefined,
  builtinTypes: boolean,
): Promise<{ model: ApiModel; stats: ShareStats }> {
  let builtins: BuiltinTypes | undefined;
  if (builtinTypes) {
    builtins = openApiModel
      ? builtinTypesOf(openApiModel, "the output's OpenAPI model")
      : builtinTypesFromJson(await readFile(builtinTypesFile, "utf8"), builtinTypesFile);
  }
  return shareTypes(crdModel, { builtins });
}

/** `12345` → `12,345`: the same on every machine, unlike `toLocaleString()`. */
const count = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** `kubegen generate ...`: returns the exit code; errors are thrown to `main`. */
export async function runGenerate(argv: string[], io: CliIo): Promise<number> {
  const started = performance.now();
  const v = parse(argv);
  if (v.help) {
    io.stdout(usage);
    return 0;
  }
  const live = v.kubeconfig !== undefined || v.context !== undefined;
  if (live && v.openapi) throw new UsageError("give either a cluster (--kubeconfig/--context) or --openapi");
  if (v["crds-only"] && !live)
    throw new UsageError("--crds-only needs a cluster (--kubeconfig or --context)");
  const builtIn = !live && !v.openapi && !v.crd?.length;
  // Regenerating the built-in clientset is this repository's own job: an installed package has
  // no snapshot, and a user who gave --out meant to generate something of their own.
  if (builtIn && (v.out || !(await hasSnapshot()))) throw new UsageError(noInput);
  if (!builtIn && !v.out)
    throw new UsageError("--out is required with --kubeconfig, --context, --openapi or --crd");
  const out = resolve(v.out ?? join(repoRoot, "generated", "kubernetes"));
  // A specifier, or a local path turned into a module path relative to the output root.
  const target = (spec: string): ImportTarget =>
    spec.startsWith(".")
      ? { module: relative(out, resolve(spec)).replace(/\.(ts|js)$/, "") }
      : { specifier: spec };

  const sources: string[] = [];
  const models: ApiModel[] = [];
  let openApiModel: ApiModel | undefined;
  let snapshot: string | undefined;
  const crds: LoadedCrd[] = [];
  if (live) {
    const { loadKubeconfig } = await import("../runtime/config/load.js");
    const config = await loadKubeconfig({ path: v.kubeconfig, context: v.context });
    io.stderr(`reading ${config.server} (context ${config.contextName})\n`);
    const input = await readCluster(config, config.server, io, { crds: true, openapi: !v["crds-only"] });
    crds.push(...input.crds);
    if (!v["crds-only"]) {
      openApiModel = applyDiscovery(modelFromOpenApi(input.documents), input.discovered);
      sources.push("the OpenAPI v3 documents of a cluster");
    }
  } else if (v.openapi && /^https?:\/\//.test(v.openapi)) {
    const config: ClientConfig = { server: v.openapi, namespace: "default", tls: {}, auth: { type: "none" } };
    const input = await readCluster(config, v.openapi, io, { crds: false, openapi: true });
    openApiModel = applyDiscovery(modelFromOpenApi(input.documents), input.discovered);
    sources.push("the OpenAPI v3 documents of a server");
  } else if (v.openapi || builtIn) {
    const from = v.openapi ?? (await latestSnapshot());
    if (builtIn) snapshot = from;
    io.stderr(`loading OpenAPI documents from ${relative(process.cwd(), from) || from}\n`);
    openApiModel = modelFromOpenApi(await loadOpenApiFiles(from).catch(withFlag("--openapi")));
    sources.push(builtIn ? `the Kubernetes OpenAPI snapshot ${basename(from)}` : "OpenAPI v3 documents");
  }
  if (openApiModel) models.push(openApiModel);
  if (v.crd?.length) {
    const loaded = await loadCrdFiles(v.crd, (w) => io.stderr(`warning: ${w}\n`)).catch(withFlag("--crd"));
    crds.push(...loaded);
  }

  let sharing: ShareStats | undefined;
  if (v.crd?.length || live) {
    if (v.crd?.length) io.stderr(`loaded ${crds.length} CustomResourceDefinitions\n`);
    // Shared before filtering, so that names do not depend on --include.
    const shared = await shareCrdTypes(modelFromCrds(sortCrds(crds)), openApiModel, !v["no-builtin-types"]);
    models.push(shared.model);
    sharing = shared.stats;
    sources.push("CustomResourceDefinitions");
  }
  const model = filterModel(mergeModels(...models), { include: csv(v.include), exclude: csv(v.exclude) });
  const external: Record<string, ImportTarget> = {};
  if (!openApiModel) {
    // CRD-only output imports what it refers to (ObjectMeta, Container...) from the package.
    const kubernetes = v.kubernetes ?? `${v.runtime ?? "kubegen"}/kubernetes`;
    for (const module of new Set(["meta/v1", ...modulesReferencedOutside(model)]))
      external[module] = target(`${kubernetes}/${module}`);
  }

  const runtime = builtIn
    ? { module: relative(out, join(repoRoot, "runtime", "index")) }
    : target(v.runtime ?? "kubegen");
  const files = generate(model, {
    source: sources.join(" and "),
    runtime,
    external,
    clientsetName: !openApiModel ? "CrdClientset" : "Clientset",
  });

  // The index of built-in types comes from the same snapshot as generated/kubernetes, and is
  // checked and written with it.
  const index =
    snapshot !== undefined && openApiModel
      ? builtinTypesToJson(builtinTypesOf(openApiModel, relative(repoRoot, snapshot)))
      : undefined;

  const served = model.modules.filter((m) => m.groupVersion);
  const summary =
    `${served.length} group-versions, ${served.reduce((n, m) => n + m.resources.length, 0)} resources, ` +
    `${model.modules.reduce((n, m) => n + m.types.length, 0)} types, ${files.size} files` +
    (sharing
      ? `; CRD types: ${count(sharing.typesBefore)} → ${count(sharing.typesAfter)} after sharing, ` +
        `${count(sharing.builtinImports)} built-in imports`
      : "");
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)}s`;
  if (v.check) {
    const diff = diffTrees(files, await readTree(out));
    if (index !== undefined && index !== (await readFile(builtinTypesFile, "utf8").catch(() => "")))
      diff.push(`differs: ${relative(process.cwd(), builtinTypesFile)}`);
    if (diff.length) {
      io.stderr(
        `${out} is stale (${diff.length} files differ); run the generator again:\n${diff.map((d) => `  ${d}\n`).join("")}`,
      );
      return 1;
    }
    io.stderr(`${out} is up to date: ${summary} (${elapsed()})\n`);
    return 0;
  }
  await writeTreeAtomically(out, files);
  if (index !== undefined) {
    const staging = `${builtinTypesFile}.tmp-${process.pid}`;
    await writeFile(staging, index);
    await rename(staging, builtinTypesFile);
  }
  io.stderr(`wrote ${out}: ${summary} in ${elapsed()}\n`);
  return 0;
}

/** Runs a command line (`generate ...`, `--version`); returns the exit code and never throws. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "generate") return await runGenerate(rest, io);
    if (command === "--version" || command === "-v" || command === "version") {
      io.stdout(`${version}\n`);
      return 0;
    }
    if (command === undefined || command === "--help" || command === "-h" || command === "help") {
      io.stdout(usage);
      return command === undefined ? 1 : 0;
    }
    throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  } catch (err) {
    io.stderr(`kubegen: ${(err as Error).message}\n`);
    if (err instanceof UsageError) io.stderr("Run `kubegen generate --help` for the options.\n");
    return 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  });
}
