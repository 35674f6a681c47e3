/**
 * The transport's layers against local servers, each asserting what the server saw: resets
 * mid-answer, 401 refresh (once), client certificates from credential sources (and their
 * rotation), TLS failures, streamed bodies never replayed, one rate limiter per client (watches
 * exempt), aborts while a request waits, gzip and chunked watch streams, warnings, logging with
 * secrets masked, and the `timeout` query of `RESTClient.timeout()`.
 */

import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { CredentialSource, Credentials } from "../../../runtime/config/types.js";
import { isUnauthorized, StatusError, TransportError } from "../../../runtime/errors.js";
import { HttpClient } from "../../../runtime/rest/http-client.js";
import { RESTClient } from "../../../runtime/rest/rest-client.js";
import { buildDispatcher } from "../../../runtime/transport/dispatcher.js";
import { environmentLogPrefix } from "../../../runtime/transport/interceptors/logging.js";
import { deduplicatingStderrWarnings } from "../../../runtime/transport/interceptors/warnings.js";
import { reloadingClientCertificate } from "../../../runtime/transport/tls.js";
import { createTestPki, type TestPki } from "../../cluster/pki.js";
import { startConnectProxy } from "../../support/connect-proxy.js";
import { client, failure, json, serve, serveTls, track } from "./local-server.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("broken connections", () => {
  it("fails a reset in the middle of an answer with ECONNECTION naming the URL, without retrying", async () => {
    const { url, seen } = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"items":[');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const err = await failure(() =>
      client(url).json({ method: "GET", path: "/api/v1/pods", query: { limit: 5 } }),
    );
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe("ECONNECTION");
    expect((err as TransportError).message).toContain(`GET ${url}/api/v1/pods`);
    // The answer had started: nothing can be replayed transparently.
    expect(seen).toHaveLength(1);
  });

  it("reports a refused connection at once (no 10 s of retries)", async () => {
    const { url, server } = await serve(() => {});
    await new Promise((r) => server.close(r));
    const started = Date.now();
    const err = await failure(() => client(url).json({ method: "GET", path: "/x" }));
    expect((err as TransportError).code).toBe("ECONNECTION");
    expect(Date.now() - started).toBeLessThan(900);
  });

  it("prints a hand-built server URL that fails to parse without its user info", () => {
    for (const [server, shown] of [
      ["https://admin:s3cr3t#1@kube.example:6443/prefix", "https://kube.example:6443/prefix"],
      ["https://admin:s3 cr3t@s3cr3t@kube example:6443", "https://kube example:6443"],
      ["https://admin:pa@s3cr3t@kube.example:99999", "https://kube.example:99999"],
    ] as const) {
      const err = (() => {
        try {
          client(server);
        } catch (e) {
          return e as TransportError;
        }
        throw new Error("expected ECONFIG");
      })();
      expect(err.code).toBe("ECONFIG");
      expect(err.message).toBe(`server ${JSON.stringify(shown)} is not a URL`);
    }
  });

  it("rejects a hand-built config with insecureSkipVerify and a CA, as the kubeconfig loader does", async () => {
    const tls = {
      insecureSkipVerify: true,
      ca: { pem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" },
    };
    const refused = (build: () => unknown) => {
      try {
        build();
      } catch (e) {
        return e as TransportError;
      }
      throw new Error("expected ECONFIG");
    };
    const config = {
      server: "https://127.0.0.1:1",
      namespace: "default",
      auth: { type: "none" as const },
      tls,
    };
    for (const err of [
      refused(() => client("https://127.0.0.1:1", { tls })),
      // Also when the caller brings the pool: the config is checked, not the pool.
      refused(() => buildDispatcher(config, { baseDispatcher: new Agent() })),
      refused(() =>
        HttpClient.forConfig({ ...config, tls: { ...tls, ca: { file: "/nonexistent/ca.crt" } } }),
      ),
    ]) {
      expect(err).toBeInstanceOf(TransportError);
      expect(err.code).toBe("ECONFIG");
      expect(err.message).toBe("tls.insecureSkipVerify cannot be used with a certificate authority (tls.ca)");
    }
    // The loader's message gives the same reason for the same rule.
    const want = (
      await readFile(
        join(import.meta.dirname, "../../fixtures/kubeconfig/bad-ca-and-insecure/error.txt"),
        "utf8",
      )
    ).trim();
    expect(want.endsWith(": cannot be used with a certificate authority")).toBe(true);
    // Either alone is fine.
    expect(() => client("https://127.0.0.1:1", { tls: { insecureSkipVerify: true } })).not.toThrow();
    expect(() => client("https://127.0.0.1:1", { tls: { ca: tls.ca } })).not.toThrow();
  });

  it("rejects a server URL or proxy it cannot use, with ECONFIG", () => {
    expect(() => client("ftp://127.0.0.1:1")).toThrow(
      /server ftp:\/\/127\.0\.0\.1:1: the scheme must be https or http/,
    );
    const err = (() => {
      try {
        client("http://127.0.0.1:1", { proxyUrl: "gopher://user:pw@127.0.0.1:70" });
      } catch (e) {
        return e as TransportError;
      }
    })();
    expect(err?.code).toBe("ECONFIG");
    expect(err?.message).toBe(
      "proxy-url gopher://127.0.0.1:70: the scheme must be http, https or socks5, not gopher",
    );
    expect(() => client("http://127.0.0.1:1", { proxyUrl: "no url" })).toThrow(
      "proxy-url no url: is not a URL",
    );
  });
});

describe("credential sources", () => {
  function rotating(tokens: string[]): CredentialSource & { invalidations: number } {
    let i = 0;
    return {
      description: "rotating test source",
      invalidations: 0,
      async get(): Promise<Credentials> {
        return { token: tokens[Math.min(i, tokens.length - 1)]! };
      },
      invalidate() {
        this.invalidations++;
        i++;
      },
    };
  }

  it("retries a 401 once with fresh credentials, and returns the second 401", async () => {
    const { url, seen } = await serve((_req, res) =>
      json(res, 401, { kind: "Status", status: "Failure", code: 401, reason: "Unauthorized" }),
    );
    const source = rotating(["t1", "t2", "t3"]);
    const err = await failure(() =>
      client(url, { auth: { type: "source", source } }).json({ method: "GET", path: "/x" }),
    );
    expect(isUnauthorized(err)).toBe(true);
    expect(seen.map((s) => s.headers.authorization)).toEqual(["Bearer t1", "Bearer t2"]);
    // Both 401s invalidate: the next request starts with fresh credentials.
    expect(source.invalidations).toBe(2);
  });

  it("never replays a streamed request body (neither after a 401 nor a Retry-After)", async () => {
    const { url, seen } = await serve((req, res) =>
      req.url === "/401"
        ? json(res, 401, { kind: "Status", code: 401 })
        : json(res, 429, { kind: "Status", code: 429 }, { "retry-after": "0" }),
    );
    const source = rotating(["t1", "t2"]);
    const dispatcher = buildDispatcher({
      server: url,
      namespace: "default",
      tls: {},
      auth: { type: "source", source },
      qps: -1,
    });
    try {
      for (const path of ["/401", "/429"]) {
        const res = await dispatcher.request({
          origin: url,
          path,
          method: "PUT",
          body: Readable.from([Buffer.from('{"a":1}')]),
        });
        await res.body.text();
        expect(res.statusCode).toBe(path === "/401" ? 401 : 429);
      }
    } finally {
      await dispatcher.close();
    }
    expect(seen.map((s) => `${s.url} ${s.body}`)).toEqual(['/401 {"a":1}', '/429 {"a":1}']);
    // The 401 still invalidated the source, as client-go re-runs the plugin.
    expect(source.invalidations).toBe(1);
  });
});

describe("TLS", () => {
  let dir: string;
  let serverPki: TestPki;
  let otherPki: TestPki;
  const pem: Record<string, string> = {};
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kubegen-tls-"));
    await Promise.all([mkdtemp(join(dir, "a-")), mkdtemp(join(dir, "b-"))]).then(async ([a, b]) => {
      [serverPki, otherPki] = await Promise.all([createTestPki(a!), createTestPki(b!)]);
    });
    for (const [name, path] of Object.entries({
      ca: serverPki.caCert,
      otherCa: otherPki.caCert,
      serving: serverPki.servingCert,
      servingKey: serverPki.servingKey,
      certA: serverPki.adminCert,
      keyA: serverPki.adminKey,
      certB: otherPki.adminCert,
      keyB: otherPki.adminKey,
    })) {
      pem[name] = await readFile(path, "utf8");
    }
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("presents the client certificate a credential source returns, and a new one after it rotates", async () => {
    const fingerprintA = new X509Certificate(pem.certA!).fingerprint256;
    const fingerprintB = new X509Certificate(pem.certB!).fingerprint256;
    const { url, seen } = await serveTls(
      { cert: pem.serving!, key: pem.servingKey!, clientCas: [pem.ca!, pem.otherCa!] },
      (req, res) => {
        const peer = (req.socket as import("node:tls").TLSSocket).getPeerCertificate().fingerprint256;
        if (peer === fingerprintA)
          return json(res, 401, { kind: "Status", code: 401, reason: "Unauthorized" });
        json(res, 200, { ok: true });
      },
    );
    let current = { cert: pem.certA!, key: pem.keyA! };
    const source: CredentialSource = {
      description: "cert source",
      async get() {
        return { clientCertificate: current };
      },
      invalidate() {
        current = { cert: pem.certB!, key: pem.keyB! };
      },
    };
    const http = client(url, { tls: { ca: { pem: pem.ca! } }, auth: { type: "source", source } });
    expect(await http.json({ method: "GET", path: "/x" })).toEqual({ ok: true });
    expect(await http.json({ method: "GET", path: "/y" })).toEqual({ ok: true });
    expect(seen.map((s) => [s.url, s.peer])).toEqual([
      ["/x", fingerprintA],
      ["/x", fingerprintB],
      ["/y", fingerprintB],
    ]);
  });

  it("uses the configured client certificate, and says ETLS when the server's is not trusted", async () => {
    const { url, seen } = await serveTls(
      { cert: pem.serving!, key: pem.servingKey!, clientCas: [pem.ca!] },
      (_req, res) => json(res, 200, {}),
    );
    await client(url, {
      tls: {
        ca: { pem: pem.ca! },
        clientCertificate: { cert: { pem: pem.certA! }, key: { pem: pem.keyA! } },
      },
    }).json({ method: "GET", path: "/x" });
    expect(seen[0]!.peer).toBe(new X509Certificate(pem.certA!).fingerprint256);

    const untrusted = await failure(() =>
      client(url, { tls: { ca: { pem: pem.otherCa! } } }).json({ method: "GET", path: "/x" }),
    );
    expect(untrusted).toBeInstanceOf(TransportError);
    expect((untrusted as TransportError).code).toBe("ETLS");
    expect((untrusted as TransportError).message).toMatch(
      /^GET https:\/\/127\.0\.0\.1:\d+\/x: TLS handshake failed/,
    );
    // insecureSkipVerify accepts it; serverName must then match nothing.
    await client(url, { tls: { insecureSkipVerify: true } }).json({ method: "GET", path: "/x" });
    const wrongName = await failure(() =>
      client(url, { tls: { ca: { pem: pem.ca! }, serverName: "elsewhere.example" } }).json({
        method: "GET",
        path: "/x",
      }),
    );
    expect((wrongName as TransportError).code).toBe("ETLS");
  });

  it("re-reads a configured client certificate file after it is rotated (at most once a second)", async () => {
    const { url, seen } = await serveTls(
      { cert: pem.serving!, key: pem.servingKey!, clientCas: [pem.ca!, pem.otherCa!] },
      (_req, res) => json(res, 200, {}),
    );
    const certFile = join(dir, "client.crt");
    const keyFile = join(dir, "client.key");
    await writeFile(certFile, pem.certA!);
    await writeFile(keyFile, pem.keyA!);
    const http = client(url, {
      tls: { ca: { pem: pem.ca! }, clientCertificate: { cert: { file: certFile }, key: { file: keyFile } } },
    });
    await http.json({ method: "GET", path: "/before" });
    await writeFile(certFile, pem.certB!);
    await writeFile(keyFile, pem.keyB!);
    await sleep(1100);
    await http.json({ method: "GET", path: "/after" });
    expect(seen.map((s) => [s.url, s.peer])).toEqual([
      ["/before", new X509Certificate(pem.certA!).fingerprint256],
      ["/after", new X509Certificate(pem.certB!).fingerprint256],
    ]);
  });

  it("checks certificate files at most once a second and keeps the last good pair", async () => {
    const certFile = join(dir, "r.crt");
    const keyFile = join(dir, "r.key");
    await writeFile(certFile, "cert-1");
    await writeFile(keyFile, "key-1");
    let now = 0;
    const current = reloadingClientCertificate(
      { clientCertificate: { cert: { file: certFile }, key: { file: keyFile } } },
      () => now,
    )!;
    expect(current()).toEqual({ cert: "cert-1", key: "key-1" });
    await writeFile(certFile, "cert-2 longer");
    now = 500;
    expect(current().cert).toBe("cert-1");
    now = 1500;
    expect(current().cert).toBe("cert-2 longer");
    await rm(keyFile);
    now = 3000;
    expect(current()).toEqual({ cert: "cert-2 longer", key: "key-1" });
    expect(
      reloadingClientCertificate({ clientCertificate: { cert: { pem: "c" }, key: { pem: "k" } } }),
    ).toBeUndefined();
  });

  it("names a CA file it cannot read, when the client is built", () => {
    expect(() => client("https://127.0.0.1:1", { tls: { ca: { file: join(dir, "missing.crt") } } })).toThrow(
      `cannot read certificate authority file ${join(dir, "missing.crt")}: ENOENT`,
    );
  });
});

describe("rate limiting", () => {
  it("shares one bucket between the RESTClients of one HttpClient, and never throttles a watch", async () => {
    const { url, seen } = await serve((req, res) => {
      if (req.url?.includes("watch=true")) {
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(`${JSON.stringify({ type: "ADDED", object: {} })}\n`);
      }
      json(res, 200, {});
    });
    // A token every 500 ms: a throttled watch would wait that long, far beyond scheduling noise.
    const http = client(url, { qps: 2, burst: 1 });
    const core = RESTClient.forHttpClient(http, { apiPath: "/api", groupVersion: "v1" });
    const apps = RESTClient.forHttpClient(http, { apiPath: "/apis", groupVersion: "apps/v1" });
    await Promise.all([
      core.get().resource("pods").do(),
      apps.get().resource("deployments").do(),
      core.get().resource("services").do(),
    ]);
    for await (const _ of core.get().resource("pods").watch()) break;
    const [t0, t1, t2, tw] = seen.map((s) => s.at);
    expect(t1! - t0!).toBeGreaterThanOrEqual(450);
    expect(t2! - t0!).toBeGreaterThanOrEqual(950);
    // The bucket is empty now, yet the watch went straight through.
    expect(tw! - t2!).toBeLessThan(400);
    expect(seen[3]!.url).toBe("/api/v1/pods?watch=true");
  });

  it("ends a request waiting for a token as soon as its signal aborts", async () => {
    const { url, seen } = await serve((_req, res) => json(res, 200, {}));
    const http = client(url, { qps: 0.5, burst: 1 });
    await http.json({ method: "GET", path: "/first" });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("gave up")), 50);
    const started = Date.now();
    await expect(
      http.json({ method: "GET", path: "/second" }, { signal: controller.signal }),
    ).rejects.toThrow("gave up");
    expect(Date.now() - started).toBeLessThan(500);
    await sleep(50);
    expect(seen.map((s) => s.url)).toEqual(["/first"]);
  });

  it("ends a request waiting out a Retry-After as soon as its signal aborts", async () => {
    const { url, seen } = await serve((_req, res) =>
      json(res, 503, { kind: "Status", code: 503 }, { "retry-after": "10" }),
    );
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("no patience")), 100);
    const started = Date.now();
    await expect(
      client(url).json({ method: "GET", path: "/x" }, { signal: controller.signal }),
    ).rejects.toThrow("no patience");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(seen).toHaveLength(1);
  });
});

describe("watch streams", () => {
  const events = [
    { type: "ADDED", object: { metadata: { name: "ünï-名前", resourceVersion: "1" } } },
    { type: "MODIFIED", object: { metadata: { name: "🚀", resourceVersion: "2" } } },
    { type: "BOOKMARK", object: { metadata: { resourceVersion: "3" } } },
    { type: "DELETED", object: { metadata: { name: "b", resourceVersion: "4" } } },
  ];
  const wire = Buffer.from(`${events.map((e) => JSON.stringify(e)).join("\n")}\n`);

  async function writeInPieces(res: import("node:http").ServerResponse, bytes: Buffer, size: number) {
    for (let i = 0; i < bytes.length; i += size) {
      res.write(bytes.subarray(i, i + size));
      await new Promise((r) => setImmediate(r));
    }
    res.end();
  }

  it.each([1, 2, 3, 7])("decodes a stream written %i byte(s) at a time, gzipped or not", async (size) => {
    const { url, seen } = await serve((req, res) => {
      const gzip = req.headers["accept-encoding"]?.includes("gzip");
      res.writeHead(200, {
        "content-type": "application/json",
        ...(gzip ? { "content-encoding": "gzip" } : {}),
      });
      void writeInPieces(res, gzip ? gzipSync(wire) : wire, size);
    });
    for (const disableCompression of [false, true]) {
      const got: unknown[] = [];
      for await (const e of client(url, { disableCompression }).watch({
        method: "GET",
        path: "/w",
        query: { watch: true },
      }))
        got.push(e);
      expect(got).toEqual(events);
    }
    expect(seen.map((s) => s.headers["accept-encoding"])).toEqual(["gzip", undefined]);
  });

  it("closes the connection when the consumer stops iterating", async () => {
    let closed = false;
    const { url } = await serve((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write(`${JSON.stringify(events[0])}\n`);
      req.socket.on("close", () => {
        closed = true;
      });
    });
    for await (const e of client(url).watch({ method: "GET", path: "/w" })) {
      expect(e.type).toBe("ADDED");
      break;
    }
    for (let i = 0; i < 50 && !closed; i++) await sleep(10);
    expect(closed).toBe(true);
  });

  it("reports a line that is not JSON as EDECODE", async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200);
      res.end("<html>\n");
    });
    const err = await failure(async () => {
      for await (const _ of client(url).watch({ method: "GET", path: "/w" })) {
        // nothing decodes
      }
    });
    expect((err as TransportError).code).toBe("EDECODE");
  });

  it("RESTClient.timeout() bounds the watch on the server (timeout=) but never cuts it on the client", async () => {
    const { url, seen } = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      void (async () => {
        for (const e of events) {
          await sleep(60);
          res.write(`${JSON.stringify(e)}\n`);
        }
        res.end();
      })();
    });
    const rest = RESTClient.forHttpClient(client(url), { apiPath: "/api", groupVersion: "v1" });
    const got: string[] = [];
    for await (const e of rest.get().resource("pods").timeout(100).watch()) got.push(e.type);
    expect(got).toEqual(["ADDED", "MODIFIED", "BOOKMARK", "DELETED"]);
    expect(seen[0]!.url).toBe("/api/v1/pods?timeout=100ms&watch=true");
  });
});

describe("answers", () => {
  it("turns a failed Status in a 2xx answer into a StatusError, as client-go", async () => {
    const { url } = await serve((_req, res) =>
      json(res, 200, {
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        code: 500,
        reason: "InternalError",
        message: "boom",
      }),
    );
    const err = await failure(() => client(url).json({ method: "GET", path: "/x" }));
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).message).toBe(`boom (GET ${url}/x)`);
  });

  it("returns warnings with the answer, and the default handler prints each distinct one once", async () => {
    const { url } = await serve((req, res) => {
      res.setHeader("warning", req.url === "/a" ? '299 - "old API"' : ['299 - "old API"', '299 - "new one"']);
      json(res, 200, {});
    });
    const lines: string[] = [];
    const http = client(url, {}, { warningHandler: deduplicatingStderrWarnings((l) => lines.push(l)) });
    const a = await http.response({ method: "GET", path: "/a" });
    const b = await http.response({ method: "GET", path: "/b" });
    expect(a.warnings).toEqual(["old API"]);
    expect(b.warnings).toEqual(["old API", "new one"]);
    expect(lines).toEqual(["Warning: old API\n", "Warning: new one\n"]);

    const rest = RESTClient.forHttpClient(http, { apiPath: "/api", groupVersion: "v1" });
    expect((await rest.get().absPath("/b").do()).warnings).toEqual(["old API", "new one"]);

    // With no handler given, the warnings go to stderr, each once.
    const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const plain = HttpClient.forConfig({
        server: url,
        namespace: "default",
        tls: {},
        auth: { type: "none" },
      });
      await plain.json({ method: "GET", path: "/a" });
      await plain.json({ method: "GET", path: "/b" });
      await plain.close();
      // The suite logs every request to stderr too (KUBEGEN_LOG_LEVEL): those lines are not warnings.
      const lines = write.mock.calls
        .map((c) => String(c[0]))
        .filter((l) => !l.startsWith(environmentLogPrefix));
      expect(lines).toEqual(["Warning: old API\n", "Warning: new one\n"]);
    } finally {
      write.mockRestore();
    }
  });
});

describe("request logging", () => {
  const token = "tok-0123456789-secret";

  async function logged(level: 6 | 7 | 8 | 9, path: string, body?: unknown): Promise<string> {
    const { url } = await serve((_req, res) =>
      json(
        res,
        200,
        { kind: "Secret", data: { password: "c2VjcmV0LXZhbHVl" } },
        { "set-cookie": "session=abc" },
      ),
    );
    const lines: string[] = [];
    await client(
      url,
      { auth: { type: "token", token } },
      { logger: { level, write: (l) => lines.push(l) } },
    ).json({
      method: body ? "POST" : "GET",
      path,
      ...(body ? { body } : {}),
    });
    return lines.join("\n");
  }

  it("says more at each level, and never writes the token", async () => {
    const v6 = await logged(6, "/api/v1/namespaces/ns/configmaps");
    expect(v6).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/ns\/configmaps 200 OK in \d+ milliseconds$/,
    );

    const v7 = await logged(7, "/api/v1/namespaces/ns/configmaps");
    expect(v7).toContain("Request Headers:\n    accept: application/json");
    expect(v7).toContain("    authorization: Bearer <masked>");
    expect(v7).not.toContain("Response Headers:");

    const v8 = await logged(8, "/api/v1/namespaces/ns/configmaps", { data: { a: "1" } });
    expect(v8).toContain('Request Body: {"data":{"a":"1"}}');
    expect(v8).toContain("Response Headers:");
    expect(v8).toContain("    set-cookie: <masked>");
    expect(v8).toContain("Response Body: ");
    expect(v8).not.toContain("curl");

    const v9 = await logged(9, "/api/v1/namespaces/ns/configmaps");
    expect(v9).toMatch(/^curl -v -XGET .*-H 'authorization: Bearer <masked>'/m);

    for (const text of [v6, v7, v8, v9]) expect(text).not.toContain(token);
  });

  it("writes only the size of Secret and token bodies", async () => {
    const text = await logged(9, "/api/v1/namespaces/ns/secrets", { stringData: { password: "hunter2" } });
    expect(text).toMatch(/Request Body: <redacted: \d+ bytes>/);
    expect(text).toMatch(/Response Body: <redacted: \d+ bytes>/);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("c2VjcmV0LXZhbHVl");
    const token = await logged(8, "/api/v1/namespaces/ns/serviceaccounts/default/token", { spec: {} });
    expect(token).toMatch(/Request Body: <redacted/);
  });

  it("logs the wait of a throttled request", async () => {
    const { url } = await serve((_req, res) => json(res, 200, {}));
    const lines: string[] = [];
    const http = client(url, { qps: 10, burst: 1 }, { logger: { level: 6, write: (l) => lines.push(l) } });
    await Promise.all([http.json({ method: "GET", path: "/a" }), http.json({ method: "GET", path: "/b" })]);
    expect(lines.join("\n")).toMatch(
      /^Waited for \d+ms due to client-side throttling, not priority and fairness, request: GET:http:\/\/127\.0\.0\.1:\d+\/b$/m,
    );
  });
});

describe("proxy credentials", () => {
  it("sends the proxy URL's user info as Proxy-Authorization to the proxy only", async () => {
    const { url, seen } = await serve((_req, res) => json(res, 200, {}));
    const proxy = await startConnectProxy();
    track(proxy.server);
    const { port, authorizations: proxyAuth } = proxy;
    await client(url, { proxyUrl: `http://alice:s3cret@127.0.0.1:${port}` }).json({
      method: "GET",
      path: "/x",
    });
    expect(proxyAuth).toEqual([`Basic ${Buffer.from("alice:s3cret").toString("base64")}`]);
    expect(seen[0]!.headers["proxy-authorization"]).toBeUndefined();
  });
});

describe("withDispatcher", () => {
  it("adds a layer of the user's own on top of the built-in ones", async () => {
    const { url, seen } = await serve((_req, res) => json(res, 200, {}));
    const http = client(url, { auth: { type: "token", token: "t" } });
    const traced = http.withDispatcher((d) =>
      d.compose(
        (dispatch) => (opts, handler) =>
          dispatch(
            { ...opts, headers: { ...(opts.headers as Record<string, string>), "x-trace": "1" } },
            handler,
          ),
      ),
    );
    await traced.json({ method: "GET", path: "/x" });
    expect(seen[0]!.headers["x-trace"]).toBe("1");
    expect(seen[0]!.headers.authorization).toBe("Bearer t");
  });
});

describe("byte streams (pod logs)", () => {
  it("yields chunks as they come, is never cut by the timeout, and reports a broken connection", async () => {
    const { url, seen } = await serve((req, res) => {
      if (req.url?.startsWith("/api/v1/namespaces/ns/pods/missing/log")) {
        return json(res, 404, {
          kind: "Status",
          code: 404,
          reason: "NotFound",
          message: 'pods "missing" not found',
        });
      }
      res.writeHead(200, { "content-type": "text/plain" });
      void (async () => {
        for (const line of ["one\n", "two\n", "three\n"]) {
          res.write(line);
          await sleep(80);
        }
        if (req.url?.includes("/broken/")) res.socket?.destroy();
        else res.end();
      })();
    });
    const rest = RESTClient.forHttpClient(client(url, { timeout: 50 }), {
      apiPath: "/api",
      groupVersion: "v1",
    });
    const log = () => rest.get().namespace("ns").resource("pods");

    let text = "";
    for await (const chunk of await log()
      .name("web")
      .subResource("log")
      .param("follow", "true")
      .timeout(50)
      .stream())
      text += Buffer.from(chunk).toString("utf8");
    expect(text).toBe("one\ntwo\nthree\n");
    expect(seen[0]!.url).toBe("/api/v1/namespaces/ns/pods/web/log?follow=true&timeout=50ms");

    await expect(log().name("missing").subResource("log").stream()).rejects.toSatisfy(
      (e: unknown) => e instanceof StatusError && e.reason === "NotFound",
    );

    const broken = await failure(async () => {
      for await (const _ of await log().name("broken").subResource("log").stream()) {
        // read until the connection breaks
      }
    });
    expect(broken).toBeInstanceOf(TransportError);
    expect((broken as TransportError).code).toBe("ECONNECTION");
  });
});
