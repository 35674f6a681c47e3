/**
 * The API reference's check (`npm run docs`, which `npm test` runs): typedoc.config.mjs makes every
 * warning an error. Here the same options on a file with a broken `{@link}` must fail, so the link
 * check cannot quietly be off.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { exec, repoRoot } from "./support/packed.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubegen-docs-"));
});
afterAll(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

it("fails the API reference on a broken {@link}", async () => {
  await writeFile(join(dir, "index.ts"), "/** Like {@link NoSuchThing}. */\nexport const value = 1;\n");
  await writeFile(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { module: "NodeNext", strict: true, types: [] },
      include: ["index.ts"],
    }),
  );
  // The repository's options, with this file as the only entry point.
  await writeFile(
    join(dir, "typedoc.json"),
    JSON.stringify({
      extends: [join(repoRoot, "typedoc.config.mjs")],
      entryPoints: ["./index.ts"],
      tsconfig: "./tsconfig.json",
      out: "./out",
      intentionallyNotExported: [],
    }),
  );
  const err = await exec(join(repoRoot, "node_modules/.bin/typedoc"), [], { cwd: dir }).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(err?.message).toMatch(/Failed to resolve link to "NoSuchThing"/);
  expect(err?.message).toContain("Found 0 errors and 1 warnings");
}, 120_000);
