/**
 * The generator's command line: the committed trees are up to date (`--check`), bad input fails
 * with exit code 1 and a message naming the source, and nothing is written on failure.
 */

import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../generator/cli.js";
import { readTree } from "../../generator/write.js";

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

  it("imports the runtime and the shared types from local paths when asked, relative to each file", async () => {
    const out = join(tmp, "local");
    const { code } = await run(
      "generate",
      "--crd",
      "test/fixtures/crds/multi-version",
      "--out",
      out,
      "--runtime",
      "./runtime/index.ts",
      "--kubernetes",
      "./generated/kubernetes",
    );
    expect(code).toBe(0);
    const module = await readFile(join(out, "example.kubegen.dev/v1.ts"), "utf8");
    const runtime = relative(join(out, "example.kubegen.dev"), resolve("runtime/index.js"));
    const meta = relative(join(out, "example.kubegen.dev"), resolve("generated/kubernetes/meta/v1.js"));
    expect(module).toContain(`from "${runtime}";`);
    expect(module).toContain(`from "${meta}";`);
    const index = await readFile(join(out, "index.ts"), "utf8");
    expect(index).toContain(`from "${relative(out, resolve("runtime/index.js"))}";`);
  });

  it("does not depend on the path the same CRDs are given by", async () => {
    const out = join(tmp, "by-path");
    expect((await run("generate", "--crd", "test/fixtures/crds/multi-version", "--out", out)).code).toBe(0);
    const absolute = resolve("test/fixtures/crds/multi-version/widgets.yaml");
    const { code, stderr } = await run("generate", "--crd", absolute, "--out", out, "--check");
    expect(stderr).toContain("is up to date");
    expect(code).toBe(0);
    expect((await readFile(join(out, "example.kubegen.dev/v1.ts"), "utf8")).includes("test/fixtures")).toBe(
      false,
    );
  });

  it("lists what differs when the output is stale", async () => {
    const out = join(tmp, "stale");
    const args = ["generate", "--crd", "test/fixtures/crds", "--out", out];
    expect((await run(...args)).code).toBe(0);
    await writeFile(join(out, "index.ts"), "// edited by hand\n");
    await writeFile(join(out, "extra.ts"), "\n");
    // The patch metadata is part of the output, CRD-only output included (empty there).
    await rm(join(out, "patch-meta.ts"));
    const { code, stderr } = await run(...args, "--check");
    expect(code).toBe(1);
    expect(stderr).toContain("differs: index.ts");
    expect(stderr).toContain("extra:   extra.ts");
    expect(stderr).toContain("missing: patch-meta.ts");
  });
});

describe("kubegen generate: no input", () => {
  it("tells a user with --out but no input how to point kubegen at a cluster or CRD files", async () => {
    const { code, stderr } = await run("generate", "--out", join(tmp, "nothing"));
    expect(code).toBe(1);
    expect(stderr).toContain("nothing to generate from: point kubegen at your cluster or at CRD files");
    expect(stderr).toContain("kubegen generate --crd ./crds --out src/k8s");
    for (const flag of ["--kubeconfig", "--context", "--crd", "--openapi", "--out"])
      expect(stderr).toContain(` ${flag} `);
  });

  it("leads its help with a user's own cluster and CRDs", async () => {
    const { code, stdout } = await run("generate", "--help");
    expect(code).toBe(0);
    expect(stdout.split("\n").slice(0, 10).join("\n")).toContain("kubegen generate --context my-cluster");
  });
});

describe("kubegen --version", () => {
  it("prints the package version", async () => {
    const pkg = JSON.parse(await readFile("package.json", "utf8")) as { version: string };
    for (const flag of ["--version", "-v"]) {
      const { code, stdout } = await run(flag);
      expect(code).toBe(0);
      expect(stdout).toBe(`${pkg.version}\n`);
    }
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

describe("kubegen generate: filters", () => {
  it("--include and --exclude select group-versions and resources", async () => {
    const out = join(tmp, "filtered");
    const { code, stderr } = await run(
      "generate",
      "--openapi",
      "generator/snapshot",
      "--out",
      out,
      "--include",
      "apps/v1,core/v1/configmaps",
      "--exclude",
      "apps/v1/controllerrevisions",
    );
    expect(stderr).toContain("2 group-versions, 5 resources");
    expect(code).toBe(0);
    const files = await readTree(out);
    const apps = files.get("apps/v1.ts")!;
    expect(apps).toContain("export const deployments =");
    expect(apps).not.toContain("export const controllerRevisions =");
    // core/v1 serves only configmaps, yet keeps the types apps/v1 refers to.
    const core = files.get("core/v1.ts")!;
    expect(core).toContain("export interface PodTemplateSpec");
    expect(core).toMatch(/defineGroupVersion\(\s*\{ group: "", version: "v1" \},\s*\{ configMaps \},/);
    expect([...files.keys()].filter((p) => p.startsWith("batch/"))).toEqual([]);
  });

  it("rejects a malformed pattern", async () => {
    const { code, stderr } = await run(
      "generate",
      "--crd",
      "test/fixtures/crds",
      "--out",
      join(tmp, "f"),
      "--exclude",
      "a/b/c/d",
    );
    expect(code).toBe(1);
    expect(stderr).toContain('filter "a/b/c/d"');
  });
});

describe("kubegen generate: shared and built-in types", () => {
  const crds = "test/fixtures/crds/builtin-types";

  it("imports built-in types from the package, relative paths when asked, and says what sharing did", async () => {
    expect((await run("generate", "--help")).stdout).toContain("--no-builtin-types");
    const out = join(tmp, "builtin");
    const { code, stderr } = await run(
      "generate",
      "--crd",
      crds,
      "--out",
      out,
      "--kubernetes",
      "./generated/kubernetes",
    );
    expect(code).toBe(0);
    expect(stderr).toMatch(/; CRD types: 24 → 10 after sharing, 3 built-in imports/);
    const module = await readFile(join(out, "builtin-types.kubegen.dev/v1.ts"), "utf8");
    const core = relative(join(out, "builtin-types.kubegen.dev"), resolve("generated/kubernetes/core/v1.js"));
    expect(module).toContain(`import type { Container } from "${core}";`);
    expect(module).toContain("containers: Container[];");
  });

  it("--no-builtin-types declares every CRD object type; sharing still happens", async () => {
    const out = join(tmp, "self-contained");
    const { code, stderr } = await run("generate", "--crd", crds, "--out", out, "--no-builtin-types");
    expect(code).toBe(0);
    expect(stderr).toMatch(/; CRD types: 24 → 22 after sharing, 0 built-in imports/);
    const module = await readFile(join(out, "builtin-types.kubegen.dev/v1.ts"), "utf8");
    expect(module).not.toContain("kubegen/kubernetes/core/v1");
    expect(module).toContain("containers: RunnerSpecTemplateSpecContainers[];");
  });

  it("refers to the output's own built-in modules when it has the OpenAPI model", async () => {
    const out = join(tmp, "with-openapi");
    const { code } = await run(
      "generate",
      "--openapi",
      "generator/snapshot",
      "--crd",
      crds,
      "--include",
      "builtin-types.kubegen.dev",
      "--out",
      out,
    );
    expect(code).toBe(0);
    const files = await readTree(out);
    expect(files.get("builtin-types.kubegen.dev/v1.ts")).toContain(
      'import type { Container } from "../core/v1.js";',
    );
    // core/v1 serves nothing here, yet keeps the types the CRD module refers to.
    expect(files.get("core/v1.ts")).toContain("export interface Container {");
    expect(files.get("core/v1.ts")).not.toContain("defineGroupVersion");
  });
});

describe("kubegen generate: a live cluster (--kubeconfig, --context)", () => {
  let server: Server;
  const seen: { url: string }[] = [];
  beforeAll(async () => {
    const doc = await readFile(
      "test/generator/fixtures/openapi/apis__example.kubegen.dev__v1_openapi.json",
      "utf8",
    );
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? "" });
      res.setHeader("content-type", "application/json");
      if (req.url === "/openapi/v3") {
        res.end(
          JSON.stringify({
            paths: {
              "apis/example.kubegen.dev/v1": {
                serverRelativeURL: "/openapi/v3/apis/example.kubegen.dev/v1?hash=X",
              },
            },
          }),
        );
      } else if (req.url === "/openapi/v3/apis/example.kubegen.dev/v1?hash=X") {
        res.end(doc);
      } else if (req.url?.startsWith("/apis/apiextensions.k8s.io/v1/customresourcedefinitions?")) {
        res.end(JSON.stringify({ items: [], metadata: {} }));
      } else if (req.url === "/api" || req.url === "/apis") {
        // Aggregated discovery: short names and verbs for the document's resources.
        res.setHeader("content-type", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
        const groups =
          req.url === "/api"
            ? []
            : [
                {
                  metadata: { name: "example.kubegen.dev" },
                  versions: [
                    {
                      version: "v1",
                      resources: [
                        {
                          resource: "gadgets",
                          responseKind: { group: "example.kubegen.dev", version: "v1", kind: "Gadget" },
                          scope: "Namespaced",
                          singularResource: "gadget",
                          verbs: ["get", "list", "watch"],
                          shortNames: ["gd"],
                          categories: ["all"],
                        },
                      ],
                    },
                  ],
                },
              ];
        res.end(
          JSON.stringify({
            kind: "APIGroupDiscoveryList",
            apiVersion: "apidiscovery.k8s.io/v2",
            items: groups,
          }),
        );
      } else {
        res.statusCode = 404;
        res.end(
          JSON.stringify({
            kind: "Status",
            apiVersion: "v1",
            status: "Failure",
            reason: "NotFound",
            code: 404,
          }),
        );
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    await writeFile(
      join(tmp, "kubeconfig"),
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "c", cluster: { server: `http://127.0.0.1:${port}` } }],
        users: [{ name: "u", user: { token: "secret-token" } }],
        contexts: [{ name: "fake", context: { cluster: "c", user: "u" } }],
        "current-context": "fake",
      }),
    );
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("fetches the OpenAPI v3 documents of the context's cluster and generates from them", async () => {
    const out = join(tmp, "live");
    const { code, stderr } = await run(
      "generate",
      "--kubeconfig",
      join(tmp, "kubeconfig"),
      "--context",
      "fake",
      "--out",
      out,
    );
    expect(stderr).toContain("fetched 1/1 OpenAPI documents (apis/example.kubegen.dev/v1)");
    expect(code).toBe(0);
    expect(seen.map((s) => s.url).sort()).toEqual([
      "/api",
      "/apis",
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions?limit=250",
      "/openapi/v3",
      "/openapi/v3/apis/example.kubegen.dev/v1?hash=X",
    ]);
    expect(stderr).not.toContain("secret-token");
    const files = await readTree(out);
    const module = files.get("example.kubegen.dev/v1.ts")!;
    expect(module).toContain("export const gadgets =");
    // Verbs, short names and categories as discovery lists them.
    expect(module).toContain('verbs: ["get", "list", "watch"],');
    expect(module).toContain('shortNames: ["gd"],');
    expect(module).toContain('categories: ["all"],');
    expect(files.get("index.ts")).toContain(
      "by kubegen 0.1.0 from the OpenAPI v3 documents of a cluster and CustomResourceDefinitions",
    );
  });

  it("names the context when it does not exist", async () => {
    const { code, stderr } = await run(
      "generate",
      "--kubeconfig",
      join(tmp, "kubeconfig"),
      "--context",
      "nope",
      "--out",
      join(tmp, "n"),
    );
    expect(code).toBe(1);
    expect(stderr).toContain("nope");
  });

  it("names the server when it is unreachable", async () => {
    const { code, stderr } = await run(
      "generate",
      "--openapi",
      "http://127.0.0.1:1",
      "--out",
      join(tmp, "u"),
    );
    expect(code).toBe(1);
    expect(stderr).toContain("http://127.0.0.1:1");
  });
});
