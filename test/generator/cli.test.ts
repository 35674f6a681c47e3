/**
 * The generator's command line: the committed trees are up to date (`--check`), bad input fails
 * with exit code 1 and a message naming the source, and nothing is written on failure.
 */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../generator/cli.js";

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "kubegen-cli-"));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe("kubegen generate --check", () => {
  it("finds generated/kubernetes up to date with the snapshot", async () => {
    const { code, stderr } = await run("generate", "--check");
    expect(stderr).toContain("is up to date");
    expect(code).toBe(0);
  });

  it("finds the test CRD clientset up to date with its CRDs", async () => {
    const { code, stderr } = await run(
      "generate",
      "--crd",
      "test/fixtures/crds",
      "--out",
      "test/fixtures/generated-crds",
      "--runtime",
      "./runtime/index.ts",
      "--kubernetes",
      "./generated/kubernetes",
      "--check",
    );
    expect(stderr).toContain("is up to date");
    expect(code).toBe(0);
  });

  it("lists what differs when the output is stale", async () => {
    const out = join(tmp, "stale");
    const args = ["generate", "--crd", "test/fixtures/crds", "--out", out];
    expect((await run(...args)).code).toBe(0);
    await writeFile(join(out, "index.ts"), "// edited by hand\n");
    await writeFile(join(out, "extra.ts"), "\n");
    const { code, stderr } = await run(...args, "--check");
    expect(code).toBe(1);
    expect(stderr).toContain("differs: index.ts");
    expect(stderr).toContain("extra:   extra.ts");
  });
});

describe("kubegen generate: bad input", () => {
  it("rejects an unknown flag with exit code 1", async () => {
    const { code, stderr } = await run("generate", "--frobnicate");
    expect(code).toBe(1);
    expect(stderr).toMatch(/Unknown option '--frobnicate'/);
  });

  it("names the file and JSON path of a dangling $ref, and writes nothing", async () => {
    const out = join(tmp, "dangling");
    const { code, stderr } = await run(
      "generate",
      "--openapi",
      "test/fixtures/bad/dangling-ref",
      "--out",
      out,
    );
    expect(code).toBe(1);
    expect(stderr).toContain("test/fixtures/bad/dangling-ref/doc.json");
    expect(stderr).toContain("io.example.v1.Missing");
    expect(stderr).toContain("/components/schemas/io.example.v1.Thing/properties/spec/$ref");
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });

  it("names the CRD and version without a schema", async () => {
    const { code, stderr } = await run(
      "generate",
      "--crd",
      "test/fixtures/bad/no-schema.yaml",
      "--out",
      join(tmp, "x"),
    );
    expect(code).toBe(1);
    expect(stderr).toContain("things.bad.kubegen.dev version v1 has no schema");
    expect(stderr).toContain("test/fixtures/bad/no-schema.yaml");
  });

  it("names the file and line of a YAML error", async () => {
    const { code, stderr } = await run(
      "generate",
      "--crd",
      "test/fixtures/bad/broken.yaml",
      "--out",
      join(tmp, "y"),
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/test\/fixtures\/bad\/broken\.yaml:\d+: YAML error in document 0/);
  });

  it("warns about a document that is not a CRD, naming file and index", async () => {
    const { code, stderr } = await run("generate", "--crd", "test/fixtures/crds", "--out", join(tmp, "z"));
    expect(code).toBe(0);
    expect(stderr).toContain("gizmos.yaml document 1: skipped v1 ConfigMap");
  });

  it("asks for --out when generating from other inputs", async () => {
    const { code, stderr } = await run("generate", "--crd", "test/fixtures/crds");
    expect(code).toBe(1);
    expect(stderr).toContain("--out is required");
  });
});
