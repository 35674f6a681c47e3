import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  inClusterConfig,
  isInCluster,
  NotInClusterError,
  serviceAccountPath,
} from "../../../runtime/config/in-cluster.js";

const caPem = "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n";
const env = { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" };
let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "kubegen-in-cluster-"));
});
afterAll(() => rm(base, { recursive: true, force: true }));

/** A fake root folder holding the service-account mount with the given files. */
async function podRoot(name: string, files: Record<string, string>): Promise<string> {
  const root = join(base, name);
  const sa = join(root, serviceAccountPath);
  await mkdir(sa, { recursive: true });
  for (const [file, content] of Object.entries(files)) await writeFile(join(sa, file), content);
  return root;
}

describe("inClusterConfig", () => {
  it("builds the config from the service env variables and the service-account mount", async () => {
    const root = await podRoot("full", { token: "sa-token\n", "ca.crt": caPem, namespace: "team-a\n" });
    const config = await inClusterConfig({ env, root });
    expect(config).toMatchObject({
      server: "https://10.96.0.1:443",
      namespace: "team-a",
      tls: { ca: { file: join(root, serviceAccountPath, "ca.crt") } },
    });
    expect(config.auth.type === "source" && (await config.auth.source.get())).toEqual({ token: "sa-token" });
    expect(await isInCluster({ env, root })).toBe(true);
  });

  it("re-reads the rotated token", async () => {
    const root = await podRoot("rotate", { token: "first" });
    const config = await inClusterConfig({ env, root });
    if (config.auth.type !== "source") throw new Error("expected a source");
    await writeFile(join(root, serviceAccountPath, "token"), "second-token");
    config.auth.source.invalidate();
    expect(await config.auth.source.get()).toEqual({ token: "second-token" });
  });

  it("brackets an IPv6 host", async () => {
    const root = await podRoot("ipv6", { token: "t" });
    const config = await inClusterConfig({
      env: { KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "6443" },
      root,
    });
    expect(config.server).toBe("https://[fd00::1]:6443");
  });

  it("takes the namespace from POD_NAMESPACE, else the namespace file, else default", async () => {
    const withFile = await podRoot("ns", { token: "t", namespace: "from-file" });
    expect(
      (await inClusterConfig({ env: { ...env, POD_NAMESPACE: "from-env" }, root: withFile })).namespace,
    ).toBe("from-env");
    expect((await inClusterConfig({ env, root: withFile })).namespace).toBe("from-file");
    const without = await podRoot("no-ns", { token: "t" });
    expect((await inClusterConfig({ env, root: without })).namespace).toBe("default");
  });

  it("skips a CA file that is missing or holds no certificate (system roots are used)", async () => {
    const root = await podRoot("bad-ca", { token: "t", "ca.crt": "garbage" });
    expect((await inClusterConfig({ env, root })).tls).toEqual({});
  });

  it("fails clearly outside a pod, or without a readable token", async () => {
    const root = await podRoot("no-token", {});
    await expect(inClusterConfig({ env: {}, root })).rejects.toThrow(NotInClusterError);
    await expect(inClusterConfig({ env: { KUBERNETES_SERVICE_HOST: "h" }, root })).rejects.toThrow(
      /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined/,
    );
    await expect(inClusterConfig({ env, root })).rejects.toThrow(
      `unable to load in-cluster configuration: cannot read token file ${join(root, serviceAccountPath, "token")}: ENOENT`,
    );
    expect(await isInCluster({ env, root })).toBe(false);
    expect(await isInCluster({ env: {}, root: await podRoot("env-missing", { token: "t" }) })).toBe(false);
  });
});
