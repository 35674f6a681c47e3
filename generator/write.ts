/**
 * Writes a generated tree all at once: everything goes to a temporary folder beside the target,
 * which then replaces the target by rename. An interrupted run leaves the old tree whole.
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { filesUnder } from "./files.js";

/**
 * Throws unless every path of the tree is a plain relative path that stays inside `root`: no
 * absolute paths, no `..` segments, no empty or `.` segments, no backslashes or NUL. Checked before
 * anything is written, whatever the generator before it let through.
 */
export function checkTreePaths(root: string, files: ReadonlyMap<string, string>): void {
  const base = resolve(root);
  for (const path of files.keys()) {
    const segments = path.split("/");
    const plain =
      path.length > 0 &&
      !isAbsolute(path) &&
      !/[\\\0]/.test(path) &&
      segments.every((s) => s !== "" && s !== "." && s !== "..");
    const rel = relative(base, resolve(base, path));
    if (!plain || rel.startsWith("..") || isAbsolute(rel)) {
      throw new Error(`refusing to write ${JSON.stringify(path)}: it would not lie inside ${root}`);
    }
  }
}

/**
 * Writes `files` (relative path → contents) as the whole of `target`: into a temporary folder
 * beside it first, then swapped in by rename. On failure nothing of the new tree remains.
 *
 * @example
 * await writeTreeAtomically("generated/kubernetes", generate(model, options));
 */
export async function writeTreeAtomically(target: string, files: ReadonlyMap<string, string>): Promise<void> {
  checkTreePaths(target, files);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const staging = join(parent, `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
  const old = join(parent, `.${basename(target)}.old-${process.pid}-${Date.now()}`);
  try {
    for (const [path, contents] of files) {
      const file = join(staging, path);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, contents);
    }
    await mkdir(staging, { recursive: true });
    let hadOld = true;
    await rename(target, old).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT") throw err;
      hadOld = false;
    });
    await rename(staging, target);
    if (hadOld) await rm(old, { recursive: true, force: true });
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

/** Every file under `root`, as relative path → contents (missing root: empty). */
export async function readTree(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const file of await filesUnder(root, /./, true)) {
    files.set(relative(root, file).split(sep).join("/"), await readFile(file, "utf8"));
  }
  return files;
}

/** Paths that differ between two trees: changed, missing on disk, or extra on disk. */
export function diffTrees(
  wanted: ReadonlyMap<string, string>,
  actual: ReadonlyMap<string, string>,
): string[] {
  const out: string[] = [];
  for (const [path, contents] of wanted) {
    if (!actual.has(path)) out.push(`missing: ${path}`);
    else if (actual.get(path) !== contents) out.push(`differs: ${path}`);
  }
  for (const path of actual.keys()) if (!wanted.has(path)) out.push(`extra:   ${path}`);
  return out.sort();
}
