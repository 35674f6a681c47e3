import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ExecCredentialSource } from "../../../runtime/auth/exec.js";
import { TokenFileSource } from "../../../runtime/auth/token-file.js";
import { buildConfigFromFlags } from "../../../runtime/config/build-config-from-flags.js";
import { inClusterConfig } from "../../../runtime/config/in-cluster.js";
import { loadKubeconfig } from "../../../runtime/config/load.js";

const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const b64 = (s: string) => Buffer.from(s).toString("base64");
let dir: string;
const file = async (name: string, content: unknown) => {
  const path = join(dir, name);
  await writeFile(path, typeof content === "string" ? content : stringify(content));
  return path;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubegen-kubeconfig-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const cluster = (name: string, server: string, extra: object = {}) => ({
  name,
  cluster: { server, ...extra },
});
const context = (name: string, c: string, u: string, namespace?: string) => ({
  name,
  context: { cluster: c, user: u, namespace },
});

describe("loadKubeconfig: loading rules and merge", () => {
  it("merges a KUBECONFIG list: first definer wins the whole entry, first current-context wins, missing files skipped", async () => {
    const a = await file("a.yaml", {
      clusters: [cluster("shared", "https://a.example:6443")],
      users: [{ name: "u", user: { token: "token-a" } }],
      contexts: [context("ctx-a", "shared", "u", "ns-a")],
    });
    const b = await file("b.yaml", {
      "current-context": "ctx-b",
      clusters: [cluster("shared", "https://b.example:6443"), cluster("only-b", "https://only-b.example")],
      users: [{ name: "u", user: { token: "token-b", username: "ignored" } }],
      contexts: [context("ctx-b", "only-b", "u")],
    });
    const c = await file("c.yaml", {
      "current-context": "ctx-a",
      contexts: [context("ctx-b", "shared", "u")],
    });
    const env = { KUBECONFIG: [a, join(dir, "missing.yaml"), b, c].join(":") };
    const config = await loadKubeconfig({ env });
    expect(config.contextName).toBe("ctx-b");
    expect(config.server).toBe("https://only-b.example");
    expect(config.auth).toEqual({ type: "token", token: "token-a" });
    expect(config.namespace).toBe("default");
    expect(config.files).toEqual([a, b, c]);
    const other = await loadKubeconfig({ env, context: "ctx-a" });
    expect(other.server).toBe("https://a.example:6443");
    expect(other.namespace).toBe("ns-a");
  });

  it("uses ~/.kube/config without KUBECONFIG, and an explicit path replaces both", async () => {
    const home = join(dir, "home");
    await import("node:fs/promises").then((fs) => fs.mkdir(join(home, ".kube"), { recursive: true }));
    await writeFile(
      join(home, ".kube", "config"),
      stringify({
        "current-context": "h",
        clusters: [cluster("c", "https://home")],
        contexts: [context("h", "c", "")],
      }),
    );
    expect((await loadKubeconfig({ env: {}, home })).server).toBe("https://home");
    const explicit = await file("explicit.yaml", {
      "current-context": "e",
      clusters: [cluster("c", "https://explicit")],
      contexts: [context("e", "c", "")],
    });
    const env = { KUBECONFIG: join(home, ".kube", "config") };
    expect((await loadKubeconfig({ env, home, path: explicit })).server).toBe("https://explicit");
  });

  it("applies overrides for context, namespace and server", async () => {
    const path = await file("over.yaml", {
      "current-context": "one",
      clusters: [cluster("c", "https://c", { "tls-server-name": "sni.example" })],
      users: [{ name: "u", user: { token: "t" } }],
      contexts: [context("one", "c", "u", "ns1"), context("two", "c", "u", "ns2")],
    });
    const config = await loadKubeconfig({
      path,
      context: "two",
      namespace: "override",
      server: "https://other",
    });
    expect(config).toMatchObject({ contextName: "two", namespace: "override", server: "https://other" });
    expect(config.tls.serverName).toBeUndefined();
  });
});

describe("loadKubeconfig: resolution", () => {
  it("resolves relative CA, client cert/key and tokenFile against the file's folder", async () => {
    await file("ca.crt", pem);
    await file("client.crt", pem);
    await file("client.key", "-----BEGIN PRIVATE KEY-----\nX\n-----END PRIVATE KEY-----\n");
    await file("token", "file-token\n");
    const path = await file("relative.yaml", {
      "current-context": "r",
      clusters: [cluster("c", "https://c", { "certificate-authority": "ca.crt" })],
      users: [
        {
          name: "u",
          user: { "client-certificate": "client.crt", "client-key": "./client.key", tokenFile: "token" },
        },
      ],
      contexts: [context("r", "c", "u")],
    });
    const config = await loadKubeconfig({ path });
    expect(config.tls.ca).toEqual({ file: join(dir, "ca.crt") });
    expect(config.tls.clientCertificate).toEqual({
      cert: { file: join(dir, "client.crt") },
      key: { file: join(dir, "client.key") },
    });
    expect(config.auth.type).toBe("source");
    const source = (config.auth as { source: unknown } as { source: TokenFileSource }).source;
    expect(source).toBeInstanceOf(TokenFileSource);
    expect(await source.get()).toEqual({ token: "file-token" });
  });

  it("decodes -data fields, maps basic auth, impersonation, proxy and compression", async () => {
    const path = await file("data.yaml", {
      "current-context": "d",
      clusters: [
        cluster("c", "https://c", {
          "certificate-authority-data": b64(pem),
          "proxy-url": "http://127.0.0.1:3128",
          "disable-compression": true,
        }),
      ],
      users: [
        {
          name: "u",
          user: {
            username: "alice",
            password: "secret",
            as: "bob",
            "as-groups": ["g1", "g2"],
            "as-user-extra": { scope: ["s"] },
          },
        },
      ],
      contexts: [context("d", "c", "u")],
    });
    const config = await loadKubeconfig({ path });
    expect(config.tls.ca).toEqual({ pem });
    expect(config.auth).toEqual({ type: "basic", username: "alice", password: "secret" });
    expect(config.impersonate).toEqual({
      user: "bob",
      uid: undefined,
      groups: ["g1", "g2"],
      extra: { scope: ["s"] },
    });
    expect(config.proxyUrl).toBe("http://127.0.0.1:3128");
    expect(config.disableCompression).toBe(true);
  });

  it("sends no credentials to an http:// server", async () => {
    const path = await file("plain.yaml", {
      "current-context": "p",
      clusters: [cluster("c", "http://127.0.0.1:8080", { "certificate-authority-data": b64(pem) })],
      users: [{ name: "u", user: { token: "must-not-be-sent" } }],
      contexts: [context("p", "c", "u")],
    });
    const config = await loadKubeconfig({ path });
    expect(config.auth).toEqual({ type: "none" });
    expect(config.tls).toEqual({});
  });

  it("makes an exec plugin source with the plugin's command resolved against the file's folder", async () => {
    const path = await file("exec.yaml", {
      "current-context": "e",
      clusters: [cluster("c", "https://c")],
      users: [
        {
          name: "u",
          user: {
            exec: {
              apiVersion: "client.authentication.k8s.io/v1",
              command: "./bin/plugin",
              interactiveMode: "Never",
            },
          },
        },
      ],
      contexts: [context("e", "c", "u")],
    });
    const config = await loadKubeconfig({ path });
    const source = (config.auth as { source: unknown } as { source: ExecCredentialSource }).source;
    expect(source).toBeInstanceOf(ExecCredentialSource);
    expect(source.description).toBe(`exec plugin ${JSON.stringify(join(dir, "bin/plugin"))}`);
  });
});

describe("loadKubeconfig: bad input names the file and field, never a secret", () => {
  const cases: [string, unknown, RegExp][] = [
    [
      "a YAML syntax error, with its line",
      "clusters:\n  - name: [oops\n",
      /bad-0\.yaml:\d+: YAML syntax error/,
    ],
    [
      "a wrongly typed field",
      { users: [{ name: "u", user: { token: 42 } }] },
      /bad-1\.yaml: users\[0\]\.user\.token: must be a string/,
    ],
    [
      "a context naming a missing cluster",
      { "current-context": "x", contexts: [context("x", "nope", "")] },
      /bad-2\.yaml: contexts\[x\]\.cluster: cluster "nope" does not exist/,
    ],
    [
      "a context naming a missing user",
      {
        "current-context": "x",
        clusters: [cluster("c", "https://c")],
        contexts: [context("x", "c", "ghost")],
      },
      /contexts\[x\]\.user: user "ghost" does not exist/,
    ],
    [
      "a missing CA file",
      {
        "current-context": "x",
        clusters: [cluster("c", "https://c", { "certificate-authority": "/no/such/ca.crt" })],
        contexts: [context("x", "c", "")],
      },
      /clusters\[c\]\.cluster\.certificate-authority: file \/no\/such\/ca\.crt does not exist/,
    ],
    [
      "token and basic auth together",
      {
        "current-context": "x",
        clusters: [cluster("c", "https://c")],
        users: [{ name: "u", user: { token: "s3cr3t-token", username: "a", password: "s3cr3t-password" } }],
        contexts: [context("x", "c", "u")],
      },
      /users\[u\]: username\/password or bearer token may be set, but not both/,
    ],
    [
      "an exec plugin with a bad apiVersion",
      {
        users: [
          {
            name: "u",
            user: { exec: { apiVersion: "client.authentication.k8s.io/v1alpha1", command: "x" } },
          },
        ],
      },
      /users\[0\]\.user\.exec\.apiVersion: must be client\.authentication\.k8s\.io\/v1 or \/v1beta1/,
    ],
    ["no current context", { clusters: [cluster("c", "https://c")] }, /no current-context is set/],
  ];
  cases.forEach(([name, content, want], i) => {
    it(name, async () => {
      const path = await file(`bad-${i}.yaml`, content);
      const err = await loadKubeconfig({ path }).catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(want);
      expect((err as Error).message).not.toMatch(/s3cr3t/);
    });
  });

  it("reports an explicit path that does not exist", async () => {
    await expect(loadKubeconfig({ path: join(dir, "absent.yaml") })).rejects.toThrow(
      /absent\.yaml: cannot read the kubeconfig: no such file/,
    );
  });

  it("reports when every KUBECONFIG file is missing", async () => {
    await expect(loadKubeconfig({ env: { KUBECONFIG: join(dir, "x1") } })).rejects.toThrow(
      /no kubeconfig found/,
    );
  });
});

describe("in-cluster and buildConfigFromFlags", () => {
  it("reads the service-account folder and brackets IPv6 hosts", async () => {
    const sa = join(dir, "sa");
    await import("node:fs/promises").then((fs) => fs.mkdir(sa, { recursive: true }));
    await writeFile(join(sa, "token"), "sa-token");
    await writeFile(join(sa, "ca.crt"), pem);
    await writeFile(join(sa, "namespace"), "team-a\n");
    const config = inClusterConfig({
      env: { KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "443" },
      serviceAccountDir: sa,
    });
    expect(config.server).toBe("https://[fd00::1]:443");
    expect(config.namespace).toBe("team-a");
    expect(config.tls.ca).toEqual({ file: join(sa, "ca.crt") });
    expect(await (config.auth as { source: unknown } as { source: TokenFileSource }).source.get()).toEqual({
      token: "sa-token",
    });
    const withEnvNs = inClusterConfig({
      env: { KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443", POD_NAMESPACE: "from-env" },
      serviceAccountDir: sa,
    });
    expect(withEnvNs.namespace).toBe("from-env");
    expect(() => inClusterConfig({ env: {}, serviceAccountDir: sa })).toThrow(/not running in a cluster/);
  });

  it("buildConfigFromFlags reads only the explicit path plus the server override", async () => {
    const path = await file("flags.yaml", {
      "current-context": "f",
      clusters: [cluster("c", "https://from-file")],
      contexts: [context("f", "c", "")],
    });
    const prev = process.env.KUBECONFIG;
    process.env.KUBECONFIG = join(dir, "a.yaml");
    try {
      expect((await buildConfigFromFlags("", path)).server).toBe("https://from-file");
      expect((await buildConfigFromFlags("https://override", path)).server).toBe("https://override");
      expect(await buildConfigFromFlags("https://only-server", "")).toMatchObject({
        server: "https://only-server",
        auth: { type: "none" },
      });
    } finally {
      if (prev === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = prev;
    }
  });

  it.runIf(!process.env.KUBERNETES_SERVICE_HOST)(
    "buildConfigFromFlags with nothing outside a cluster says so",
    async () => {
      await expect(buildConfigFromFlags("", "")).rejects.toThrow(/no configuration has been provided/);
    },
  );
});
