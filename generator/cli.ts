/**
 * `kubegen generate`: the generator's command line, and the only part of it that reads argv, the
 * environment, the network or the disk. Everything else is the pure pipeline:
 * load → model → generate → write.
 */
import { readdir } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { HttpClient } from "../runtime/rest/http-client.js";
import type { ImportTarget } from "./emit/file-builder.js";
import { generate } from "./generate.js";
import { fetchOpenApiV3 } from "./load/cluster.js";
import { loadCrdFiles } from "./load/crd.js";
import { type LoadedDocument, loadOpenApiFiles } from "./load/openapi-v3.js";
import type { ApiModel } from "./model/ir.js";
import { modelFromCrds } from "./normalize/from-crd.js";
import { type Filters, modelFromOpenApi, pruneUnreachable } from "./normalize/from-openapi.js";
import { diffTrees, readTree, writeTreeAtomically } from "./write.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export const usage = `Usage: kubegen generate [options]

Generates typed clientset modules from OpenAPI v3 documents and CustomResourceDefinitions.
With no input options, regenerates the built-in clientset in generated/kubernetes/ from the
project's OpenAPI snapshot (offline).

Options:
  --openapi DIR|URL   OpenAPI v3 documents: a folder of *.json files, or an apiserver URL
                      reachable without credentials (e.g. http://127.0.0.1:8001 from kubectl proxy)
  --crd FILE|DIR      CustomResourceDefinition manifests (YAML/JSON, multi-document, List); repeatable
  --out DIR           output folder (required unless regenerating the built-in clientset)
  --include GROUPS    comma-separated API groups to keep ("core" is the legacy group)
  --exclude GROUPS    comma-separated API groups to drop
  --runtime SPEC      where generated files import the runtime from (default "kubegen"); a path
                      starting with "." is taken relative to the current folder
  --kubernetes SPEC   where CRD output imports the built-in types (ObjectMeta...) from (default
                      "<runtime>/kubernetes"); a path starting with "." likewise
  --check             write nothing; exit 1 and list the files that differ from --out
  -h, --help          show this help
`;

class UsageError extends Error {}

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const csv = (value: string | undefined) =>
  value
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean) ?? [];

/** The newest snapshot folder under generator/snapshot/. */
export async function latestSnapshot(): Promise<string> {
  const root = join(repoRoot, "generator", "snapshot");
  const entries = (await readdir(root).catch(() => [])).filter((e) => e.startsWith("kubernetes-")).sort();
  const latest = entries.at(-1);
  if (!latest)
    throw new Error(`no OpenAPI snapshot in ${root}: take one with \`npx tsx generator/snapshot.ts\``);
  return join(root, latest);
}

async function loadOpenApi(source: string, io: CliIo): Promise<LoadedDocument[]> {
  if (!/^https?:\/\//.test(source)) return loadOpenApiFiles(source);
  const http = HttpClient.forConfig({
    server: source,
    namespace: "default",
    tls: {},
    auth: { type: "none" },
    qps: -1,
  });
  try {
    const docs = await fetchOpenApiV3(http, (line) => io.stderr(`${line}\n`));
    return [...docs].map(([path, document]) => ({ source: `${source}/openapi/v3/${path}`, document }));
  } catch (err) {
    throw new Error(`--openapi ${source}: ${(err as Error).message}`);
  } finally {
    await http.close();
  }
}

export async function runGenerate(argv: string[], io: CliIo): Promise<number> {
  const started = performance.now();
  let args: ReturnType<typeof parse>;
  const parse = (a: string[]) =>
    parseArgs({
      args: a,
      strict: true,
      allowPositionals: false,
      options: {
        openapi: { type: "string" },
        crd: { type: "string", multiple: true },
        out: { type: "string" },
        include: { type: "string" },
        exclude: { type: "string" },
        runtime: { type: "string" },
        kubernetes: { type: "string" },
        check: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  try {
    args = parse(argv);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = args.values;
  if (v.help) {
    io.stdout(usage);
    return 0;
  }
  const filters: Filters = { includeGroups: csv(v.include), excludeGroups: csv(v.exclude) };
  const builtIn = !v.openapi && !v.crd?.length;
  if (!builtIn && !v.out) throw new UsageError("--out is required with --openapi or --crd");
  const out = resolve(v.out ?? join(repoRoot, "generated", "kubernetes"));

  let model: ApiModel = { modules: [] };
  let source: string;
  const external: Record<string, ImportTarget> = {};
  // A specifier, or a local path turned into a module path relative to the output root.
  const target = (spec: string): ImportTarget =>
    spec.startsWith(".")
      ? { module: relative(out, resolve(spec)).replace(/\.(ts|js)$/, "") }
      : { specifier: spec };
  if (builtIn || v.openapi) {
    const from = v.openapi ?? (await latestSnapshot());
    io.stderr(`loading OpenAPI documents from ${relative(process.cwd(), from) || from}\n`);
    model = modelFromOpenApi(await loadOpenApi(from, io), filters);
    source = builtIn
      ? `the Kubernetes OpenAPI snapshot ${relative(repoRoot, from)}`
      : `the OpenAPI v3 documents of ${v.openapi}`;
  } else {
    source = `CustomResourceDefinitions in ${v.crd!.join(", ")}`;
  }
  if (v.crd?.length) {
    const crds = await loadCrdFiles(v.crd, (w) => io.stderr(`warning: ${w}\n`));
    io.stderr(`loaded ${crds.length} CustomResourceDefinitions\n`);
    const crdModel = modelFromCrds(crds);
    const have = new Set(model.modules.map((m) => m.path));
    for (const m of crdModel.modules) {
      if (have.has(m.path))
        throw new Error(`CRD group-version ${m.path} is also in the OpenAPI input; give it once`);
    }
    if (!v.openapi) {
      const kubernetes = v.kubernetes ?? `${v.runtime ?? "kubegen"}/kubernetes`;
      external["meta/v1"] = kubernetes.startsWith(".")
        ? target(`${kubernetes}/meta/v1`)
        : { specifier: `${kubernetes}/meta/v1` };
    }
    model = {
      modules: pruneUnreachable(
        [...model.modules, ...crdModel.modules].sort((a, b) => a.path.localeCompare(b.path)),
      ),
    };
    if (v.openapi)
      source += ` and ${source.startsWith("CRD") ? "" : `CustomResourceDefinitions in ${v.crd.join(", ")}`}`;
  }

  const runtime = builtIn
    ? { module: relative(out, join(repoRoot, "runtime", "index")) }
    : target(v.runtime ?? "kubegen");
  const files = generate(model, {
    source: source!,
    runtime,
    external,
    clientsetName: builtIn ? "Clientset" : v.crd?.length && !v.openapi ? "CrdClientset" : "Clientset",
  });

  const served = model.modules.filter((m) => m.groupVersion);
  const summary =
    `${served.length} group-versions, ${served.reduce((n, m) => n + m.resources.length, 0)} resources, ` +
    `${model.modules.reduce((n, m) => n + m.types.length, 0)} types, ${files.size} files`;
  if (v.check) {
    const diff = diffTrees(files, await readTree(out));
    if (diff.length) {
      io.stderr(
        `${out} is stale (${diff.length} files differ); run the generator again:\n${diff.map((d) => `  ${d}\n`).join("")}`,
      );
      return 1;
    }
    io.stderr(`${out} is up to date: ${summary}\n`);
    return 0;
  }
  await writeTreeAtomically(out, files);
  io.stderr(`wrote ${out}: ${summary} in ${((performance.now() - started) / 1000).toFixed(1)}s\n`);
  return 0;
}

/** Runs a command line; returns the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "generate") return await runGenerate(rest, io);
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
