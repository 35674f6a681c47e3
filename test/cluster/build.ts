/**
 * Builds kube-apiserver and etcd (and, when a control plane asks for them, kube-controller-manager,
 * kube-scheduler and KWOK) from their Go modules with the machine's Go toolchain and caches the
 * binaries by version and module checksum. The Kubernetes, etcd and KWOK versions are pinned in the
 * `go.mod` files under `test/cluster/go/`, and nowhere else.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDir } from "./cache.js";

const goModulesDir = join(dirname(fileURLToPath(import.meta.url)), "go");

export interface ControlPlaneBinaries {
  kubeApiserver: string;
  etcd: string;
  kubernetesVersion: string;
  etcdVersion: string;
  /** Built only for a control plane with `controllers: true`. */
  kubeControllerManager?: string;
  kubeScheduler?: string;
  /** Built only for a control plane with `kwok: true`. */
  kwok?: string;
  kwokVersion?: string;
  /** KWOK's default node and pod stages (what `kwokctl` uses), copied from its module beside the binary. */
  kwokStages?: string;
}

/** The optional components; kube-apiserver and etcd are always built. */
export interface BinaryOptions {
  controllers?: boolean;
  kwok?: boolean;
}

type TargetName = "kube-apiserver" | "etcd" | "kube-controller-manager" | "kube-scheduler" | "kwok";

interface BuildTarget {
  name: TargetName;
  moduleDir: string;
  /** Module whose version names the binary. */
  versionModule: string;
  /** Package to build. */
  pkg: string;
  ldflags: (version: string) => string;
}

// Stamp the version so /version (and each component's own report) names the release rather than
// v0.0.0-master.
const kubernetesLdflags = (v: string) => {
  const [major, minor] = v.replace(/^v/, "").split(".");
  const pkg = "k8s.io/component-base/version";
  return `-s -w -X ${pkg}.gitVersion=${v} -X ${pkg}.gitMajor=${major} -X ${pkg}.gitMinor=${minor} -X ${pkg}.gitTreeState=clean`;
};

/**
 * The Kubernetes components come from one module (`go/kube-apiserver`, with a `tool` line each), so
 * they share the one pin and one go.sum: they cannot drift apart.
 */
const kubernetesTarget = (
  name: "kube-apiserver" | "kube-controller-manager" | "kube-scheduler",
): BuildTarget => ({
  name,
  moduleDir: join(goModulesDir, "kube-apiserver"),
  versionModule: "k8s.io/kubernetes",
  pkg: `k8s.io/kubernetes/cmd/${name}`,
  ldflags: kubernetesLdflags,
});

const targets = {
  "kube-apiserver": kubernetesTarget("kube-apiserver"),
  etcd: {
    name: "etcd",
    moduleDir: join(goModulesDir, "etcd"),
    versionModule: "go.etcd.io/etcd/server/v3",
    pkg: "go.etcd.io/etcd/server/v3",
    ldflags: () => "-s -w",
  },
  "kube-controller-manager": kubernetesTarget("kube-controller-manager"),
  "kube-scheduler": kubernetesTarget("kube-scheduler"),
  // Its own module: KWOK pins older k8s.io/* modules than the apiserver's.
  kwok: {
    name: "kwok",
    moduleDir: join(goModulesDir, "kwok"),
    versionModule: "sigs.k8s.io/kwok",
    pkg: "sigs.k8s.io/kwok/cmd/kwok",
    ldflags: () => "-s -w",
  },
} satisfies Record<TargetName, BuildTarget>;

/** KWOK's default stages, as `kwokctl` picks them: nodes Ready with a lease heartbeat, pods Running, Job pods done, deletions finished. */
const kwokStageFiles = [
  "kustomize/stage/node/fast/node-initialize.yaml",
  "kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
  "kustomize/stage/pod/fast/pod-ready.yaml",
  "kustomize/stage/pod/fast/pod-complete.yaml",
  "kustomize/stage/pod/fast/pod-delete.yaml",
];

export type Log = (line: string) => void;

/** Returns the cached binaries, building the missing ones first. */
export async function ensureBinaries(
  log: Log = (l) => process.stderr.write(`${l}\n`),
  options: BinaryOptions = {},
): Promise<ControlPlaneBinaries> {
  const apiserver = await ensureBinary(targets["kube-apiserver"], log);
  const etcd = await ensureBinary(targets.etcd, log);
  const binaries: ControlPlaneBinaries = {
    kubeApiserver: apiserver.path,
    etcd: etcd.path,
    kubernetesVersion: apiserver.version,
    etcdVersion: etcd.version,
  };
  if (options.controllers) {
    binaries.kubeControllerManager = (await ensureBinary(targets["kube-controller-manager"], log)).path;
    binaries.kubeScheduler = (await ensureBinary(targets["kube-scheduler"], log)).path;
  }
  if (options.kwok) {
    const kwok = await ensureBinary(targets.kwok, log);
    binaries.kwok = kwok.path;
    binaries.kwokVersion = kwok.version;
    binaries.kwokStages = `${kwok.path}.stages.yaml`;
  }
  return binaries;
}

/** The pinned version of `module` in the go.mod of `moduleDir`. */
export async function pinnedVersion(moduleDir: string, module: string): Promise<string> {
  const goMod = await readFile(join(moduleDir, "go.mod"), "utf8");
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const match = goMod.match(new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, "m"));
  if (!match?.[1]) throw new Error(`${join(moduleDir, "go.mod")}: no require line for ${module}`);
  return match[1];
}

/** The Kubernetes release the test control plane runs. */
export function kubernetesVersion(): Promise<string> {
  return pinnedVersion(join(goModulesDir, "kube-apiserver"), "k8s.io/kubernetes");
}

/** Where `target`'s binary is cached: named by version and a checksum of its module and flags. */
async function cachedPath(target: BuildTarget): Promise<{ path: string; version: string }> {
  const version = await pinnedVersion(target.moduleDir, target.versionModule);
  const hash = createHash("sha256");
  hash.update(await readFile(join(target.moduleDir, "go.mod")));
  hash.update(await readFile(join(target.moduleDir, "go.sum")));
  hash.update(target.ldflags(version));
  const key = hash.digest("hex").slice(0, 12);
  return { path: join(cacheDir(), "bin", `${target.name}-${version}-${key}`), version };
}

/** The binaries `ensureBinaries(log, options)` would have to build first (so a test can allow for it). */
export async function missingBinaries(options: BinaryOptions = {}): Promise<string[]> {
  const wanted: TargetName[] = ["kube-apiserver", "etcd"];
  if (options.controllers || options.kwok) wanted.push("kube-controller-manager", "kube-scheduler");
  if (options.kwok) wanted.push("kwok");
  const missing: string[] = [];
  for (const name of wanted) {
    const { path } = await cachedPath(targets[name]);
    const stagesMissing = name === "kwok" && !existsSync(`${path}.stages.yaml`);
    if (!(await isExecutable(path)) || stagesMissing) missing.push(name);
  }
  return missing;
}

async function ensureBinary(target: BuildTarget, log: Log): Promise<{ path: string; version: string }> {
  const { path: finalPath, version } = await cachedPath(target);
  const binDir = dirname(finalPath);
  if (await isExecutable(finalPath)) return { path: finalPath, version };
  const go = await findGo();
  if (target.name === "kwok") await copyKwokStages(go, target.moduleDir, `${finalPath}.stages.yaml`);

  await mkdir(binDir, { recursive: true });
  // Build beside the final path and rename: an interrupted build never leaves a binary that looks whole.
  const tmpPath = `${finalPath}.partial-${process.pid}-${Date.now()}`;
  const started = Date.now();
  log(
    `kubegen: building ${target.name} ${version} from its Go module (first time only, several minutes on 2 cores); cache: ${binDir}`,
  );
  const heartbeat = setInterval(() => {
    log(`kubegen: still building ${target.name} (${formatElapsed(Date.now() - started)})`);
  }, 30_000);
  try {
    await runGo(
      go,
      ["build", "-trimpath", "-ldflags", target.ldflags(version), "-o", tmpPath, target.pkg],
      target.moduleDir,
    );
    await chmod(tmpPath, 0o755);
    await rename(tmpPath, finalPath);
  } catch (err) {
    await rm(tmpPath, { force: true });
    throw err;
  } finally {
    clearInterval(heartbeat);
  }
  log(`kubegen: built ${target.name} ${version} in ${formatElapsed(Date.now() - started)}`);
  return { path: finalPath, version };
}

/**
 * Copies KWOK's default stages out of its module (downloading it if need be) into one multi-document
 * file. Written before the binary, so a cached binary always has its stages beside it.
 */
async function copyKwokStages(go: string, moduleDir: string, dest: string): Promise<void> {
  const info = JSON.parse(
    await runGo(go, ["mod", "download", "-json", targets.kwok.versionModule], moduleDir),
  );
  const dir = (info as { Dir: string }).Dir;
  const docs = await Promise.all(kwokStageFiles.map((f) => readFile(join(dir, f), "utf8")));
  await mkdir(dirname(dest), { recursive: true });
  const tmp = `${dest}.partial-${process.pid}`;
  await writeFile(tmp, docs.map((d) => d.replace(/^---\n/, "").trimEnd()).join("\n---\n") + "\n");
  await rename(tmp, dest);
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    const s = await stat(path);
    return s.isFile() && (s.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

async function findGo(): Promise<string> {
  if (process.env.GO) return process.env.GO;
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && existsSync(join(dir, "go"))) return join(dir, "go");
  }
  if (existsSync("/usr/local/go/bin/go")) return "/usr/local/go/bin/go";
  throw new Error(
    "kubegen: the Go toolchain was not found (looked at $GO, $PATH and /usr/local/go/bin/go). " +
      "The test control plane is built from source with Go 1.26 or newer: install Go, or point " +
      "KUBEGEN_TEST_KUBECONFIG at an existing cluster instead.",
  );
}

/** Runs go and resolves with its stdout. */
function runGo(go: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(go, args, {
      cwd,
      env: {
        ...process.env,
        CGO_ENABLED: "0",
        GOTOOLCHAIN: "local",
        GOFLAGS: "-buildvcs=false -mod=readonly",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let stdout = "";
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-20_000);
    };
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      collect(chunk);
    });
    child.stderr.on("data", collect);
    child.on("error", (err) => reject(new Error(`kubegen: could not run ${go}: ${err.message}`)));
    child.on("close", (code) => {
      if (code === 0) return resolve(stdout);
      const hint = /proxy|dial tcp|no such host|i\/o timeout|connection refused/i.test(output)
        ? "\nThe Go module proxy looks unreachable: the first build downloads Kubernetes' modules through it (GOPROXY)."
        : "";
      reject(
        new Error(
          `kubegen: go ${args.join(" ")} (in ${cwd}) failed with exit code ${code}:\n${output.trim()}${hint}`,
        ),
      );
    });
  });
}

export function formatElapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}
