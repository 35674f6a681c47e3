/**
 * The package as a user gets it: `npm pack` (whose `prepack` step builds `dist/`), then the tarball
 * installed into an empty project with `npm install <tarball>`, offline.
 *
 * Offline means from npm's local cache only (`--offline`): the project's lockfile pins kubegen's
 * dependencies (undici, yaml) and the user's tools (typescript, @types/node) to the versions and
 * integrity hashes of this repository's own package-lock.json, whose `npm ci` put them in the cache.
 * So nothing is fetched, and the test sees the versions CI pins.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const run = promisify(execFile);

/** Runs a command; its output on failure is in the thrown error's message. */
export async function exec(
  file: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number },
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(file, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      timeout: options.timeout ?? 300_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string; code?: unknown };
    throw new Error(
      `${file} ${args.join(" ")} (in ${options.cwd}) failed (${String(e.code)}): ${e.message}\n` +
        `stdout:\n${e.stdout ?? ""}\nstderr:\n${e.stderr ?? ""}`,
    );
  }
}

/** npm's environment for the tests: no update checks, no funding or audit requests. */
export const npmEnv: NodeJS.ProcessEnv = {
  npm_config_update_notifier: "false",
  npm_config_audit: "false",
  npm_config_fund: "false",
  // vitest runs with NODE_ENV=test; npm would then still install devDependencies, but be explicit.
  NODE_ENV: "",
};

/**
 * A lock around `npm pack` in this checkout: its `prepack` empties and rebuilds `dist/`, so two test
 * files packing at once would see each other's half-built tree.
 */
async function withPackLock<T>(fn: () => Promise<T>): Promise<T> {
  const hash = createHash("sha256").update(repoRoot).digest("hex").slice(0, 12);
  const lock = join(tmpdir(), `kubegen-pack-${hash}.lock`);
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, "pid"), String(process.pid));
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== "EEXIST") throw err;
      // A lock left by a process that died is taken over.
      const pid = Number(await readFile(join(lock, "pid"), "utf8").catch(() => "0"));
      const alive =
        pid > 0 &&
        (() => {
          try {
            process.kill(pid, 0);
            return true;
          } catch {
            return false;
          }
        })();
      const age =
        Date.now() -
        (await stat(lock).then(
          (s) => s.mtimeMs,
          () => Date.now(),
        ));
      if ((pid > 0 && !alive) || (pid === 0 && age > 10_000))
        await rm(lock, { recursive: true, force: true });
      else if (Date.now() > deadline)
        throw new Error(`npm pack: ${lock} held by process ${pid} for too long`);
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** `npm pack` of this checkout into `dir`; returns the tarball's path. */
export async function packTarball(dir: string): Promise<string> {
  return withPackLock(async () => {
    const { stdout } = await exec("npm", ["pack", "--json", "--pack-destination", dir], {
      cwd: repoRoot,
      env: npmEnv,
    });
    const [info] = JSON.parse(stdout) as { filename: string }[];
    return join(dir, info!.filename);
  });
}

interface LockEntry {
  version: string;
  integrity: string;
  dev?: boolean;
  [key: string]: unknown;
}

/**
 * An empty ESM project in `dir` with the tarball installed by `npm install --offline <tarball>`,
 * plus typescript and @types/node as a TypeScript user has them.
 */
export async function installTarball(dir: string, tarball: string): Promise<void> {
  const ours = JSON.parse(await readFile(join(repoRoot, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  const pkg = JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  const pinned = (name: string, dev: boolean): [string, LockEntry] => {
    const entry = ours.packages[`node_modules/${name}`];
    if (!entry) throw new Error(`package-lock.json has no ${name}`);
    const { dev: _dev, ...rest } = entry;
    return [`node_modules/${name}`, dev ? { ...rest, dev: true } : rest];
  };
  const tools = ["typescript", "@types/node"];
  const devDependencies = Object.fromEntries(tools.map((t) => [t, pinned(t, true)[1].version]));
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "kubegen-user", private: true, type: "module", devDependencies }, null, 2)}\n`,
  );
  // The lock pins what the tarball's dependencies resolve to, so --offline finds them in the cache.
  const lock = {
    name: "kubegen-user",
    lockfileVersion: 3,
    requires: true,
    packages: {
      "": { name: "kubegen-user", devDependencies },
      ...Object.fromEntries([
        ...Object.keys(pkg.dependencies).map((name) => pinned(name, false)),
        ...tools.map((name) => pinned(name, true)),
        // @types/node's own dependency.
        pinned("undici-types", true),
      ]),
    },
  };
  await writeFile(join(dir, "package-lock.json"), `${JSON.stringify(lock, null, 2)}\n`);
  await exec("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], { cwd: dir, env: npmEnv });
}
