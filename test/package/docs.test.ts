/**
 * The API reference (`npm run docs`): TypeDoc over the runtime and the built-in clientset, from
 * their JSDoc, with typedoc.json's validation (broken `{@link}`s, types used but not exported)
 * and every warning an error. Built here into a temporary folder; then the same options on a file
 * with a broken link must fail, so the check cannot quietly be off.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { exec, repoRoot } from "./support/packed.js";

const typedoc = join(repoRoot, "node_modules/.bin/typedoc");
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "kubegen-docs-"));
});
afterAll(() => (tmp ? rm(tmp, { recursive: true, force: true }) : undefined));

it("builds the API reference of the runtime and the built-in clientset with no warning", async () => {
  const out = join(tmp, "api");
  const { stdout } = await exec(typedoc, ["--out", out, "--logLevel", "Warn"], { cwd: repoRoot });
  expect(stdout).toBe("");
  const classes = await readdir(join(out, "classes"));
  for (const page of ["kubegen.HttpClient.html", "kubegen.DynamicClient.html", "kubegen.StatusError.html"])
    expect(classes).toContain(page);
  expect(await readdir(join(out, "modules"))).toContain("generated_kubernetes.appsV1.html");
  // JSDoc examples are carried over.
  const http = await readFile(join(out, "classes", "kubegen.HttpClient.html"), "utf8");
  expect(http).toContain("HttpClient.forConfig");
}, 180_000);

it("fails on a broken {@link}", async () => {
  const dir = join(tmp, "broken");
  await mkdir(dir);
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
      extends: [join(repoRoot, "typedoc.json")],
      entryPoints: ["./index.ts"],
      tsconfig: "./tsconfig.json",
      out: "./out",
      intentionallyNotExported: [],
    }),
  );
  const err = await exec(typedoc, [], { cwd: dir }).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(err?.message).toMatch(/Failed to resolve link to "NoSuchThing"/);
}, 120_000);
