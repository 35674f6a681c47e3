/**
 * The package as users get it (issue 15): `npm pack` (its `prepack` builds `dist/`), the tarball
 * installed into an empty project, the package linters (publint, arethetypeswrong) on what was
 * installed and packed, the `kubegen` command from `node_modules/.bin` (`--version`, `generate`
 * with no input, `generate --crd` from a fixture CRD), a program using the built-in clientset and
 * the generated CRD clients type-checked with `skipLibCheck: false` under `moduleResolution`
 * `nodenext` and `bundler`, and that program run against the real apiserver.
 *
 * In the `e2e` project (it needs the apiserver); `npx vitest run test/package/install.e2e.test.ts`.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installCrdFile, testCluster } from "../support/cluster.js";
import { exec, installTarball, npmEnv, packTarball, repoRoot } from "./support/packed.js";

const crdFile = new URL(
  "../../../shared/fixtures/crds/cert-manager/cert-manager.io_issuers.yaml",
  import.meta.url,
);
const bin = (dir: string, name: string) => join(dir, "node_modules", ".bin", name);

let tmp: string;
let tarball: string;
let project: string;
let version: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "kubegen-install-"));
  version = (JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8")) as { version: string })
    .version;
  tarball = await packTarball(tmp);
  project = join(tmp, "project");
  await installTarball(project, tarball);
}, 600_000);

afterAll(() => (tmp ? rm(tmp, { recursive: true, force: true }) : undefined));

/** `npx kubegen ...` in the project: never installs or fetches anything (`--no --offline`). */
const kubegen = (...args: string[]) =>
  exec("npx", ["--no", "--offline", "kubegen", ...args], { cwd: project, env: npmEnv });

describe("the tarball", () => {
  it("holds the built runtime, built-in clientset and generator, and no sources", async () => {
    const { stdout } = await exec("tar", ["-tzf", tarball], { cwd: tmp });
    const files = stdout.split("\n").filter(Boolean);
    for (const file of [
      "package/package.json",
      "package/README.md",
      "package/LICENSE",
      "package/bin/kubegen.js",
      "package/dist/runtime/index.js",
      "package/dist/runtime/index.d.ts",
      "package/dist/generated/kubernetes/index.js",
      "package/dist/generated/kubernetes/index.d.ts",
      "package/dist/generated/kubernetes/apps/v1.js",
      "package/dist/generated/kubernetes/apps/v1.d.ts",
      "package/dist/generator/cli.js",
      "package/dist/generator/builtin-types.json",
    ])
      expect(files).toContain(file);
    // Declarations only: no TypeScript sources, tests, snapshots or maps.
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
    expect(files.filter((f) => /^package\/(test|generator|runtime|templates|examples)\//.test(f))).toEqual(
      [],
    );
    expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
  });

  it("passes publint (strict) as installed, and arethetypeswrong (ESM only) as packed", async () => {
    const installed = join(project, "node_modules", "kubegen");
    const publint = await exec(bin(repoRoot, "publint"), [installed, "--pack", "false", "--strict"], {
      cwd: repoRoot,
    });
    expect(publint.stdout).toContain("All good!");
    // ESM only: node10 and require() from CommonJS are not offered, so that profile ignores them.
    const attw = await exec(
      bin(repoRoot, "attw"),
      [
        tarball,
        "--profile",
        "esm-only",
        "--format",
        "json",
        "--include-entrypoints",
        "./kubernetes/apps/v1",
        "./kubernetes/core/v1",
        "./kubernetes/meta/v1",
      ],
      { cwd: repoRoot },
    );
    type Resolution = { resolution?: { fileName: string } };
    const report = JSON.parse(attw.stdout) as {
      analysis: { entrypoints: Record<string, { resolutions: Record<string, Resolution> }> };
      problems?: Record<string, { entrypoint: string; resolutionKind: string }[]>;
    };
    const { entrypoints } = report.analysis;
    for (const [entrypoint, declaration] of [
      [".", "runtime/index.d.ts"],
      ["./kubernetes", "generated/kubernetes/index.d.ts"],
      ["./kubernetes/apps/v1", "generated/kubernetes/apps/v1.d.ts"],
      ["./kubernetes/core/v1", "generated/kubernetes/core/v1.d.ts"],
      ["./kubernetes/meta/v1", "generated/kubernetes/meta/v1.d.ts"],
    ] as const) {
      for (const kind of ["node16-esm", "bundler"])
        expect(entrypoints[entrypoint]?.resolutions[kind]?.resolution?.fileName).toBe(
          `/node_modules/kubegen/dist/${declaration}`,
        );
    }
    // Problems are listed for the resolutions the profile ignores (node10, require() from
    // CommonJS), and only for those.
    const problems = Object.values(report.problems ?? {}).flat();
    expect(problems.filter((p) => !["node10", "node16-cjs"].includes(p.resolutionKind))).toEqual([]);
  });
});

describe("the kubegen command, installed", () => {
  it("prints its version", async () => {
    const { stdout } = await kubegen("--version");
    expect(stdout).toBe(`${version}\n`);
  });

  it("explains the inputs when given none", async () => {
    const err = await kubegen("generate").then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toContain("failed (1)");
    expect(err?.message).toContain("nothing to generate from");
    for (const flag of ["--kubeconfig", "--context", "--crd", "--openapi", "--out"])
      expect(err?.message).toContain(` ${flag} `);
    expect(err?.message).toContain("kubegen generate --help");
  });

  it("generates CRD clients, and a program using them type-checks and runs against the apiserver", async () => {
    const { stderr } = await kubegen("generate", "--crd", crdFile.pathname, "--out", "src/k8s");
    expect(stderr).toContain("1 group-versions, 1 resources");
    expect((await readdir(join(project, "src", "k8s"))).sort()).toEqual([
      "cert-manager.io",
      "fake.ts",
      "index.ts",
      "patch-meta.ts",
    ]);
    await writeFile(join(project, "src", "main.ts"), program);

    // The user's compiler settings, declarations of kubegen and its dependencies checked too.
    const strict = { target: "ES2022", strict: true, skipLibCheck: false, types: ["node"] };
    await writeFile(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          ...strict,
          module: "NodeNext",
          moduleResolution: "NodeNext",
          outDir: "dist",
          rootDir: "src",
        },
        include: ["src"],
      }),
    );
    await writeFile(
      join(project, "tsconfig.bundler.json"),
      JSON.stringify({
        compilerOptions: { ...strict, module: "Preserve", moduleResolution: "Bundler", noEmit: true },
        include: ["src"],
      }),
    );
    await exec(bin(project, "tsc"), ["-p", "tsconfig.bundler.json"], { cwd: project });
    await exec(bin(project, "tsc"), ["-p", "tsconfig.json"], { cwd: project });

    await installCrdFile(crdFile);
    const cluster = testCluster();
    const namespace = `kubegen-pkg-${randomBytes(3).toString("hex")}`;
    const { stdout } = await exec(
      "node",
      ["dist/main.js", cluster.kubeconfig, cluster.contexts.admin, namespace],
      {
        cwd: project,
        env: { KUBEGEN_LOG_LEVEL: "" },
      },
    );
    const result = JSON.parse(stdout) as Record<string, unknown>;
    expect(result).toEqual({
      namespace,
      created: expect.stringMatching(/^[0-9a-f-]{36}$/),
      got: result.created,
      selfSigned: {},
      listed: ["self-signed"],
      notFound: true,
    });
  }, 240_000);
});

/** The user's program: the runtime, the built-in clientset and the CRD clients just generated. */
const program = `import { isNotFound, loadKubeconfig, StatusError } from "kubegen";
import { Clientset } from "kubegen/kubernetes";
import type { Namespace } from "kubegen/kubernetes/core/v1";
import { Issuer } from "./k8s/cert-manager.io/v1.js";
import { CrdClientset } from "./k8s/index.js";

const [path, context, namespace] = process.argv.slice(2);
const clientset = Clientset.forConfig(await loadKubeconfig({ path, context: context || undefined }));
const crds = new CrdClientset(clientset.http);
const ns: Namespace = await clientset.coreV1.namespaces().create({ metadata: { name: namespace } });
const issuers = crds.certManagerV1.issuers(namespace!);
const created = await issuers.create(Issuer({ metadata: { name: "self-signed" }, spec: { selfSigned: {} } }));
const got = await issuers.get("self-signed");
const list = await issuers.list();
let notFound = false;
try {
  await issuers.get("missing");
} catch (err) {
  notFound = isNotFound(err) && err instanceof StatusError;
}
await clientset.coreV1.namespaces().delete(namespace!);
await clientset.close();
console.log(
  JSON.stringify({
    namespace: ns.metadata?.name,
    created: created.metadata?.uid,
    got: got.metadata?.uid,
    selfSigned: got.spec?.selfSigned,
    listed: list.items.map((i) => i.metadata?.name),
    notFound,
  }),
);
`;
