import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecCredentialSource, type ExecPluginConfig, ExecPluginError } from "../../../runtime/auth/exec.js";

const run = promisify(execFile);
const plugin = resolve(import.meta.dirname, "../../fixtures/exec-plugin/credential.mjs");
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubegen-exec-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let n = 0;
/** A fresh file name in the temp folder. */
const tmp = (name: string) => join(dir, `${name}-${++n}`);
const runs = async (file: string) =>
  (await readFile(file, "utf8").catch(() => "")).split("\n").filter(Boolean).length;

function config(env: Record<string, string>, extra: Partial<ExecPluginConfig> = {}): ExecPluginConfig {
  return {
    apiVersion: "client.authentication.k8s.io/v1",
    command: plugin,
    interactiveMode: "Never",
    env: Object.entries(env).map(([name, value]) => ({ name, value })),
    ...extra,
  };
}

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e as Error,
  );

describe("ExecCredentialSource: results", () => {
  it("returns the token, passes args and env, and caches it without an expiry", async () => {
    const count = tmp("count");
    const args = tmp("args");
    const source = new ExecCredentialSource(
      config(
        { PLUGIN_TOKEN: "tok-1", PLUGIN_COUNT_FILE: count, PLUGIN_ARGS_FILE: args },
        { args: ["token", "--x"] },
      ),
    );
    expect(await source.get()).toEqual({ token: "tok-1" });
    expect(await source.get()).toEqual({ token: "tok-1" });
    expect(await runs(count)).toBe(1);
    expect(JSON.parse(await readFile(args, "utf8"))).toEqual(["token", "--x"]);
    expect(source.description).toBe(`exec plugin ${JSON.stringify(plugin)}`);
  });

  it("returns a client certificate and key", async () => {
    const source = new ExecCredentialSource(config({}, { args: ["cert"] }));
    const credentials = await source.get();
    expect(credentials.token).toBeUndefined();
    expect(credentials.clientCertificate?.cert).toContain("BEGIN CERTIFICATE");
    expect(credentials.clientCertificate?.key).toContain("BEGIN PRIVATE KEY");
  });

  it("speaks client.authentication.k8s.io/v1beta1, whose interactiveMode defaults to IfAvailable", async () => {
    const info = tmp("info");
    const source = new ExecCredentialSource(
      config(
        { PLUGIN_TOKEN: "beta", PLUGIN_INFO_FILE: info },
        { apiVersion: "client.authentication.k8s.io/v1beta1", interactiveMode: undefined },
      ),
      { stdinIsTTY: false },
    );
    expect(await source.get()).toEqual({ token: "beta" });
    expect(JSON.parse(await readFile(info, "utf8"))).toEqual({
      apiVersion: "client.authentication.k8s.io/v1beta1",
      kind: "ExecCredential",
      spec: { interactive: false },
    });
  });

  it("sets KUBERNETES_EXEC_INFO with spec.cluster only when provideClusterInfo is set", async () => {
    const cluster = {
      server: "https://c.example:6443",
      "certificate-authority-data": Buffer.from("-----BEGIN CERTIFICATE-----").toString("base64"),
      config: { audience: "kubegen" },
    };
    const withInfo = tmp("info");
    await new ExecCredentialSource(
      config({ PLUGIN_TOKEN: "t", PLUGIN_INFO_FILE: withInfo }, { provideClusterInfo: true }),
      {
        cluster,
      },
    ).get();
    expect(JSON.parse(await readFile(withInfo, "utf8"))).toEqual({
      apiVersion: "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      spec: { interactive: false, cluster },
    });
    const without = tmp("info");
    await new ExecCredentialSource(config({ PLUGIN_TOKEN: "t", PLUGIN_INFO_FILE: without }), {
      cluster,
    }).get();
    expect(JSON.parse(await readFile(without, "utf8")).spec).toEqual({ interactive: false });
  });

  it("is interactive with IfAvailable on a terminal, never with Never, and Always needs a terminal", async () => {
    const info = tmp("info");
    const ifAvailable = new ExecCredentialSource(
      config({ PLUGIN_TOKEN: "t", PLUGIN_INFO_FILE: info }, { interactiveMode: "IfAvailable" }),
      { stdinIsTTY: true },
    );
    await ifAvailable.get();
    expect(JSON.parse(await readFile(info, "utf8")).spec.interactive).toBe(true);
    const never = tmp("info");
    await new ExecCredentialSource(config({ PLUGIN_TOKEN: "t", PLUGIN_INFO_FILE: never }), {
      stdinIsTTY: true,
    }).get();
    expect(JSON.parse(await readFile(never, "utf8")).spec.interactive).toBe(false);
    const always = new ExecCredentialSource(config({ PLUGIN_TOKEN: "t" }, { interactiveMode: "Always" }), {
      stdinIsTTY: false,
    });
    await expect(always.get()).rejects.toThrow(/interactiveMode is Always, but stdin is not a terminal/);
  });
});

describe("ExecCredentialSource: caching and refresh", () => {
  it("runs the plugin again once the credential has expired (strictly after expirationTimestamp)", async () => {
    const count = tmp("count");
    let offset = 0;
    const source = new ExecCredentialSource(
      config({ PLUGIN_TOKEN: "t", PLUGIN_EXPIRES_IN: "60", PLUGIN_COUNT_FILE: count }),
      { now: () => Date.now() + offset },
    );
    const first = await source.get();
    expect(first.expiresAt).toBeInstanceOf(Date);
    offset = 30_000;
    await source.get();
    expect(await runs(count)).toBe(1);
    offset = 61_000;
    await source.get();
    expect(await runs(count)).toBe(2);
  });

  it("runs the plugin again after invalidate() (a 401), once for concurrent callers", async () => {
    const count = tmp("count");
    const source = new ExecCredentialSource(
      config({ PLUGIN_TOKEN: "t", PLUGIN_COUNT_FILE: count }, { args: ["slow"] }),
    );
    const all = await Promise.all([source.get(), source.get(), source.get()]);
    expect(all).toEqual([{ token: "t" }, { token: "t" }, { token: "t" }]);
    expect(await runs(count)).toBe(1);
    await source.get();
    expect(await runs(count)).toBe(1);
    source.invalidate();
    await Promise.all([source.get(), source.get()]);
    expect(await runs(count)).toBe(2);
  });

  it("rejects an aborted caller only; the shared run still serves the others", async () => {
    const source = new ExecCredentialSource(config({ PLUGIN_TOKEN: "t" }, { args: ["slow"] }));
    const controller = new AbortController();
    const aborted = source.get(controller.signal);
    const other = source.get();
    controller.abort(new Error("caller gave up"));
    await expect(aborted).rejects.toThrow("caller gave up");
    expect(await other).toEqual({ token: "t" });
  });
});

describe("ExecCredentialSource: errors name the plugin and never the credential", () => {
  it("a command that is not on PATH shows its installHint (without ANSI escapes)", async () => {
    const source = new ExecCredentialSource(
      {
        ...config({}),
        command: "kubegen-no-such-plugin",
        installHint: "\u001b[1mbrew install kubegen-plugin\u001b[0m\n",
      },
      { env: { PATH: dir } },
    );
    const err = await errorOf(source.get());
    expect(err).toBeInstanceOf(ExecPluginError);
    expect(err.message).toBe(
      'exec plugin "kubegen-no-such-plugin": executable kubegen-no-such-plugin was not found on PATH\n\nbrew install kubegen-plugin',
    );
  });

  it("a path that does not exist says so", async () => {
    const missing = join(dir, "bin", "nothing");
    const err = await errorOf(new ExecCredentialSource({ ...config({}), command: missing }).get());
    expect(err.message).toContain(`executable ${missing} does not exist`);
  });

  it("a non-zero exit shows the exit code; its stderr goes to stderr, never into the error", async () => {
    const stderr = new PassThrough();
    let said = "";
    stderr.on("data", (chunk: Buffer) => {
      said += chunk.toString();
    });
    const err = await errorOf(
      new ExecCredentialSource(config({ PLUGIN_TOKEN: "s3cr3t" }, { args: ["fail"] }), { stderr }).get(),
    );
    expect(err.message).toBe(
      `exec plugin ${JSON.stringify(plugin)} exited with code 3 (its messages went to stderr)`,
    );
    expect((err as ExecPluginError).code).toBe("EEXIT");
    expect(said).toBe("  plugin: the identity provider said no to s3cr3t\n\n");
  });

  it("by default hands the plugin this process's own stderr, as client-go", async () => {
    // A child process, so that its stderr (fd 2, inherited by the plugin) can be read.
    const script = [
      `import { ExecCredentialSource } from ${JSON.stringify(resolve(import.meta.dirname, "../../../runtime/auth/exec.ts"))};`,
      "const source = new ExecCredentialSource({",
      '  apiVersion: "client.authentication.k8s.io/v1", interactiveMode: "Never",',
      `  command: ${JSON.stringify(plugin)}, args: ["fail"],`,
      "});",
      "await source.get().catch((e) => process.stdout.write(e.message));",
    ].join("\n");
    const file = `${tmp("stderr")}.mts`;
    await writeFile(file, script);
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", file], {
      env: { ...process.env, PLUGIN_TOKEN: "t0k" },
    });
    expect(stdout).toBe(
      `exec plugin ${JSON.stringify(plugin)} exited with code 3 (its messages went to stderr)`,
    );
    expect(stderr).toBe("  plugin: the identity provider said no to t0k\n\n");
  });

  it("a timeout kills the plugin and is reported as a timeout", async () => {
    const pidFile = tmp("pid");
    const started = Date.now();
    // Long enough for the plugin (a node process) to start and write its pid on a loaded machine.
    const source = new ExecCredentialSource(config({ PLUGIN_PID_FILE: pidFile }, { args: ["hang"] }), {
      timeout: 2000,
    });
    const err = await errorOf(source.get());
    expect(err).toBeInstanceOf(ExecPluginError);
    expect((err as ExecPluginError).code).toBe("ETIMEOUT");
    expect(err.message).toBe(`exec plugin ${JSON.stringify(plugin)} timed out after 2000 ms and was stopped`);
    expect(Date.now() - started).toBeLessThan(10_000);
    const pid = Number(await readFile(pidFile, "utf8"));
    expect(pid).toBeGreaterThan(0);
    // Gone within a moment: kill(pid, 0) fails once the process no longer exists.
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 150 && alive(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive()).toBe(false);
  });

  it("output that is not JSON is reported without quoting it", async () => {
    const err = await errorOf(new ExecCredentialSource(config({}, { args: ["garbage"] })).get());
    expect(err.message).toMatch(/its output is not valid JSON/);
    expect(err.message).not.toContain("this is not json");
  });

  it("a wrong kind or apiVersion is rejected without echoing the output", async () => {
    const kind = await errorOf(
      new ExecCredentialSource(
        config({ PLUGIN_TOKEN: "s3cr3t", PLUGIN_KIND: "s3cr3t-kind" }, { args: ["wrong-kind"] }),
      ).get(),
    );
    expect(kind.message).toBe(
      `exec plugin ${JSON.stringify(plugin)}: its output is not an ExecCredential (wrong kind)`,
    );
    expect((kind as ExecPluginError).code).toBe("EOUTPUT");
    const version = await errorOf(
      new ExecCredentialSource(
        config({ PLUGIN_TOKEN: "s3cr3t", PLUGIN_API_VERSION: "client.authentication.k8s.io/v1beta1" }),
      ).get(),
    );
    expect(version.message).toMatch(
      /has apiVersion client.authentication.k8s.io\/v1beta1; the kubeconfig asks for client.authentication.k8s.io\/v1$/,
    );
    const unknown = await errorOf(
      new ExecCredentialSource(config({ PLUGIN_TOKEN: "t", PLUGIN_API_VERSION: "s3cr3t-version" })).get(),
    );
    expect(unknown.message).toMatch(/has an unknown apiVersion; the kubeconfig asks for/);
    expect(`${kind.message}${version.message}${unknown.message}`).not.toContain("s3cr3t");
  });

  it("an ExecCredential with neither token nor certificate is rejected, and a failure is not cached", async () => {
    const count = tmp("count");
    const source = new ExecCredentialSource(config({ PLUGIN_TOKEN: "", PLUGIN_COUNT_FILE: count }));
    await expect(source.get()).rejects.toThrow(/neither status.token nor a client certificate/);
    await expect(source.get()).rejects.toThrow(ExecPluginError);
    expect(await runs(count)).toBe(2);
  });
});
