import { defineConfig } from "vitest/config";

// Two projects: `unit` needs nothing but Node (local HTTP servers at most); `e2e` gets a real
// kube-apiserver from the globalSetup. `npx vitest run --project unit` skips starting the cluster.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/e2e/**", "**/node_modules/**"],
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/cluster/global-setup.ts"],
        },
      },
    ],
  },
});
