/**
 * The one folder walker of the generator: the input loaders and `--check` read folders through it.
 */
import { readdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { compareStrings } from "./order.js";

/**
 * The files `path` names: itself when it is a file, else every file under it whose name matches
 * `wanted`, sorted. A missing path is an error with `code: "ENOENT"` naming it; `missingOk` makes
 * it an empty list instead.
 */
export async function filesUnder(path: string, wanted: RegExp, missingOk = false): Promise<string[]> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT" && missingOk) return undefined;
    const message = err.code === "ENOENT" ? "no such file or folder" : err.message;
    throw Object.assign(new Error(`${path}: ${message}`), { code: err.code });
  });
  if (!info) return [];
  if (info.isFile()) return [path];
  const entries = await readdir(path, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && wanted.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort((a, b) => compareStrings(relative(path, a), relative(path, b)));
}
