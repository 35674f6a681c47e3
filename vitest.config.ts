import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Two projects: `unit` needs nothing but Node (local HTTP servers at most); `e2e` gets a real
// kube-apiserver from the globalSetup. `npx vitest run --project unit` skips starting the cluster.
// The tests of the installed package that need the apiserver are `*.e2e.test.ts` beside the others:
// test/package/ (the tarball) and test/runtimes/ (the compatibility suite on each runtime).
export default defineConfig({
  resolve: {
    // The package's own names, as users import them (see tsconfig.json "paths").
    alias: [
      { find: /^kubegen\/kubernetes$/, replacement: here("./generated/kubernetes/index.ts") },
      { find: /^kubegen\/kubernetes\/(.*)$/, replacement: `${here("./generated/kubernetes/")}$1` },
      { find: /^kubegen$/, replacement: here("./runtime/index.ts") },
    ],
  },
  test: {
    testTimeout: 30_000,
    // Every request logged at the highest level, and all output scanned for the suite's secrets.
    env: { KUBEGEN_LOG_LEVEL: "9" },
    setupFiles: ["test/support/secret-scan.ts"],
    hookTimeout: 60_000,
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/e2e/**", "**/*.e2e.test.ts", "**/node_modules/**"],
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: [
            "test/e2e/**/*.test.ts",
            "test/package/**/*.e2e.test.ts",
            "test/runtimes/**/*.e2e.test.ts",
          ],
          globalSetup: ["test/cluster/global-setup.ts"],
        },
      },
    ],
  },
});
