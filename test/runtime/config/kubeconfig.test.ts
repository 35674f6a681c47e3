import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  decodeKubeconfigBytes,
  describeField,
  KubeconfigError,
  parseKubeconfig,
} from "../../../runtime/config/kubeconfig.js";

const fixtures = resolve(import.meta.dirname, "../../fixtures/kubeconfig");
const pem = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;

describe("parseKubeconfig", () => {
  it("reads every field of the kubeconfig v1 format, decoding *-data and keeping paths as written", async () => {
    const file = join(fixtures, "all-fields/config.yaml");
    const model = parseKubeconfig(await readFile(file, "utf8"), file);
    expect(model).toEqual({
      file,
      currentContext: "full",
      extensions: { "top-level": { any: "thing" } },
      clusters: [
        {
          name: "c",
          file,
          path: "clusters[0].cluster",
          value: {
            server: "https://full.example:6443/prefix",
            tlsServerName: "api.internal",
            certificateAuthorityData: pem("CERTIFICATE", "MIIBca"),
            proxyUrl: "http://127.0.0.1:3128",
            disableCompression: true,
            extensions: { "client.authentication.k8s.io/exec": { audience: "kubegen" } },
          },
        },
      ],
      users: [
        {
          name: "u",
          file,
          path: "users[0].user",
          value: {
            clientCertificateData: pem("CERTIFICATE", "MIIBclient"),
            clientKeyData: pem("PRIVATE KEY", "MIIEs3cr3tkey"),
            as: "bob",
            asUid: "1234",
            asGroups: ["dev", "ops"],
            asUserExtra: { scopes: ["read", "write"] },
            exec: {
              apiVersion: "client.authentication.k8s.io/v1beta1",
              command: "kubegen-plugin",
              args: ["get-token", "--cluster", "full"],
              env: [{ name: "PLUGIN_MODE", value: "quiet" }],
              installHint: "install kubegen-plugin",
              provideClusterInfo: true,
              interactiveMode: undefined,
            },
          },
        },
        {
          name: "legacy",
          file,
          path: "users[1].user",
          value: {
            authProvider: { name: "oidc", config: { "client-id": "kubegen", "id-token": "s3cr3t-id-token" } },
          },
        },
      ],
      contexts: [
        {
          name: "full",
          file,
          path: "contexts[0].context",
          value: { cluster: "c", user: "u", namespace: "team-a" },
        },
      ],
    });
  });

  it("reads an empty file as an empty kubeconfig", () => {
    expect(parseKubeconfig("", "/x/config")).toEqual({
      file: "/x/config",
      clusters: [],
      users: [],
      contexts: [],
    });
    expect(parseKubeconfig("# only a comment\n", "/x/config").clusters).toEqual([]);
  });

  it("names the file, line and field path of a wrongly typed field", () => {
    const text =
      'clusters:\n  - name: c\n    cluster:\n      server: https://c\n      insecure-skip-tls-verify: "yes"\n';
    expect(() => parseKubeconfig(text, "/k/config")).toThrow(
      new KubeconfigError("/k/config:5: clusters[0].cluster.insecure-skip-tls-verify: must be true or false"),
    );
    expect(() =>
      parseKubeconfig("users:\n  - name: u\n    user:\n      as-groups: [a, 1]\n", "/k/config"),
    ).toThrow("/k/config:4: users[0].user.as-groups[1]: must be a string");
    expect(() =>
      parseKubeconfig("users:\n  - name: u\n    user:\n      exec:\n        env: {a: b}\n", "/k/config"),
    ).toThrow("/k/config:5: users[0].user.exec.env: must be a list");
    expect(() => parseKubeconfig("- just\n- a list\n", "/k/config")).toThrow(
      "/k/config:1: (document): must be a mapping",
    );
  });

  it("keeps names such as __proto__ and constructor as data keys, never prototypes", () => {
    const text = [
      "clusters:",
      "  - name: c",
      "    cluster:",
      "      server: https://c",
      "      extensions: [{ name: __proto__, extension: { polluted: 1 } }]",
      "users:",
      "  - name: u",
      "    user:",
      "      as: me",
      "      as-user-extra: { __proto__: [a], constructor: [b] }",
      "      auth-provider: { name: p, config: { __proto__: x } }",
      "",
    ].join("\n");
    const model = parseKubeconfig(text, "/k/config");
    const extensions = model.clusters[0]!.value.extensions!;
    expect(Object.getPrototypeOf(extensions)).toBe(Object.prototype);
    expect(Object.keys(extensions)).toEqual(["__proto__"]);
    expect((extensions as { polluted?: unknown }).polluted).toBeUndefined();
    const user = model.users[0]!.value;
    expect(JSON.stringify(user.asUserExtra)).toBe('{"__proto__":["a"],"constructor":["b"]}');
    expect(JSON.stringify(user.authProvider?.config)).toBe('{"__proto__":"x"}');
    // Inherited members are not fields: a stanza without `constructor` has none.
    expect(parseKubeconfig("clusters: [{name: c, cluster: {}}]\n", "/k/config").clusters[0]!.value).toEqual(
      {},
    );
  });

  it("reports a YAML syntax error with its line, without quoting the source (it may hold a secret)", () => {
    const text = 'users:\n  - name: u\n    user:\n      token: "s3cr3t\n';
    const err = (() => {
      try {
        parseKubeconfig(text, "/k/config");
      } catch (e) {
        return e as Error;
      }
      throw new Error("no error");
    })();
    expect(err.message).toMatch(/^\/k\/config:\d+: YAML syntax error: /);
    expect(err.message).not.toContain("s3cr3t");
  });
});

describe("YAML aliases", () => {
  const messageOf = (text: string) => {
    try {
      parseKubeconfig(text, "/k/config");
    } catch (err) {
      expect(err).toBeInstanceOf(KubeconfigError);
      return (err as Error).message;
    }
    throw new Error("expected a KubeconfigError");
  };

  it("an alias without its anchor names the file and line, never the alias or a value", () => {
    const message = messageOf("users:\n  - name: u\n    user:\n      token: *s3cr3t\n");
    expect(message).toBe("/k/config:4: YAML alias error: an alias names no anchor before it");
  });

  it('refuses an alias bomb ("billion laughs") quickly, naming the file and never a value', () => {
    const levels = ["a: &a [s3cr3t, s3cr3t, s3cr3t, s3cr3t, s3cr3t, s3cr3t, s3cr3t, s3cr3t, s3cr3t]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    const started = Date.now();
    const message = messageOf(`${levels.join("\n")}\n`);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(message).toMatch(/^\/k\/config: YAML aliases expand too much \(more than 100\)/);
    expect(message).not.toContain("s3cr3t");
  });

  it("reads a kubeconfig with a few aliases as usual", () => {
    const text = [
      "clusters:",
      "  - name: a",
      "    cluster: &shared { server: https://c.example }",
      "  - name: b",
      "    cluster: *shared",
      "",
    ].join("\n");
    expect(parseKubeconfig(text, "/k/config").clusters.map((c) => c.value.server)).toEqual([
      "https://c.example",
      "https://c.example",
    ]);
  });
});

describe("decodeKubeconfigBytes", () => {
  const text = "current-context: x\n";
  it.each([
    ["UTF-8", Buffer.from(text, "utf8")],
    ["UTF-8 with a BOM", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")])],
    ["UTF-16LE with a BOM", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")])],
    [
      "UTF-16BE with a BOM",
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()]),
    ],
  ])("decodes %s", (_name, bytes) => {
    expect(decodeKubeconfigBytes(bytes)).toBe(text);
  });
});

describe("describeField", () => {
  const entry = { name: "u", file: "/k/config", path: "users[2].user", value: {} };
  it("names a file's field, or the override it came from", () => {
    expect(describeField(entry, "token")).toBe("/k/config: users[2].user.token");
    expect(describeField(entry)).toBe("/k/config: users[2].user");
    expect(describeField(entry, "token", new Set(["token"]))).toBe("the token override");
    expect(describeField({ ...entry, file: "" }, "server")).toBe("the server override");
  });
});
