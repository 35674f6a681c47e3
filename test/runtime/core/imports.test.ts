/**
 * P1: `runtime/core` is sans-IO. Its files import nothing from the rest of the runtime, no undici,
 * and no Node module that does I/O.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const coreDir = join(import.meta.dirname, "../../../runtime/core");

async function importsOf(file: string): Promise<string[]> {
  const text = await readFile(join(coreDir, file), "utf8");
  return [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+["']([^"']+)["']/gm)].map((m) => m[1]!);
}

describe("runtime/core imports", () => {
  it("reaches only other core modules", async () => {
    const files = (await readdir(coreDir)).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(5);
    const offending: string[] = [];
    for (const file of files) {
      for (const spec of await importsOf(file)) {
        if (!/^\.\/[\w-]+\.js$/.test(spec)) offending.push(`${file} imports ${spec}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it("the check sees a forbidden import when there is one", async () => {
    // Guard against a regex that matches nothing: the HTTP layer does import undici.
    const text = await readFile(join(coreDir, "../rest/http-client.ts"), "utf8");
    expect(
      [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+["']([^"']+)["']/gm)].map((m) => m[1]),
    ).toContain("undici");
  });
});
