import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ExecCredentialSource } from "../../../runtime/auth/exec.js";
import { TokenFileSource } from "../../../runtime/auth/token-file.js";
import { serviceAccountPath } from "../../../runtime/config/in-cluster.js";
import { KubeconfigError } from "../../../runtime/config/kubeconfig.js";
import { kubeconfigPaths, loadKubeconfig } from "../../../runtime/config/load.js";
import type { AuthConfig, CredentialSource } from "../../../runtime/config/types.js";

const fixtures = resolve(import.meta.dirname, "../../fixtures/kubeconfig");
const fixture = (...parts: string[]) => join(fixtures, ...parts);
const caPem = "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubegen-load-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function file(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === "string" ? content : stringify(content));
  return path;
}

/** A kubeconfig whose one context `x` uses cluster `c` and, when given, user `u`. */
function oneContext(cluster: Record<string, unknown>, user?: Record<string, unknown>) {
  return {
    "current-context": "x",
    clusters: [{ name: "c", cluster }],
    ...(user ? { users: [{ name: "u", user }] } : {}),
    contexts: [{ name: "x", context: user ? { cluster: "c", user: "u" } : { cluster: "c" } }],
  };
}

function sourceOf(auth: AuthConfig): CredentialSource {
  if (auth.type !== "source") throw new Error(`expected a credential source, got ${auth.type}`);
  return auth.source;
}

describe("loading rules", () => {
  const [a, b, c] = ["a.yaml", "b.yaml", "c.yaml"].map((f) => fixture("merge", f)) as [
    string,
    string,
    string,
  ];
  const missing = fixture("merge", "missing.yaml");

  it("merges a KUBECONFIG list: first definer wins the whole entry, first current-context wins, missing files skipped", async () => {
    const env = { KUBECONFIG: [a, missing, b, c].join(":") };
    const config = await loadKubeconfig({ env });
    // current-context: b's ctx-b (c's ctx-a comes later); ctx-b itself: b's entry wins over c's.
    expect(config.contextName).toBe("ctx-b");
    expect(config.files).toEqual([a, b, c]);
    expect(config.server).toBe("https://only-b.example");
    expect(config.namespace).toBe("ns-b");
    // shared-user: a's whole entry (a token), not b's basic auth, and no field merge.
    expect(config.auth).toEqual({ type: "token", token: "token-from-a" });

    const ctxA = await loadKubeconfig({ env, context: "ctx-a" });
    // cluster "shared": a's entry wins whole, so b's insecure-skip-tls-verify is not merged in.
    expect(ctxA).toMatchObject({ server: "https://a.example:6443", namespace: "ns-a", tls: {} });
    const ctxC = await loadKubeconfig({ env, context: "ctx-c" });
    expect(ctxC).toMatchObject({ server: "https://a.example:6443", namespace: "default" });
  });

  it("gives the same names to other files when the order changes", async () => {
    const config = await loadKubeconfig({ env: { KUBECONFIG: [c, b, a].join(":") } });
    expect(config.contextName).toBe("ctx-a");
    expect(config).toMatchObject({
      server: "https://b.example:6443",
      namespace: "ns-a",
      tls: { insecureSkipVerify: true },
    });
    expect(config.auth).toEqual({ type: "basic", username: "from-b", password: "from-b" });
    const ctxB = await loadKubeconfig({ env: { KUBECONFIG: [c, b, a].join(":") }, context: "ctx-b" });
    expect(ctxB).toMatchObject({ server: "https://b.example:6443", namespace: "ns-c" });
  });

  it("reads ~/.kube/config without KUBECONFIG; an explicit path replaces both", async () => {
    const home = join(dir, "home");
    await mkdir(join(home, ".kube"), { recursive: true });
    await writeFile(join(home, ".kube", "config"), await readFile(b, "utf8"));
    expect(kubeconfigPaths({ env: {}, home })).toEqual({
      paths: [join(home, ".kube", "config")],
      explicit: false,
    });
    expect((await loadKubeconfig({ env: {}, home })).contextName).toBe("ctx-b");
    const explicit = await loadKubeconfig({ env: { KUBECONFIG: b }, home, path: a, context: "ctx-a" });
    expect(explicit.files).toEqual([a]);
    expect(kubeconfigPaths({ env: { KUBECONFIG: `${a}:${b}:${a}:` } }).paths).toEqual([a, b]);
  });

  it("fails when every KUBECONFIG file is missing, or the explicit file is", async () => {
    await expect(loadKubeconfig({ env: { KUBECONFIG: missing } })).rejects.toThrow(
      `no configuration has been provided, try setting KUBERNETES_MASTER environment variable (none of the KUBECONFIG files exists: ${missing})`,
    );
    await expect(loadKubeconfig({ path: missing, env: {} })).rejects.toThrow(
      `${missing}: cannot read the kubeconfig: no such file`,
    );
    await expect(loadKubeconfig({ path: fixtures, env: {} })).rejects.toThrow(
      `${fixtures}: cannot read the kubeconfig: it is a folder`,
    );
  });

  it("reads a UTF-16 file", async () => {
    expect((await loadKubeconfig({ path: fixture("utf16", "kubeconfig") })).server).toBe(
      "https://utf16.example",
    );
  });
});

describe("relative paths resolve against the defining file's folder", () => {
  const kube = fixture("relative", "kube");
  const pki = fixture("relative", "pki");

  it("CA, client certificate and key, tokenFile", async () => {
    // Loaded through KUBECONFIG from another working folder: the paths still resolve from the file.
    const config = await loadKubeconfig({ env: { KUBECONFIG: join(kube, "config.yaml") } });
    expect(config.tls).toEqual({
      ca: { file: join(pki, "ca.crt") },
      clientCertificate: { cert: { file: join(pki, "client.crt") }, key: { file: join(pki, "client.key") } },
    });
    const source = sourceOf(config.auth);
    expect(source).toBeInstanceOf(TokenFileSource);
    expect(await source.get()).toEqual({ token: "token-from-file" });
  });

  it("an exec command containing a slash, but not a bare command name", async () => {
    const config = await loadKubeconfig({ path: join(kube, "config.yaml"), context: "plugin" });
    const source = sourceOf(config.auth);
    expect(source).toBeInstanceOf(ExecCredentialSource);
    expect(source.description).toBe(`exec plugin ${JSON.stringify(join(kube, "bin", "credential"))}`);
    expect(await source.get()).toEqual({ token: "relative-plugin" });
    const bare = await loadKubeconfig({ path: join(kube, "config.yaml"), context: "bare-command" });
    expect(sourceOf(bare.auth).description).toBe('exec plugin "kubegen-test-plugin-on-path"');
  });
});

describe("overrides", () => {
  const full = fixture("all-fields", "config.yaml");
  const merge = fixture("merge", "b.yaml");

  it("context, cluster, user and namespace", async () => {
    const env = { KUBECONFIG: [fixture("merge", "a.yaml"), merge].join(":") };
    const config = await loadKubeconfig({ env, context: "ctx-a", cluster: "only-b", namespace: "mine" });
    expect(config).toMatchObject({
      contextName: "ctx-a",
      server: "https://only-b.example",
      namespace: "mine",
    });
    await expect(loadKubeconfig({ env, context: "nope" })).rejects.toThrow(
      'context "nope" (the context override) does not exist in',
    );
    await expect(loadKubeconfig({ env, user: "ghost" })).rejects.toThrow(
      'user "ghost" (the user override) does not exist',
    );
  });

  it("server drops the kubeconfig's tls-server-name; tls-server-name can be given with it", async () => {
    const config = await loadKubeconfig({ path: full, user: "u", server: "https://other.example" });
    expect(config.server).toBe("https://other.example");
    expect(config.tls.serverName).toBeUndefined();
    expect(config.tls.ca).toEqual({ pem: caPem });
    const named = await loadKubeconfig({
      path: full,
      server: "https://other.example",
      tlsServerName: "sni.example",
    });
    expect(named.tls.serverName).toBe("sni.example");
  });

  it("insecure-skip-tls-verify or certificate-authority replace all of the kubeconfig's CA settings", async () => {
    const insecure = await loadKubeconfig({ path: full, insecureSkipTlsVerify: true });
    expect(insecure.tls.ca).toBeUndefined();
    expect(insecure.tls.insecureSkipVerify).toBe(true);
    const ca = fixture("relative", "pki", "ca.crt");
    const withCa = await loadKubeconfig({ path: full, certificateAuthority: ca });
    expect(withCa.tls.ca).toEqual({ file: ca });
    await expect(loadKubeconfig({ path: full, certificateAuthority: join(dir, "none.crt") })).rejects.toThrow(
      `the certificate-authority override: file ${join(dir, "none.crt")} does not exist`,
    );
  });

  it("credentials, impersonation, proxy, compression and timeout", async () => {
    const pki = fixture("relative", "pki");
    const config = await loadKubeconfig({
      path: fixture("merge", "a.yaml"),
      context: "ctx-a",
      token: "override-token",
      clientCertificate: join(pki, "client.crt"),
      clientKey: join(pki, "client.key"),
      as: "carol",
      asGroups: ["g"],
      proxyUrl: "http://127.0.0.1:9",
      disableCompression: true,
      timeout: 5_000,
    });
    expect(config.auth).toEqual({ type: "token", token: "override-token" });
    expect(config).toMatchObject({
      proxyUrl: "http://127.0.0.1:9",
      disableCompression: true,
      timeout: 5_000,
    });
    expect(config.impersonate).toEqual({ user: "carol", groups: ["g"] });
    expect(config.tls.clientCertificate).toEqual({
      cert: { file: join(pki, "client.crt") },
      key: { file: join(pki, "client.key") },
    });
  });

  it("a token override on a user with basic auth is two methods, as in client-go", async () => {
    await expect(loadKubeconfig({ path: merge, token: "t" })).rejects.toThrow(
      /more than one authentication method/,
    );
  });
});

describe("credentials only for https servers", () => {
  it("drops the token, CA and tls-server-name of an http:// server, and keeps impersonation (as client-go)", async () => {
    const config = await loadKubeconfig({ path: fixture("http-server", "config.yaml") });
    expect(config).toEqual({
      server: "http://127.0.0.1:8080",
      namespace: "default",
      tls: {},
      auth: { type: "none" },
      impersonate: { user: "bob" },
      contextName: "plain",
      files: [fixture("http-server", "config.yaml")],
    });
  });

  it("gives a server without a scheme https when TLS settings exist, else http", async () => {
    const withCa = await file(
      "noscheme-tls.yaml",
      oneContext({ server: "c.example:6443", "insecure-skip-tls-verify": true }, { token: "t" }),
    );
    expect(await loadKubeconfig({ path: withCa })).toMatchObject({
      server: "https://c.example:6443",
      auth: { type: "token" },
    });
    const plain = await file("noscheme.yaml", oneContext({ server: "c.example:8080" }, { token: "t" }));
    expect(await loadKubeconfig({ path: plain })).toMatchObject({
      server: "http://c.example:8080",
      auth: { type: "none" },
    });
  });
});

describe("exec plugins", () => {
  it("get execTimeout: a plugin that hangs is killed and reported as a timeout", async () => {
    const path = await file(
      "exec-timeout.yaml",
      oneContext(
        { server: "https://c" },
        {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1",
            interactiveMode: "Never",
            command: resolve(import.meta.dirname, "../../fixtures/exec-plugin/credential.mjs"),
            args: ["hang"],
          },
        },
      ),
    );
    const config = await loadKubeconfig({ path, execTimeout: 300 });
    await expect(sourceOf(config.auth).get()).rejects.toMatchObject({
      name: "ExecPluginError",
      code: "ETIMEOUT",
    });
  });
});

describe("a server URL with credentials", () => {
  // Each fails to parse because of its password; none may show up in the error.
  const servers = [
    ["https://admin:s3cr3t#1@kube.example:6443", "https://kube.example:6443"],
    ["https://admin:s3 cr3t@s3cr3t@kube example:6443", "https://kube example:6443"],
    ["https://admin:pa@s3cr3t@kube.example:99999", "https://kube.example:99999"],
    ["admin:s3cr3t#@kube.example", "kube.example"],
  ] as const;

  it("that fails to parse is printed without its user info, from a kubeconfig or the --server override", async () => {
    for (const [server, shown] of servers) {
      const path = await file("server-credentials.yaml", oneContext({ server }));
      const err = (await loadKubeconfig({ path }).catch((e: unknown) => e)) as KubeconfigError;
      expect(err).toBeInstanceOf(KubeconfigError);
      expect(err.message).toBe(
        `${path}: clusters[0].cluster.server: ${JSON.stringify(shown)} (user info removed) is not a URL`,
      );
      const override = (await loadKubeconfig({ path, server }).catch((e: unknown) => e)) as Error;
      expect(override.message).toBe(
        `the server override: ${JSON.stringify(shown)} (user info removed) is not a URL`,
      );
      for (const message of [err.message, override.message]) expect(message).not.toMatch(/s3cr3t|admin/);
    }
  });

  it("that parses is refused without printing it", async () => {
    const path = await file(
      "server-credentials-ok.yaml",
      oneContext({ server: "https://admin:s3cr3t @x#y@kube.example:6443" }),
    );
    const err = (await loadKubeconfig({ path }).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(`${path}: clusters[0].cluster.server: must not contain credentials`);
  });
});

describe("validation of the selected context only", () => {
  it("ignores broken entries that the selected context does not use", async () => {
    const path = await file("unused-broken.yaml", {
      "current-context": "good",
      clusters: [{ name: "c", cluster: { server: "https://c" } }],
      users: [
        { name: "u", user: { token: "t" } },
        { name: "broken", user: { token: "x", username: "y", exec: { command: "z" } } },
      ],
      contexts: [
        { name: "good", context: { cluster: "c", user: "u" } },
        { name: "bad", context: { cluster: "c", user: "broken" } },
      ],
    });
    expect((await loadKubeconfig({ path })).auth).toEqual({ type: "token", token: "t" });
    await expect(loadKubeconfig({ path, context: "bad" })).rejects.toThrow(KubeconfigError);
  });

  it("reports every problem of the selection at once", async () => {
    const path = await file("many-problems.yaml", {
      "current-context": "x",
      clusters: [{ name: "c", cluster: { server: "https://c", "proxy-url": "gopher://p" } }],
      users: [
        { name: "u", user: { token: "s3cr3t", password: "s3cr3t", "as-uid": "1", exec: { command: "p" } } },
      ],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
    });
    const err = (await loadKubeconfig({ path }).catch((e: unknown) => e)) as KubeconfigError;
    expect(err).toBeInstanceOf(KubeconfigError);
    expect(err.problems).toEqual([
      `${path}: clusters[0].cluster.proxy-url: the scheme must be http, https or socks5, not gopher`,
      `${path}: users[0].user: more than one authentication method: username/password or a bearer token may be set, but not both`,
      `${path}: users[0].user.as: is required with as-uid, as-groups or as-user-extra (impersonating a user)`,
      `${path}: users[0].user.exec.apiVersion: is required`,
    ]);
    expect(err.message).toMatch(/^invalid configuration:\n {2}- /);
    expect(err.message).not.toContain("s3cr3t");
  });
});

describe("bad input names the file and the field, never a secret", async () => {
  const cases = (await readdir(fixtures)).filter((name) => name.startsWith("bad-")).sort();
  it("has cases", () => {
    expect(cases.length).toBeGreaterThan(20);
  });
  for (const name of cases) {
    it(name, async () => {
      const path = fixture(name, "kubeconfig");
      const want = (await readFile(fixture(name, "error.txt"), "utf8")).trim();
      const err = await loadKubeconfig({ path, env: {} }).catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(KubeconfigError);
      const message = (err as Error).message;
      expect(message).toContain(want);
      expect(message).toContain(path);
      expect(message).not.toMatch(/s3cr3t/);
    });
  }
});

describe("client-go's clientcmd cases", () => {
  it("falls back to the in-cluster configuration inside a pod when no kubeconfig says anything", async () => {
    const root = join(dir, "pod");
    const sa = join(root, serviceAccountPath);
    await mkdir(sa, { recursive: true });
    await writeFile(join(sa, "token"), "sa-token\n");
    await writeFile(join(sa, "ca.crt"), caPem);
    await writeFile(join(sa, "namespace"), "team-a\n");
    const env = { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" };
    const home = join(dir, "home-without-kubeconfig");

    const config = await loadKubeconfig({ env, home, root });
    expect(config).toMatchObject({
      server: "https://10.96.0.1:443",
      namespace: "team-a",
      tls: { ca: { file: join(sa, "ca.crt") } },
      contextName: "",
      files: [],
    });
    expect(await sourceOf(config.auth).get()).toEqual({ token: "sa-token" });
    // Only empty kubeconfigs count as none too.
    const empty = await loadKubeconfig({
      env: { ...env, KUBECONFIG: fixture("bad-empty", "kubeconfig") },
      root,
    });
    expect(empty.server).toBe("https://10.96.0.1:443");
    // The overrides client-go applies to the in-cluster configuration.
    const ca = fixture("relative", "pki", "ca.crt");
    expect(
      await loadKubeconfig({
        env,
        home,
        root,
        namespace: "mine",
        token: "override",
        certificateAuthority: ca,
      }),
    ).toMatchObject({
      namespace: "mine",
      auth: { type: "token", token: "override" },
      tls: { ca: { file: ca } },
    });

    // A context override asks for a kubeconfig; outside a pod there is none; a kubeconfig wins.
    await expect(loadKubeconfig({ env, home, root, context: "x" })).rejects.toThrow(
      /no configuration has been provided/,
    );
    await expect(loadKubeconfig({ env: {}, home, root })).rejects.toThrow(
      /no configuration has been provided/,
    );
    const withConfig = join(dir, "home-with-kubeconfig");
    await mkdir(join(withConfig, ".kube"), { recursive: true });
    await writeFile(join(withConfig, ".kube", "config"), await readFile(fixture("merge", "b.yaml"), "utf8"));
    expect((await loadKubeconfig({ env, home: withConfig, root })).server).toBe("https://only-b.example");
  });

  it("loads a file whose unused entries hold *-data that is base64 but not PEM, failing only when they are used", async () => {
    const path = fixture("unused-not-pem", "kubeconfig");
    expect((await loadKubeconfig({ path })).auth).toEqual({ type: "token", token: "good-token" });
    const err = (await loadKubeconfig({ path, context: "odd" }).catch((e: unknown) => e)) as KubeconfigError;
    expect(err).toBeInstanceOf(KubeconfigError);
    expect(err.problems).toEqual([
      `${path}: clusters[1].cluster.certificate-authority-data: does not decode to PEM data`,
      `${path}: users[1].user.client-certificate-data: does not decode to PEM data`,
      `${path}: users[1].user.client-key-data: does not decode to PEM data`,
    ]);
  });

  it("reports an unreadable CA beside clashing auth methods, and a missing key beside a missing certificate", async () => {
    const path = await file(
      "aggregate.yaml",
      oneContext(
        { server: "https://c", "certificate-authority": "missing-ca.crt" },
        { token: "s3cr3t", username: "admin", password: "s3cr3t" },
      ),
    );
    const err = (await loadKubeconfig({ path }).catch((e: unknown) => e)) as KubeconfigError;
    expect(err.problems).toEqual([
      `${path}: clusters[0].cluster.certificate-authority: file ${join(dir, "missing-ca.crt")} does not exist`,
      `${path}: users[0].user: more than one authentication method: username/password or a bearer token may be set, but not both`,
    ]);
    expect(err.message).not.toContain("s3cr3t");

    const both = fixture("bad-missing-client-cert", "kubeconfig");
    const missing = (await loadKubeconfig({ path: both }).catch((e: unknown) => e)) as KubeconfigError;
    expect(missing.problems).toEqual([
      `${both}: users[0].user.client-certificate: file ${fixture("bad-missing-client-cert", "missing.crt")} does not exist`,
      `${both}: users[0].user.client-key: file ${fixture("bad-missing-client-cert", "missing.key")} does not exist`,
    ]);
  });

  it("sends the inline token beside a tokenFile that cannot be read, as client-go", async () => {
    const user = { token: "inline-token", tokenFile: "no-such-token" };
    const path = await file("token-and-file.yaml", oneContext({ server: "https://c" }, user));
    const source = sourceOf((await loadKubeconfig({ path })).auth);
    expect(source).toBeInstanceOf(TokenFileSource);
    expect(await source.get()).toEqual({ token: "inline-token" });
    // Once the file can be read, its token is used, as client-go's bearer round tripper does.
    await writeFile(join(dir, "no-such-token"), "file-token\n");
    source.invalidate();
    expect(await source.get()).toEqual({ token: "file-token" });
    // Without the inline token, the unreadable file is an error at load time.
    const alone = await file(
      "token-file-alone.yaml",
      oneContext({ server: "https://c" }, { tokenFile: "missing-token" }),
    );
    await expect(loadKubeconfig({ path: alone })).rejects.toThrow(
      `${alone}: users[0].user.tokenFile: file ${join(dir, "missing-token")} does not exist`,
    );
  });
});
