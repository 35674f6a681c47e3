/**
 * No secret in any log line or error. Request logging runs at its highest level (9: headers,
 * bodies, curl commands) through every way of authenticating against a local server: a bearer
 * token, basic auth, an exec plugin's token, a token file rotated after a 401, a proxy with a
 * password. The requests read and write Secrets, ask for service-account tokens and review tokens;
 * the failures include wrong credentials, broken plugins, a proxy that refuses, and kubeconfigs
 * that hold secrets. Every log line, every stderr write and every error (message, cause chain and
 * all its properties) is collected, then searched for each secret in every form it travels in.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import { ExecCredentialSource } from "../../../runtime/auth/exec.js";
import { TokenFileSource } from "../../../runtime/auth/token-file.js";
import { loadKubeconfig } from "../../../runtime/config/load.js";
import type { ClientConfig } from "../../../runtime/config/types.js";
import { HttpClient } from "../../../runtime/rest/http-client.js";
import { track } from "./local-server.js";

const plugin = resolve(import.meta.dirname, "../../fixtures/exec-plugin/credential.mjs");

/** The suite's secrets: each must never show up, in any of the forms it travels in. */
const secrets = {
  bearer: "bearer-7f3a9c1e5d2b",
  username: "basic-user-4e8d",
  password: "basic-pass-b1c9f2a7",
  execToken: "exec-token-93d1a6c0",
  execEnv: "exec-env-secret-52ab",
  rotatedOld: "rotated-old-0c4f7e1b",
  rotatedNew: "rotated-new-8e2d5a93",
  proxyPassword: "proxy-pass-61f0c3d8",
  secretData: "secret-data-a4b7e2f9",
  saToken: "sa-token-d3e6f1a0",
  reviewToken: "review-token-7c2b9e4d",
  kubeconfigToken: "kc-token-5f8a91e3",
  kubeconfigPassword: "kc-pass-2d7c44b0",
  urlPassword: "url-pass-9b3e",
};
const forms = (s: string) => [
  s,
  Buffer.from(s).toString("base64"),
  encodeURIComponent(s),
  // A long enough piece of it: a secret cut short is still a leak.
  s.slice(0, Math.ceil(s.length * 0.6)),
];
const basic = Buffer.from(`${secrets.username}:${secrets.password}`).toString("base64");
const secretForms = [...Object.values(secrets).flatMap(forms), basic];

/** Everything the runtime said: log lines, stderr writes, and errors in full. */
const said: string[] = [];
const logger = { level: 9 as const, write: (line: string) => said.push(line) };
function recordError(err: unknown): void {
  said.push(inspect(err, { depth: 8, showHidden: true }));
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++)
    said.push(e.message, String(e), e.stack ?? "");
}
async function settle(p: Promise<unknown>): Promise<unknown> {
  try {
    return await p;
  } catch (err) {
    recordError(err);
    return err;
  }
}

let dir: string;
let server: string;
// One server for the whole file (local-server's servers close after each test).
let apiserver: ReturnType<typeof createServer>;
let tokenFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubegen-secrets-"));
  tokenFile = join(dir, "token");
  apiserver = createServer(handle);
  await new Promise<void>((r) => apiserver.listen(0, "127.0.0.1", r));
  server = `http://127.0.0.1:${(apiserver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  apiserver.closeAllConnections();
  await new Promise((r) => apiserver.close(r));
  await rm(dir, { recursive: true, force: true });
});

// What the runtime writes to stderr (warnings) is scanned too.
beforeEach(() => {
  vi.spyOn(process.stderr, "write").mockImplementation(((chunk: unknown) => {
    said.push(String(chunk));
    return true;
  }) as typeof process.stderr.write);
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Which credentials each path prefix wants. */
const wanted: Record<string, string> = {
  bearer: `Bearer ${secrets.bearer}`,
  basic: `Basic ${basic}`,
  exec: `Bearer ${secrets.execToken}`,
  rotate: `Bearer ${secrets.rotatedNew}`,
  proxied: `Bearer ${secrets.bearer}`,
};

function handle(req: IncomingMessage, res: ServerResponse): void {
  let body = "";
  req.on("data", (c: Buffer) => {
    body += c.toString();
  });
  req.on("end", () => {
    const [, prefix = "", ...rest] = (req.url ?? "").split("/");
    const path = `/${rest.join("/")}`;
    const reply = (code: number, value: unknown) => {
      res.writeHead(code, { "content-type": "application/json", "set-cookie": `session=${secrets.bearer}` });
      res.end(JSON.stringify(value));
    };
    const authorization = req.headers.authorization;
    if (prefix === "rotate" && authorization === `Bearer ${secrets.rotatedOld}`) {
      // The token rotates while the request is on its way: 401, then the new one works.
      void writeFile(tokenFile, secrets.rotatedNew).then(() =>
        reply(401, {
          kind: "Status",
          status: "Failure",
          code: 401,
          reason: "Unauthorized",
          message: "Unauthorized",
        }),
      );
      return;
    }
    if (authorization !== wanted[prefix]) {
      reply(401, {
        kind: "Status",
        status: "Failure",
        code: 401,
        reason: "Unauthorized",
        message: "Unauthorized",
      });
      return;
    }
    const secret = {
      kind: "Secret",
      apiVersion: "v1",
      metadata: { name: "s" },
      data: { key: forms(secrets.secretData)[1] },
    };
    if (path.startsWith("/api/v1/namespaces/ns/secrets") && req.method === "POST")
      reply(201, JSON.parse(body));
    else if (path.startsWith("/api/v1/namespaces/ns/secrets?watch")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(`${JSON.stringify({ type: "ADDED", object: secret })}\n`);
    } else if (path.startsWith("/api/v1/namespaces/ns/secrets")) reply(200, secret);
    else if (path.endsWith("/token"))
      reply(201, { kind: "TokenRequest", status: { token: secrets.saToken } });
    else if (path.endsWith("/tokenreviews")) reply(201, { kind: "TokenReview", ...JSON.parse(body) });
    else reply(200, { kind: "NamespaceList", items: [] });
  });
}

/** The requests every flow makes: lists, Secrets read, written and watched, tokens. */
async function exercise(http: HttpClient): Promise<void> {
  expect(await settle(http.json({ method: "GET", path: "/api/v1/namespaces" }))).toMatchObject({
    kind: "NamespaceList",
  });
  await settle(http.json({ method: "GET", path: "/api/v1/namespaces/ns/secrets/s" }));
  await settle(
    http.json({
      method: "POST",
      path: "/api/v1/namespaces/ns/secrets",
      body: { kind: "Secret", stringData: { key: secrets.secretData } },
    }),
  );
  for await (const _ of http.watch({
    method: "GET",
    path: "/api/v1/namespaces/ns/secrets",
    query: { watch: true },
  })) {
    // one event
  }
  await settle(
    http.json({ method: "POST", path: "/api/v1/namespaces/ns/serviceaccounts/sa/token", body: {} }),
  );
  await settle(
    http.json({
      method: "POST",
      path: "/apis/authentication.k8s.io/v1/tokenreviews",
      body: { spec: { token: secrets.reviewToken } },
    }),
  );
}

const clients: HttpClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.destroy()));
});
function client(prefix: string, config: Partial<ClientConfig>): HttpClient {
  const c = HttpClient.forConfig(
    { server: `${server}/${prefix}`, namespace: "ns", tls: {}, auth: { type: "none" }, qps: -1, ...config },
    { logger, warningHandler: (w) => said.push(w), retry: { maxRetries: 0 }, env: {} },
  );
  clients.push(c);
  return c;
}

const execSource = (args: string[], env: Record<string, string> = {}) =>
  new ExecCredentialSource(
    {
      apiVersion: "client.authentication.k8s.io/v1",
      command: plugin,
      args,
      interactiveMode: "Never",
      env: Object.entries({ PLUGIN_TOKEN: secrets.execToken, EXTRA: secrets.execEnv, ...env }).map(
        ([name, value]) => ({ name, value }),
      ),
    },
    // The plugin's own stderr is the user's (it may print anything): kept apart from the runtime's.
    { stderr: new PassThrough().resume() },
  );

describe("no secret in logs or errors, at log level 9", () => {
  it("a bearer token", async () => {
    await exercise(client("bearer", { auth: { type: "token", token: secrets.bearer } }));
    // Wrong token: the 401 is an error that must not quote it.
    await settle(
      client("basic", { auth: { type: "token", token: secrets.bearer } }).json({ method: "GET", path: "/x" }),
    );
  });

  it("basic auth", async () => {
    await exercise(
      client("basic", { auth: { type: "basic", username: secrets.username, password: secrets.password } }),
    );
    await settle(
      client("bearer", {
        auth: { type: "basic", username: secrets.username, password: secrets.password },
      }).json({
        method: "GET",
        path: "/x",
      }),
    );
  });

  it("an exec plugin's token, its failures, and a 401 that runs it again", async () => {
    await exercise(client("exec", { auth: { type: "source", source: execSource(["token"]) } }));
    await settle(
      client("bearer", { auth: { type: "source", source: execSource(["token"]) } }).json({
        method: "GET",
        path: "/x",
      }),
    );
    for (const [args, env] of [
      [["fail"], {}],
      [["garbage"], {}],
      [["wrong-kind"], { PLUGIN_KIND: secrets.execToken }],
      [["token"], { PLUGIN_API_VERSION: secrets.execToken }],
    ] as const) {
      const err = await settle(
        client("exec", { auth: { type: "source", source: execSource([...args], env) } }).json({
          method: "GET",
          path: "/x",
        }),
      );
      expect(err).toBeInstanceOf(Error);
    }
  });

  it("a token file rotated after a 401", async () => {
    await writeFile(tokenFile, secrets.rotatedOld);
    const source = new TokenFileSource(tokenFile);
    const http = client("rotate", { auth: { type: "source", source } });
    expect(await settle(http.json({ method: "GET", path: "/api/v1/namespaces" }))).toMatchObject({
      kind: "NamespaceList",
    });
    await exercise(http);
  });

  it("a proxy with a password, accepting and refusing", async () => {
    const tunnels: string[] = [];
    let accept = true;
    const proxy = createServer();
    const sockets: { destroy(): void }[] = [];
    proxy.on("connect", (req, socket) => {
      sockets.push(socket);
      tunnels.push(String(req.headers["proxy-authorization"]));
      if (!accept) {
        socket.end("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n");
        return;
      }
      const port = Number(new URL(server).port);
      const upstream = connect(port, "127.0.0.1", () => {
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        sockets.push(upstream);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
    });
    track(proxy);
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const proxyUrl = `http://proxy-user:${secrets.proxyPassword}@127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    await exercise(client("proxied", { auth: { type: "token", token: secrets.bearer }, proxyUrl }));
    accept = false;
    const refused = client("proxied", { auth: { type: "token", token: secrets.bearer }, proxyUrl });
    expect(await settle(refused.json({ method: "GET", path: "/x" }))).toBeInstanceOf(Error);
    expect(tunnels.length).toBeGreaterThan(1);
    // Tunnels are no longer HTTP connections: the proxy's close would wait for them.
    for (const socket of sockets) socket.destroy();
  });

  it("kubeconfigs that hold secrets and are wrong", async () => {
    const user = { token: secrets.kubeconfigToken, password: secrets.kubeconfigPassword, username: "u" };
    const bad = [
      { clusters: [{ name: "c", cluster: { server: `https://admin:${secrets.urlPassword}#x@c.example` } }] },
      { clusters: [{ name: "c", cluster: { server: `https://admin:${secrets.urlPassword}@c.example` } }] },
      {
        clusters: [
          {
            name: "c",
            cluster: { server: "https://c.example", "insecure-skip-tls-verify": secrets.kubeconfigToken },
          },
        ],
      },
      { clusters: [{ name: "c", cluster: { server: "https://c.example" } }], users: [{ name: "u", user }] },
      {
        clusters: [{ name: "c", cluster: { server: "https://c.example" } }],
        users: [{ name: "u", user: { token: [secrets.kubeconfigToken] } }],
      },
    ];
    for (const [i, doc] of bad.entries()) {
      const path = join(dir, `kubeconfig-${i}`);
      await writeFile(
        path,
        stringify({
          "current-context": "x",
          contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
          users: [{ name: "u", user: {} }],
          ...doc,
        }),
      );
      expect(await settle(loadKubeconfig({ path, env: {} }))).toBeInstanceOf(Error);
    }
    const syntax = join(dir, "kubeconfig-syntax");
    await writeFile(syntax, `users:\n  - name: u\n    user:\n      token: "${secrets.kubeconfigToken}\n`);
    expect(await settle(loadKubeconfig({ path: syntax, env: {} }))).toBeInstanceOf(Error);
    const alias = join(dir, "kubeconfig-alias");
    await writeFile(alias, `users:\n  - name: u\n    user:\n      token: *${secrets.kubeconfigToken}\n`);
    expect(await settle(loadKubeconfig({ path: alias, env: {} }))).toBeInstanceOf(Error);
  });

  it("the scan: the flows above said plenty, and none of it holds a secret", () => {
    const text = said.join("\n");
    expect(said.length).toBeGreaterThan(100);
    expect(text).toMatch(/authorization: Bearer <masked>/i);
    expect(text).toMatch(/authorization: Basic <masked>/i);
    expect(text).toContain("Response Body: <redacted:");
    expect(text).toContain("curl -v -X");
    const hits = secretForms.filter((s) => text.includes(s));
    expect(hits).toEqual([]);
  });
});
