/**
 * The layer rules of ARCHITECTURE.md ("Rules the layout enforces"), as a test: every relative
 * import of every source file is checked against the table below, no two files import each
 * other (directly or round a cycle), and the checkers are shown to catch a wrong import and a
 * cycle.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, posix, relative } from "node:path";
import { describe, expect, it } from "vitest";

const repo = join(import.meta.dirname, "../..");

/**
 * Which layers each layer may import (its own always). A layer is a folder, or a file named
 * alone. Packages: `runtime/core` may import none (sans-IO); elsewhere only the ones listed.
 */
const rules: Record<string, { layers: string[]; packages: RegExp }> = {
  "runtime/version.ts": { layers: [], packages: /^$/ },
  "runtime/core": { layers: [], packages: /^$/ },
  "runtime/errors.ts": { layers: ["runtime/core"], packages: /^$/ },
  "runtime/auth": { layers: ["runtime/core", "runtime/errors.ts"], packages: /^node:/ },
  "runtime/config": {
    layers: ["runtime/core", "runtime/errors.ts", "runtime/auth"],
    packages: /^(node:|yaml$)/,
  },
  "runtime/transport": {
    layers: ["runtime/core", "runtime/errors.ts", "runtime/auth", "runtime/config", "runtime/version.ts"],
    packages: /^(node:|undici$)/,
  },
  "runtime/rest": {
    layers: ["runtime/core", "runtime/errors.ts", "runtime/auth", "runtime/config", "runtime/transport"],
    packages: /^(node:|undici$)/,
  },
  "runtime/clients": {
    layers: ["runtime/core", "runtime/errors.ts", "runtime/config", "runtime/transport", "runtime/rest"],
    packages: /^(node:|undici$)/,
  },
  // The controller toolkit (client-go's tools/ and util/): on top of the clients.
  "runtime/tools": {
    layers: ["runtime/core", "runtime/errors.ts", "runtime/config", "runtime/rest", "runtime/clients"],
    packages: /^(node:)/,
  },
  // The fake apiserver behind an undici dispatcher, for users' unit tests: beside the toolkit.
  "runtime/testing": {
    layers: ["runtime/core", "runtime/errors.ts", "runtime/config", "runtime/rest", "runtime/clients"],
    packages: /^(node:|undici$|yaml$)/,
  },
  "runtime/index.ts": { layers: ["runtime"], packages: /^$/ },
  "generator/order.ts": { layers: [], packages: /^$/ },
  "generator/model": { layers: ["generator/order.ts"], packages: /^$/ },
  "generator/files.ts": { layers: ["generator/order.ts"], packages: /^node:/ },
  "generator/load": { layers: ["generator/order.ts", "generator/files.ts"], packages: /^(node:|yaml$)/ },
  "generator/normalize": {
    layers: ["generator/order.ts", "generator/model", "generator/load"],
    packages: /^$/,
  },
  "generator/emit": { layers: ["generator/order.ts", "generator/model"], packages: /^node:path$/ },
  // The package version is the one thing the generator's pure stages take from the runtime.
  "generator/generate.ts": {
    layers: ["generator/order.ts", "generator/model", "generator/emit", "runtime/version.ts"],
    packages: /^$/,
  },
  "generator/write.ts": { layers: ["generator/files.ts"], packages: /^node:/ },
  // The only generator file that touches argv, the disk and the network, and the runtime.
  "generator/cli.ts": { layers: ["generator", "runtime"], packages: /^node:/ },
};

/** The layer a repository path belongs to: the longest rule key that is it or contains it. */
function layerOf(path: string): string | undefined {
  return Object.keys(rules)
    .filter((key) => path === key || path.startsWith(`${key}/`))
    .sort((a, b) => b.length - a.length)[0];
}

/** The imports of one file that break the rules, as readable lines. */
function violations(file: string, specifiers: string[]): string[] {
  const layer = layerOf(file);
  if (!layer) return [`${file}: in no layer of the table`];
  const rule = rules[layer]!;
  const out: string[] = [];
  for (const spec of specifiers) {
    if (!spec.startsWith(".")) {
      if (!rule.packages.test(spec)) out.push(`${file} imports package ${spec}`);
      continue;
    }
    const target = posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, ".ts");
    const targetLayer = layerOf(target);
    const allowed =
      targetLayer === layer ||
      (targetLayer !== undefined &&
        rule.layers.some((l) => targetLayer === l || targetLayer.startsWith(`${l}/`)));
    if (!allowed) out.push(`${file} imports ${target} (${targetLayer ?? "outside every layer"})`);
  }
  return out;
}

/** Each cycle of a graph once, as its files sorted (iterative Tarjan: no recursion on input). */
function cyclesOf(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: [string, number][] = [[start, 0]];
    while (work.length) {
      const frame = work[work.length - 1]!;
      const [node, i] = frame;
      if (i === 0) {
        index.set(node, counter);
        low.set(node, counter++);
        stack.push(node);
        onStack.add(node);
      }
      const next = (graph.get(node) ?? [])[i];
      if (next !== undefined) {
        frame[1]++;
        if (!index.has(next)) work.push([next, 0]);
        else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent[0], Math.min(low.get(parent[0])!, low.get(node)!));
      if (low.get(node) === index.get(node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        if (component.length > 1) cycles.push(component.sort());
      }
    }
  }
  return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** Specifiers of a file's static and dynamic imports and re-exports. */
function specifiersOf(text: string): string[] {
  const found = [
    ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+["']([^"']+)["']/gm),
    ...text.matchAll(/^\s*import\s+["']([^"']+)["']/gm),
    ...text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
  ];
  return found.map((m) => m[1]!);
}

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(repo, dir), { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    out.push(relative(repo, join(entry.parentPath, entry.name)).split("\\").join("/"));
  }
  return out.sort();
}

describe("layer rules", () => {
  for (const root of ["runtime", "generator"]) {
    it(`${root}/ imports only down the table`, async () => {
      const files = (await sourceFiles(root)).filter((f) => !f.startsWith("generator/snapshot/"));
      expect(files.length).toBeGreaterThan(10);
      const broken: string[] = [];
      for (const file of files)
        broken.push(...violations(file, specifiersOf(await readFile(join(repo, file), "utf8"))));
      expect(broken).toEqual([]);
    });
  }

  it("has no import cycles between files", async () => {
    const graph = new Map<string, string[]>();
    for (const root of ["runtime", "generator"]) {
      for (const file of (await sourceFiles(root)).filter((f) => !f.startsWith("generator/snapshot/"))) {
        const text = await readFile(join(repo, file), "utf8");
        graph.set(
          file,
          specifiersOf(text)
            .filter((s) => s.startsWith("."))
            .map((s) => posix.normalize(posix.join(posix.dirname(file), s)).replace(/\.js$/, ".ts")),
        );
      }
    }
    expect(cyclesOf(graph)).toEqual([]);
    // And the check sees a cycle when there is one.
    expect(
      cyclesOf(
        new Map([
          ["a", ["b"]],
          ["b", ["c"]],
          ["c", ["a"]],
          ["d", ["a"]],
        ]),
      ),
    ).toEqual([["a", "b", "c"]]);
  });

  it("catches a wrong import", () => {
    expect(violations("runtime/core/request.ts", ["../transport/dispatcher.js", "undici"])).toEqual([
      "runtime/core/request.ts imports runtime/transport/dispatcher.ts (runtime/transport)",
      "runtime/core/request.ts imports package undici",
    ]);
    expect(violations("generator/emit/module.ts", ["../normalize/names.js"])).toEqual([
      "generator/emit/module.ts imports generator/normalize/names.ts (generator/normalize)",
    ]);
    expect(violations("generator/load/crd.ts", ["../../runtime/index.js"])).toEqual([
      "generator/load/crd.ts imports runtime/index.ts (runtime/index.ts)",
    ]);
    expect(violations("runtime/rest/http-client.ts", ["../clients/api-caller.js"])).toEqual([
      "runtime/rest/http-client.ts imports runtime/clients/api-caller.ts (runtime/clients)",
    ]);
  });

  it("finds imports of every form", () => {
    const text =
      'import { a } from "./a.js";\nimport type { B } from "./b.js";\nexport * as c from "./c.js";\nconst d = await import("./d.js");\nimport "./e.js";\n';
    expect(specifiersOf(text).sort()).toEqual(["./a.js", "./b.js", "./c.js", "./d.js", "./e.js"]);
  });
});
