/**
 * `kubegen generate --kubeconfig --context` against the real apiserver with some of our own CRDs
 * installed: the CRD group-versions come from the CustomResourceDefinition objects (as from YAML),
 * the rest from `/openapi/v3` and discovery; generate, and compile under `--strict`.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { main } from "../../generator/cli.js";
import { readTree } from "../../generator/write.js";
import { compileDiagnostics } from "../generator/support/compile.js";
import { adminClient, installCrd, testCluster } from "../support/cluster.js";

const fixtures = ["multi-version/widgets.yaml", "mixed-case/dnsrecords.yaml", "int-or-string/ports.yaml"];
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "kubegen-live-"));
  const raw = await adminClient();
  try {
    for (const file of fixtures) {
      const text = await readFile(new URL(`../fixtures/crds/${file}`, import.meta.url), "utf8");
      await installCrd(raw, parseAllDocuments(text)[0]!.toJS());
    }
  } finally {
    await raw.close();
  }
}, 180_000);
afterAll(() => rm(tmp, { recursive: true, force: true }));

it("generates typed modules for the served CRDs from the live cluster", async () => {
  const cluster = testCluster();
  let stderr = "";
  const out = join(tmp, "out");
  const code = await main(
    [
      "generate",
      "--kubeconfig",
      cluster.kubeconfig,
      "--context",
      cluster.contexts.admin,
      "--include",
      "example.kubegen.dev,mixed-case.kubegen.dev,int-or-string.kubegen.dev",
      "--out",
      out,
    ],
    {
      stdout: () => {},
      stderr: (t) => {
        stderr += t;
      },
    },
  );
  expect(stderr).toMatch(/fetched \d+\/\d+ OpenAPI documents/);
  expect(stderr).toMatch(/read \d+ CustomResourceDefinitions/);
  expect(code, stderr).toBe(0);
  expect(stderr).toContain("4 group-versions");
  const files = await readTree(out);
  const widgets = files.get("example.kubegen.dev/v1.ts")!;
  // A live apiserver sends enums: the Widget's size is a union of literals.
  expect(widgets).toContain('size: "small" | "medium" | "large";');
  expect(widgets).toMatch(
    /export const widgets = \/\*@__PURE__\*\/ defineResource<Widget, WidgetList>\(\)\(\{/,
  );
  expect(widgets).toContain('subresources: ["scale", "status"],');
  expect(files.get("example.kubegen.dev/v1beta1.ts")).toContain("export const widgets =");
  expect(files.get("mixed-case.kubegen.dev/v1.ts")).toContain("export const dnsRecords =");
  expect(files.get("int-or-string.kubegen.dev/v1.ts")).toContain("target: number | string;");
  expect(files.get("index.ts")).toMatch(
    /export const Clientset: ClientsetClass<\{[\s\S]*\}> = \/\*@__PURE__\*\/ defineClientset\(\{/,
  );
  expect(compileDiagnostics({ live: files })).toEqual([]);
}, 180_000);
