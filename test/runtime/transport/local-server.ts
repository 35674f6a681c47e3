/**
 * Local HTTP(S) servers on 127.0.0.1:0 for transport tests: each records the requests it saw
 * (method, URL, headers, body, time, client certificate) so tests can assert the sequence.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, afterEach, beforeAll } from "vitest";
import type { ClientConfig } from "../../../runtime/config/types.js";
import { HttpClient, type HttpClientOptions } from "../../../runtime/rest/http-client.js";
import type { TransportKind } from "../../../runtime/transport/dispatcher.js";
import { createTestPki } from "../../cluster/pki.js";

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string, n: number) => void;

export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  rawHeaders: string[];
  body: string;
  at: number;
  /** SHA-256 fingerprint of the client certificate, for TLS servers that ask for one. */
  peer?: string;
}

const servers: Server[] = [];
const clients: HttpClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  const open = servers.splice(0);
  for (const s of open) s.closeAllConnections();
  await Promise.all(open.map((s) => new Promise((r) => s.close(r))));
});

function recorder(seen: Seen[], handler: Handler) {
  return (req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      const socket = req.socket as Partial<TLSSocket>;
      const peer = socket.getPeerCertificate?.()?.fingerprint256;
      seen.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body,
        at: Date.now(),
        ...(peer ? { peer } : {}),
      });
      handler(req, res, body, seen.length);
    });
  };
}

/** An http server; the handler gets the request number (1-based) as `n`. */
export async function serve(handler: Handler): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer(recorder(seen, handler));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

/** An https server that asks for (but does not require) a client certificate from `clientCas`. */
export async function serveTls(
  tls: { cert: string; key: string; clientCas?: string[] },
  handler: Handler,
): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createHttpsServer(
    {
      cert: tls.cert,
      key: tls.key,
      ...(tls.clientCas ? { ca: tls.clientCas, requestCert: true, rejectUnauthorized: false } : {}),
    },
    recorder(seen, handler),
  );
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

/**
 * A CA and a serving certificate (for 127.0.0.1 and localhost) as PEM text for `serveTls`, made
 * before the tests of the calling file or `describe` and removed after them.
 */
export function useServingPki(): { ca: string; cert: string; key: string } {
  const pem = { ca: "", cert: "", key: "" };
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kubegen-pki-"));
    const pki = await createTestPki(dir);
    pem.ca = await readFile(pki.caCert, "utf8");
    pem.cert = await readFile(pki.servingCert, "utf8");
    pem.key = await readFile(pki.servingKey, "utf8");
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return pem;
}

/** Registers a server made elsewhere (a proxy) for closing after the test. */
export function track(server: Server): void {
  servers.push(server);
}

/**
 * The transport `client()` builds on: undici, unless a test file runs the same tests on the fetch
 * transport (`fetch-transport.test.ts`).
 */
export const transportUnderTest: { kind: TransportKind } = { kind: "undici" };

/** An HttpClient on a local server; throttling off and warnings silent unless asked for. */
export function client(
  url: string,
  config: Partial<ClientConfig> = {},
  options: HttpClientOptions = {},
): HttpClient {
  const c = HttpClient.forConfig(
    { server: url, namespace: "default", tls: {}, auth: { type: "none" }, qps: -1, ...config },
    { warningHandler: () => {}, transport: transportUnderTest.kind, ...options },
  );
  clients.push(c);
  return c;
}

/** Writes a JSON answer. */
export function json(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(code, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** Runs `fn` and returns what it threw (failing the test if it did not). */
export async function failure(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a failure");
}
