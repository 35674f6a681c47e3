import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConfigFromFlags } from "../../../runtime/config/build-config-from-flags.js";
import { serviceAccountPath } from "../../../runtime/config/in-cluster.js";

const fixtures = resolve(import.meta.dirname, "../../fixtures/kubeconfig");
const merge = (f: string) => join(fixtures, "merge", f);
let base: string;
let savedKubeconfig: string | undefined;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "kubegen-flags-"));
  // A KUBECONFIG that would change every answer, were it read.
  savedKubeconfig = process.env.KUBECONFIG;
  process.env.KUBECONFIG = merge("a.yaml");
});
afterAll(async () => {
  if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = savedKubeconfig;
  await rm(base, { recursive: true, force: true });
});

describe("buildConfigFromFlags", () => {
  it("reads only the explicit path (its current-context), not KUBECONFIG", async () => {
    const config = await buildConfigFromFlags("", merge("b.yaml"));
    expect(config).toMatchObject({ server: "https://only-b.example", namespace: "ns-b" });
    expect(config.auth).toEqual({ type: "basic", username: "from-b", password: "from-b" });
  });

  it("replaces the file's server with masterUrl and keeps its credentials", async () => {
    const config = await buildConfigFromFlags("https://override.example", merge("b.yaml"));
    expect(config.server).toBe("https://override.example");
    expect(config.auth.type).toBe("basic");
  });

  it("with only masterUrl: that server, no credentials, no file read", async () => {
    expect(await buildConfigFromFlags("https://only-server.example", "")).toEqual({
      server: "https://only-server.example",
      namespace: "default",
      tls: {},
      auth: { type: "none" },
    });
  });

  it("with neither: the in-cluster configuration", async () => {
    const root = join(base, "pod");
    await mkdir(join(root, serviceAccountPath), { recursive: true });
    await writeFile(join(root, serviceAccountPath, "token"), "sa-token");
    const config = await buildConfigFromFlags("", "", {
      env: { KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" },
      root,
    });
    expect(config.server).toBe("https://10.0.0.1:443");
    expect(config.auth.type === "source" && (await config.auth.source.get())).toEqual({ token: "sa-token" });
  });

  it("with neither outside a cluster: client-go's no-configuration error", async () => {
    await expect(buildConfigFromFlags("", "", { env: {}, root: base })).rejects.toThrow(
      /^invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable \(/,
    );
  });
});
