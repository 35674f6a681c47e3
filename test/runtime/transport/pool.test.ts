/**
 * The pool: a burst of requests opens at most `maxConnsPerHost` connections; watches go through a
 * pool of their own, so more open watches than that cap leave requests free to run; HTTP/2 when
 * asked for, against an https server that offers it.
 */
import { createHash } from "node:crypto";
import type { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import { createSecureServer } from "node:http2";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { isLongRunning } from "../../../runtime/transport/pool.js";
import { client, json, serve, serveTls, useServingPki } from "./local-server.js";

/** Counts the connections a server accepts. */
function countConnections(server: import("node:net").Server): () => number {
  let n = 0;
  server.on("connection", () => n++);
  return () => n;
}

describe("the connection pool", () => {
  it("opens at most maxConnsPerHost connections for a burst of 300 GETs", async () => {
    const { url, server } = await serve((_req, res) => setTimeout(() => json(res, 200, { kind: "Pod" }), 5));
    const connections = countConnections(server);
    const http = client(url, {}, { maxConnsPerHost: 8 });
    const answers = await Promise.all(
      Array.from({ length: 300 }, () =>
        http.json<{ kind: string }>({ method: "GET", path: "/api/v1/pods/x" }),
      ),
    );
    expect(answers.every((a) => a.kind === "Pod")).toBe(true);
    expect(connections()).toBeLessThanOrEqual(8);
    expect(connections()).toBeGreaterThan(1);
  });

  it("without a cap (0), a burst opens a connection per request in flight", async () => {
    const { url, server } = await serve((_req, res) => setTimeout(() => json(res, 200, { kind: "Pod" }), 50));
    const connections = countConnections(server);
    const http = client(url, {}, { maxConnsPerHost: 0 });
    await Promise.all(Array.from({ length: 40 }, () => http.json({ method: "GET", path: "/api/v1/pods/x" })));
    expect(connections()).toBe(40);
  });

  it("keeps watches out of the cap: with more watches open than connections, a GET still answers", async () => {
    const { url, server } = await serve((req, res) => {
      if (req.url?.includes("watch=true")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"type":"ADDED","object":{"kind":"Pod"}}\n');
        return; // and stays open
      }
      json(res, 200, { kind: "Pod" });
    });
    const connections = countConnections(server);
    const http = client(url, {}, { maxConnsPerHost: 2 });
    const watches = Array.from({ length: 5 }, () =>
      http.watch({ method: "GET", path: "/api/v1/pods", query: { watch: true } })[Symbol.asyncIterator](),
    );
    for (const w of watches)
      expect((await w.next()).value).toEqual({ type: "ADDED", object: { kind: "Pod" } });
    const answer = await http.json({ method: "GET", path: "/api/v1/pods/x" });
    expect(answer).toEqual({ kind: "Pod" });
    expect(connections()).toBe(6);
    await Promise.all(watches.map((w) => w.return?.()));
  });

  it("rejects a cap that is not a whole number", () => {
    expect(() => client("http://127.0.0.1:1", {}, { maxConnsPerHost: -1 })).toThrow(/maxConnsPerHost/);
    expect(() => client("http://127.0.0.1:1", {}, { maxConnsPerHost: 1.5 })).toThrow(/maxConnsPerHost/);
  });

  it("says which requests are long-running", () => {
    expect(isLongRunning({ method: "GET", path: "/", bodyTimeout: 0 })).toBe(true);
    expect(isLongRunning({ method: "GET", path: "/", upgrade: "websocket" })).toBe(true);
    expect(isLongRunning({ method: "GET", path: "/" })).toBe(false);
    expect(isLongRunning({ method: "GET", path: "/", bodyTimeout: 1000 })).toBe(false);
  });
});

describe("HTTP/2", () => {
  const pki = useServingPki();
  const servers: import("node:http2").Http2SecureServer[] = [];
  const open: import("node:http2").ServerHttp2Session[] = [];
  afterEach(async () => {
    for (const session of open.splice(0)) session.destroy();
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  /**
   * An https server speaking HTTP/2 and HTTP/1.1 by ALPN, advertising at most `maxStreams`
   * concurrent streams as kube-apiserver does (100 by default); GETs answer after `delayMs`,
   * watches send one event and stay open.
   */
  async function serveH2({ delayMs = 0, maxStreams = 100 } = {}) {
    const versions: string[] = [];
    let sessions = 0;
    let active = 0;
    let maxActive = 0;
    const server = createSecureServer(
      { cert: pki.cert, key: pki.key, allowHTTP1: true, settings: { maxConcurrentStreams: maxStreams } },
      (req, res) => {
        versions.push(req.httpVersion);
        active++;
        maxActive = Math.max(maxActive, active);
        res.on("close", () => active--);
        res.writeHead(200, { "content-type": "application/json" });
        if (req.url?.includes("watch=true")) {
          res.write('{"type":"ADDED","object":{"kind":"Pod"}}\n');
          return;
        }
        setTimeout(() => res.end(JSON.stringify({ kind: "Pod", path: req.url })), delayMs);
      },
    );
    server.on("session", (session) => {
      sessions++;
      open.push(session);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, versions, sessions: () => sessions, maxActive: () => maxActive, server };
  }

  it("multiplexes 100 concurrent GETs over one HTTP/2 connection when asked for (cap 1 by default then)", async () => {
    const h2 = await serveH2();
    const http = client(h2.url, { tls: { ca: { pem: pki.ca } } }, { http2: true });
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => http.json<{ path: string }>({ method: "GET", path: `/p/${i}` })),
    );
    expect(answers.map((a) => a.path)).toEqual(Array.from({ length: 100 }, (_, i) => `/p/${i}`));
    expect(new Set(h2.versions)).toEqual(new Set(["2.0"]));
    expect(h2.sessions()).toBe(1);
  });

  it("runs the GETs on the one connection at once, not one after another", async () => {
    const h2 = await serveH2({ delayMs: 100 });
    const http = client(h2.url, { tls: { ca: { pem: pki.ca } } }, { http2: true });
    const start = performance.now();
    await Promise.all(Array.from({ length: 100 }, () => http.json({ method: "GET", path: "/p" })));
    // One after another, 100 answers of 100 ms would take 10 s.
    expect(performance.now() - start).toBeLessThan(3000);
    expect(h2.maxActive()).toBeGreaterThan(50);
    expect(h2.sessions()).toBe(1);
  });

  it("answers a burst of 300 GETs on a connection already open, 100 streams at a time", async () => {
    const h2 = await serveH2({ delayMs: 20 });
    const http = client(h2.url, { tls: { ca: { pem: pki.ca } } }, { http2: true });
    await http.json({ method: "GET", path: "/first" });
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) => http.json<{ path: string }>({ method: "GET", path: `/p/${i}` })),
    );
    expect(answers.map((a) => a.path)).toEqual(Array.from({ length: 300 }, (_, i) => `/p/${i}`));
    expect(h2.maxActive()).toBe(100);
    expect(h2.sessions()).toBe(1);
  });

  it("ends a request aborted while it waits for a stream at once, and the others still go", async () => {
    const h2 = await serveH2({ delayMs: 1500 });
    const http = client(h2.url, { tls: { ca: { pem: pki.ca } } }, { http2: true });
    await http.json({ method: "GET", path: "/first" });
    // 100 streams taken for 1.5 s; the 101st waits, and is aborted while it does.
    const busy = Array.from({ length: 100 }, (_, i) => http.json({ method: "GET", path: `/p/${i}` }));
    const controller = new AbortController();
    const waiting = http.json({ method: "GET", path: "/waiting" }, { signal: controller.signal });
    const outcome = waiting.then(
      () => "answered",
      (err: unknown) => (err as Error).name,
    );
    await new Promise((r) => setTimeout(r, 50));
    const abortedAt = performance.now();
    controller.abort();
    expect(await outcome).toBe("AbortError");
    // Not when a stream frees, over a second later.
    expect(performance.now() - abortedAt).toBeLessThan(700);
    expect((await Promise.all(busy)).length).toBe(100);
    expect(await http.json<{ path: string }>({ method: "GET", path: "/after" })).toMatchObject({
      path: "/after",
    });
    expect(h2.sessions()).toBe(1);
  });

  it("opens 250 watches over 3 connections of 100 streams, each watch started", async () => {
    const h2 = await serveH2();
    const http = client(h2.url, { tls: { ca: { pem: pki.ca } } }, { http2: true });
    const watches = Array.from({ length: 250 }, () =>
      http.watch({ method: "GET", path: "/api/v1/pods", query: { watch: true } })[Symbol.asyncIterator](),
    );
    const first = await Promise.all(watches.map((w) => w.next()));
    expect(first.every((e) => (e.value as { type?: string }).type === "ADDED")).toBe(true);
    expect(h2.sessions()).toBe(3);
    expect(new Set(h2.versions)).toEqual(new Set(["2.0"]));
    // A GET still answers, on the requests' own connection.
    expect(await http.json({ method: "GET", path: "/p" })).toEqual({ kind: "Pod", path: "/p" });
    await Promise.all(watches.map((w) => w.return?.()));
  });

  it("with HTTP/2 on and a server answering ALPN with HTTP/1.1, watches each get a connection", async () => {
    const { url, server } = await serveTls({ cert: pki.cert, key: pki.key }, (req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      if (req.url?.includes("watch=true")) {
        res.write('{"type":"ADDED","object":{"kind":"Pod"}}\n');
        return;
      }
      res.end(JSON.stringify({ kind: "Pod" }));
    });
    const connections = countConnections(server);
    const http = client(url, { tls: { ca: { pem: pki.ca } } }, { http2: true });
    const watches = Array.from({ length: 5 }, () =>
      http.watch({ method: "GET", path: "/api/v1/pods", query: { watch: true } })[Symbol.asyncIterator](),
    );
    for (const w of watches)
      expect((await w.next()).value).toEqual({ type: "ADDED", object: { kind: "Pod" } });
    expect(await http.json({ method: "GET", path: "/p" })).toEqual({ kind: "Pod" });
    expect(connections()).toBe(6);
    await Promise.all(watches.map((w) => w.return?.()));
  });

  it("with HTTP/2 on, opens a WebSocket (exec) over HTTP/1.1: the apiserver offers none over HTTP/2", async () => {
    const h2 = await serveH2();
    let upgrades = 0;
    const sockets: Duplex[] = [];
    // Node's http2 server hands HTTP/1.1 upgrade requests (allowHTTP1) to 'upgrade'.
    (h2.server as unknown as EventEmitter).on("upgrade", (req: IncomingMessage, socket: Duplex) => {
      upgrades++;
      sockets.push(socket);
      const accept = createHash("sha1")
        .update(`${req.headers["sec-websocket-key"]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
        .digest("base64");
      socket.write(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          `Sec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n`,
      );
    });
    const http = client(h2.url, { tls: { ca: { pem: pki.ca } } }, { http2: true });
    await http.json({ method: "GET", path: "/p" });
    const ws = await http.websocket({ method: "GET", path: "/api/v1/namespaces/a/pods/b/exec" }, [
      "v5.channel.k8s.io",
    ]);
    expect(ws.protocol).toBe("v5.channel.k8s.io");
    expect(upgrades).toBe(1);
    for (const socket of sockets) socket.destroy();
  });

  it("speaks HTTP/1.1 when not asked for HTTP/2", async () => {
    const h2 = await serveH2();
    const http = client(h2.url, { tls: { ca: { pem: pki.ca } } }, { http2: false });
    await http.json({ method: "GET", path: "/p" });
    expect(h2.versions).toEqual(["1.1"]);
  });
});
