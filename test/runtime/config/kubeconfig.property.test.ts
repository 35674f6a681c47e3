/**
 * Property: whatever a kubeconfig file holds (random YAML or JSON objects built from the format's
 * own field names and values of every type, or text that is barely YAML), loading it either gives
 * a `ClientConfig` or fails with a `KubeconfigError` that names the file. Never another error.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { KubeconfigError } from "../../../runtime/config/kubeconfig.js";
import { loadKubeconfig } from "../../../runtime/config/load.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubegen-kubeconfig-property-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Each property stops after this long, passed or not, so the suite stays quick. */
const budget = { numRuns: 300, interruptAfterTimeLimit: 4000 };

const fieldNames = [
  "apiVersion",
  "kind",
  "clusters",
  "users",
  "contexts",
  "current-context",
  "preferences",
  "extensions",
  "name",
  "cluster",
  "user",
  "context",
  "namespace",
  "server",
  "tls-server-name",
  "insecure-skip-tls-verify",
  "certificate-authority",
  "certificate-authority-data",
  "proxy-url",
  "disable-compression",
  "client-certificate",
  "client-certificate-data",
  "client-key",
  "client-key-data",
  "token",
  "tokenFile",
  "as",
  "as-uid",
  "as-groups",
  "as-user-extra",
  "username",
  "password",
  "auth-provider",
  "config",
  "exec",
  "command",
  "args",
  "env",
  "value",
  "installHint",
  "provideClusterInfo",
  "interactiveMode",
  "extension",
  "__proto__",
  "constructor",
  "prototype",
];

const pem = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").toString("base64");
const interesting = fc.constantFrom(
  "",
  "c",
  "u",
  "x",
  "default",
  "https://c.example:6443",
  "http://127.0.0.1:8080",
  "c.example",
  "https://admin:s3cr3t@c.example",
  "https://a:b#c@d:99999",
  "socks5://p:1080",
  "gopher://p",
  "client.authentication.k8s.io/v1",
  "client.authentication.k8s.io/v1beta1",
  "Never",
  "Always",
  "IfAvailable",
  pem,
  "not base64!",
  "/nonexistent/file",
  "relative/file",
  "Not-A-Label",
);
const leaf = fc.oneof(
  interesting,
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...fieldNames) }, fc.string({ maxLength: 8 }));

const { value: anyValue } = fc.letrec<{ value: unknown; array: unknown[]; object: Record<string, unknown> }>(
  (tie) => ({
    value: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("array"), tie("object")),
    array: fc.array(tie("value"), { maxLength: 3 }),
    object: fc.dictionary(key, tie("value"), { maxKeys: 5 }),
  }),
);

/** Mostly a value of the right type, rarely anything at all. */
const mostly = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 80, arbitrary: good }, anyValue);
/** Absent three times in four: a field a real file may or may not have. */
const sometimes = <T>(value: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, mostly(value));
const str = (...values: string[]) => fc.constantFrom(...values);
/** A stanza of fields; absent ones are left out, as in a file. */
const stanza = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc.record(fields).map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));
const cluster = stanza({
  server: mostly(
    str(
      "https://c.example:6443",
      "https://c.example:6443",
      "http://127.0.0.1:8080",
      "c.example",
      "https://a:b#c@d:99999",
      "ftp://x",
    ),
  ),
  "tls-server-name": sometimes(str("sni.example")),
  "insecure-skip-tls-verify": sometimes(fc.boolean()),
  "certificate-authority-data": sometimes(str(pem, "bm90IHBlbQ==")),
  "certificate-authority": sometimes(str("/nonexistent/ca.crt")),
  "proxy-url": sometimes(str("http://p:3128", "socks5://p:1080", "gopher://p", "::")),
  "disable-compression": sometimes(fc.boolean()),
  extensions: sometimes(
    fc.array(stanza({ name: mostly(str("client.authentication.k8s.io/exec", "x")), extension: anyValue }), {
      maxLength: 2,
    }),
  ),
});
const exec = stanza({
  apiVersion: mostly(str("client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1", "v0")),
  command: mostly(str("kubegen-no-such-plugin", "./relative/plugin")),
  args: sometimes(fc.array(str("a"), { maxLength: 2 })),
  env: sometimes(fc.array(stanza({ name: mostly(str("A", "")), value: mostly(str("v")) }), { maxLength: 2 })),
  interactiveMode: mostly(str("Never", "IfAvailable", "Always", "Sometimes")),
  provideClusterInfo: sometimes(fc.boolean()),
});
const auth = fc.oneof(
  stanza({ token: mostly(str("s3cr3t")) }),
  stanza({ tokenFile: mostly(str("/nonexistent/token")), token: sometimes(str("s3cr3t")) }),
  stanza({ username: mostly(str("admin")), password: mostly(str("s3cr3t")) }),
  stanza({ "client-certificate-data": mostly(str(pem)), "client-key-data": sometimes(str(pem)) }),
  stanza({ exec: mostly(exec) }),
  stanza({ "auth-provider": mostly(stanza({ name: mostly(str("oidc")), config: anyValue })) }),
  fc.constant({}),
);
const user = fc
  .tuple(
    auth,
    stanza({
      as: sometimes(str("someone")),
      "as-groups": sometimes(fc.array(str("g1", "g2"), { maxLength: 2 })),
      "as-user-extra": sometimes(fc.dictionary(str("k", "__proto__"), fc.array(str("v"), { maxLength: 2 }))),
      token: sometimes(str("s3cr3t")),
    }),
  )
  .map(([a, b]) => ({ ...b, ...a }));
const context = stanza({
  cluster: mostly(str("a", "b")),
  user: sometimes(str("a", "b", "missing")),
  namespace: sometimes(str("ns", "default", "Not_A_Label")),
});
const named = (inner: string, body: fc.Arbitrary<unknown>) =>
  mostly(
    fc
      .tuple(fc.constantFrom(["a", "b"], ["a", "b"], ["b"], []), body, body)
      .map(([list, first, second]) => list.map((name, i) => ({ name, [inner]: i ? second : first }))),
  );
const kubeconfigLike = fc.record({
  apiVersion: fc.constant("v1"),
  kind: fc.constant("Config"),
  "current-context": mostly(str("a", "b")),
  clusters: named("cluster", cluster),
  users: named("user", user),
  contexts: named("context", context),
});

let n = 0;
async function loadsOrNamesTheFile(text: string): Promise<void> {
  const path = join(dir, `config-${++n}`);
  await writeFile(path, text);
  let result: unknown;
  try {
    result = await loadKubeconfig({ path, env: {} });
  } catch (err) {
    expect(err).toBeInstanceOf(KubeconfigError);
    expect((err as Error).message).toContain(path);
    return;
  }
  expect(result).toMatchObject({ server: expect.stringMatching(/^https?:\/\//), files: [path] });
}

describe("kubeconfig loading, property-based", () => {
  it("random kubeconfig-like YAML loads or fails with a KubeconfigError naming the file", async () => {
    await fc.assert(
      fc.asyncProperty(kubeconfigLike, async (doc) => loadsOrNamesTheFile(stringify(doc))),
      budget,
    );
  });

  it("random JSON documents of any shape too", async () => {
    await fc.assert(
      fc.asyncProperty(anyValue, async (doc) => loadsOrNamesTheFile(JSON.stringify(doc) ?? "null")),
      budget,
    );
  });

  it("random text, and YAML with random edits (anchors, aliases, tags, cut lines) too", async () => {
    const edits = fc.array(
      fc.tuple(
        fc.nat(),
        fc.constantFrom(
          "&a ",
          "*a",
          "*b",
          "!!binary ",
          "!custom ",
          "<<: *a\n",
          ": ",
          "- ",
          "\n  ",
          "{",
          "[",
          '"',
          "#",
          "\t",
          "\u0000",
          "%YAML 1.3\n",
        ),
      ),
      { maxLength: 4 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 200 }), fc.tuple(kubeconfigLike, edits)),
        async (input) => {
          if (typeof input === "string") return loadsOrNamesTheFile(input);
          const [doc, changes] = input;
          let text = stringify(doc);
          for (const [at, insert] of changes) {
            const i = at % (text.length + 1);
            text = text.slice(0, i) + insert + text.slice(i);
          }
          return loadsOrNamesTheFile(text);
        },
      ),
      budget,
    );
  });
});
