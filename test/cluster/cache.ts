/**
 * Where the test control plane's binaries are cached: outside the repository, so a fresh clone on
 * the same machine reuses them. `KUBEGEN_CACHE_DIR` overrides the default of
 * `$XDG_CACHE_HOME/kubegen` (else `~/.cache/kubegen`).
 */
import { homedir } from "node:os";
import { join } from "node:path";

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KUBEGEN_CACHE_DIR) return env.KUBEGEN_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "kubegen");
}
