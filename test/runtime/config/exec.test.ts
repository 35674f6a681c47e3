import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecCredentialSource } from "../../../runtime/auth/exec.js";
import { TokenFileSource } from "../../../runtime/auth/token-file.js";
import type { ExecConfig } from "../../../runtime/config/kubeconfig.js";

const plugin = resolve(import.meta.dirname, "../../fixtures/exec-plugin/credential.mjs");
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubegen-exec-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const exec = (env: Record<string, string>, extra: Partial<ExecConfig> = {}): ExecConfig => ({
  apiVersion: "client.authentication.k8s.io/v1",
  command: plugin,
  interactiveMode: "Never",
  env: Object.entries(env).map(([name, value]) => ({ name, value })),
  ...extra,
});
const runs = async (file: string) =>
  (await readFile(file, "utf8").catch(() => "")).split("\n").filter(Boolean).length;

describe("ExecCredentialSource", () => {
  it("returns the plugin's token, passes KUBERNETES_EXEC_INFO with the cluster, and caches it", async () => {
    const count = join(dir, "count-1");
    const info = join(dir, "info-1");
    const source = new ExecCredentialSource(
      exec(
        { PLUGIN_TOKEN: "tok-1", PLUGIN_COUNT_FILE: count, PLUGIN_INFO_FILE: info },
        { provideClusterInfo: true },
      ),
      { cluster: { server: "https://c.example" } },
    );
    expect(await source.get()).toEqual({ token: "tok-1" });
    expect(await source.get()).toEqual({ token: "tok-1" });
    expect(await runs(count)).toBe(1);
    expect(JSON.parse(await readFile(info, "utf8"))).toEqual({
      apiVersion: "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      spec: { interactive: false, cluster: { server: "https://c.example" } },
    });
  });

  it("runs the plugin again after invalidate() (a 401), and once for concurrent callers", async () => {
    const count = join(dir, "count-2");
    const source = new ExecCredentialSource(exec({ PLUGIN_TOKEN: "t", PLUGIN_COUNT_FILE: count }));
    await Promise.all([source.get(), source.get(), source.get()]);
    expect(await runs(count)).toBe(1);
    source.invalidate();
    await source.get();
    expect(await runs(count)).toBe(2);
  });

  it("runs the plugin again once the credential expired", async () => {
    const count = join(dir, "count-3");
    let now = Date.now();
    const source = new ExecCredentialSource(
      exec({ PLUGIN_TOKEN: "t", PLUGIN_EXPIRES_IN: "60", PLUGIN_COUNT_FILE: count }),
      {
        now: () => now,
      },
    );
    const first = await source.get();
    expect(first.expiresAt).toBeInstanceOf(Date);
    await source.get();
    expect(await runs(count)).toBe(1);
    now += 120_000;
    await source.get();
    expect(await runs(count)).toBe(2);
  });

  it("speaks v1beta1 and returns client certificates", async () => {
    const source = new ExecCredentialSource(
      exec(
        { PLUGIN_API_VERSION: "client.authentication.k8s.io/v1beta1", PLUGIN_MODE: "cert" },
        { apiVersion: "client.authentication.k8s.io/v1beta1" },
      ),
    );
    const creds = await source.get();
    expect(creds.clientCertificate?.cert).toContain("BEGIN CERTIFICATE");
    expect(creds.token).toBeUndefined();
  });

  it("reports a missing executable with its installHint", async () => {
    const source = new ExecCredentialSource({
      ...exec({}),
      command: "kubegen-no-such-plugin",
      installHint: "Install it with: brew install it",
    });
    await expect(source.get()).rejects.toThrow(
      /executable kubegen-no-such-plugin not found\nInstall it with: brew install it/,
    );
  });

  it("reports a non-zero exit with the plugin's stderr", async () => {
    await expect(new ExecCredentialSource(exec({ PLUGIN_MODE: "fail" })).get()).rejects.toThrow(
      /exited with code 3: plugin: the identity provider said no/,
    );
  });

  it("reports output that is not JSON, or of the wrong apiVersion", async () => {
    await expect(new ExecCredentialSource(exec({ PLUGIN_MODE: "garbage" })).get()).rejects.toThrow(
      /not JSON/,
    );
    await expect(
      new ExecCredentialSource(
        exec({
          PLUGIN_TOKEN: "secret-token-value",
          PLUGIN_API_VERSION: "client.authentication.k8s.io/v1beta1",
        }),
      ).get(),
    ).rejects.toThrow(/expected client\.authentication\.k8s\.io\/v1 ExecCredential/);
  });
});

describe("TokenFileSource", () => {
  it("re-reads a rotated token after its cache age or after invalidate(), and keeps the last good one on a failed read", async () => {
    const { writeFile, unlink } = await import("node:fs/promises");
    const path = join(dir, "token");
    await writeFile(path, "one\n");
    let now = 0;
    const source = new TokenFileSource(path, { now: () => now });
    expect(await source.get()).toEqual({ token: "one" });
    await writeFile(path, "two");
    expect(await source.get()).toEqual({ token: "one" });
    now += 60_000;
    expect(await source.get()).toEqual({ token: "two" });
    await writeFile(path, "three");
    source.invalidate();
    expect(await source.get()).toEqual({ token: "three" });
    await unlink(path);
    source.invalidate();
    expect(await source.get()).toEqual({ token: "three" });
    await expect(new TokenFileSource(path).get()).rejects.toThrow(/cannot read token file .*token: ENOENT/);
  });
});
