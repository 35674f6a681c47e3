/**
 * Builds kube-apiserver and etcd from their Go modules with the machine's Go toolchain and caches
 * the binaries by version and module checksum. The Kubernetes and etcd versions are pinned in the
 * `go.mod` files under `test/cluster/go/`, and nowhere else.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDir } from "./cache.js";

const goModulesDir = join(dirname(fileURLToPath(import.meta.url)), "go");

export interface ControlPlaneBinaries {
  kubeApiserver: string;
  etcd: string;
  kubernetesVersion: string;
  etcdVersion: string;
}

interface BuildTarget {
  name: "kube-apiserver" | "etcd";
  moduleDir: string;
  /** Module whose version names the binary. */
  versionModule: string;
  /** Package to build. */
  pkg: string;
  ldflags: (version: string) => string;
}

const targets: BuildTarget[] = [
  {
    name: "kube-apiserver",
    moduleDir: join(goModulesDir, "kube-apiserver"),
    versionModule: "k8s.io/kubernetes",
    pkg: "k8s.io/kubernetes/cmd/kube-apiserver",
    // Stamp the version so /version reports the release rather than v0.0.0-master.
    ldflags: (v) => {
      const [major, minor] = v.replace(/^v/, "").split(".");
      const pkg = "k8s.io/component-base/version";
      return `-s -w -X ${pkg}.gitVersion=${v} -X ${pkg}.gitMajor=${major} -X ${pkg}.gitMinor=${minor} -X ${pkg}.gitTreeState=clean`;
    },
  },
  {
    name: "etcd",
    moduleDir: join(goModulesDir, "etcd"),
    versionModule: "go.etcd.io/etcd/server/v3",
    pkg: "go.etcd.io/etcd/server/v3",
    ldflags: () => "-s -w",
  },
];

export type Log = (line: string) => void;

/** Returns the cached binaries, building the missing ones first. */
export async function ensureBinaries(
  log: Log = (l) => process.stderr.write(`${l}\n`),
): Promise<ControlPlaneBinaries> {
  const paths: Record<string, { path: string; version: string }> = {};
  for (const target of targets) {
    paths[target.name] = await ensureBinary(target, log);
  }
  const apiserver = paths["kube-apiserver"]!;
  const etcd = paths.etcd!;
  return {
    kubeApiserver: apiserver.path,
    etcd: etcd.path,
    kubernetesVersion: apiserver.version,
    etcdVersion: etcd.version,
  };
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

async function ensureBinary(target: BuildTarget, log: Log): Promise<{ path: string; version: string }> {
  const version = await pinnedVersion(target.moduleDir, target.versionModule);
  const hash = createHash("sha256");
  hash.update(await readFile(join(target.moduleDir, "go.mod")));
  hash.update(await readFile(join(target.moduleDir, "go.sum")));
  hash.update(target.ldflags(version));
  const key = hash.digest("hex").slice(0, 12);
  const binDir = join(cacheDir(), "bin");
  const finalPath = join(binDir, `${target.name}-${version}-${key}`);
  if (await isExecutable(finalPath)) return { path: finalPath, version };

  const go = await findGo();
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

function runGo(go: string, args: string[], cwd: string): Promise<void> {
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
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-20_000);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", (err) => reject(new Error(`kubegen: could not run ${go}: ${err.message}`)));
    child.on("close", (code) => {
      if (code === 0) return resolve();
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
