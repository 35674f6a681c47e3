/**
 * A minimal WebSocket server on loopback for protocol tests (exec, attach, port-forward): it
 * answers the upgrade with the subprotocol the test picks, and gives the test each connection's
 * request, the client's messages (unmasked) and ways to send, close cleanly, or drop the TCP
 * connection with no close message.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { afterAll, beforeAll } from "vitest";
import { ResourceClient } from "../../runtime/clients/resource-client.js";
import type { KubeList, KubeObject } from "../../runtime/core/object.js";
import { defineResource } from "../../runtime/core/resource.js";
import { HttpClient } from "../../runtime/rest/http-client.js";

/** A server frame: FIN + opcode, unmasked. */
export function serverFrame(payload: Uint8Array, opcode = 0x2): Buffer {
  const head =
    payload.length < 126
      ? Buffer.from([0x80 | opcode, payload.length])
      : payload.length < 65536
        ? Buffer.from([0x80 | opcode, 126, payload.length >> 8, payload.length & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(payload.length)]);
  return Buffer.concat([head, payload]);
}

function bigLength(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** Client frames (masked) out of a buffer; returns the complete frames and what is left. */
export function clientFrames(buffer: Buffer): {
  frames: { opcode: number; payload: Buffer }[];
  rest: Buffer;
} {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let at = 0;
  for (;;) {
    if (buffer.length - at < 2) break;
    const opcode = (buffer[at] as number) & 0x0f;
    let length = (buffer[at + 1] as number) & 0x7f;
    let offset = at + 2;
    if (length === 126) {
      if (buffer.length < offset + 2) break;
      length = buffer.readUInt16BE(offset);
      offset += 2;
    } else if (length === 127) {
      if (buffer.length < offset + 8) break;
      length = Number(buffer.readBigUInt64BE(offset));
      offset += 8;
    }
    if (buffer.length < offset + 4 + length) break;
    const mask = buffer.subarray(offset, offset + 4);
    const payload = Buffer.from(buffer.subarray(offset + 4, offset + 4 + length));
    for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number);
    frames.push({ opcode, payload });
    at = offset + 4 + length;
  }
  return { frames, rest: buffer.subarray(at) };
}

/** The whole length of the frame a buffer starts with, once its header is there (else 0). */
function frameLength(buffer: Buffer): number {
  if (buffer.length < 2) return 0;
  const length = (buffer[1] as number) & 0x7f;
  if (length === 126) return buffer.length < 4 ? 0 : 4 + 4 + buffer.readUInt16BE(2);
  if (length === 127) return buffer.length < 10 ? 0 : 10 + 4 + Number(buffer.readBigUInt64BE(2));
  return 2 + 4 + length;
}

export interface WsConnection {
  url: URL;
  protocols: string;
  authorization: string | undefined;
  /** Sends one binary message. */
  send(data: Uint8Array): void;
  /** Sends a close message (default 1000) and ends the connection. */
  close(code?: number): void;
  /** Drops the TCP connection without a close message (the client sees 1006). */
  drop(): void;
  /** Called with each binary (or text) message from the client. */
  onMessage(handler: (data: Buffer) => void): void;
  /** Called when the client sends its close message or the connection ends. */
  onClose(handler: () => void): void;
}

export interface WsServer {
  url: string;
  /** Every connection so far, in order. */
  connections: WsConnection[];
  close(): Promise<void>;
}

/**
 * Starts the server. `protocol` picks the subprotocol to answer for a request (undefined: none);
 * `handle` runs for each connection once the upgrade is answered.
 */
export async function startWsServer(
  protocol: (url: URL, offered: string[]) => string | undefined,
  handle: (conn: WsConnection) => void,
): Promise<WsServer> {
  const connections: WsConnection[] = [];
  const sockets = new Set<Duplex>();
  const server: Server = createServer();
  server.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    const url = new URL(req.url ?? "/", "http://x");
    const offered = String(req.headers["sec-websocket-protocol"] ?? "")
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean);
    const chosen = protocol(url, offered);
    const accept = createHash("sha1")
      .update(`${req.headers["sec-websocket-key"]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n${chosen ? `Sec-WebSocket-Protocol: ${chosen}\r\n` : ""}\r\n`,
    );
    const messageHandlers: ((data: Buffer) => void)[] = [];
    const closeHandlers: (() => void)[] = [];
    let closed = false;
    const fireClose = () => {
      if (closed) return;
      closed = true;
      for (const h of closeHandlers) h();
    };
    const conn: WsConnection = {
      url,
      protocols: offered.join(", "),
      authorization: req.headers.authorization,
      send: (data) => {
        if (!socket.destroyed) socket.write(serverFrame(data));
      },
      close: (code = 1000) => {
        if (!socket.destroyed) socket.end(serverFrame(Buffer.from([code >> 8, code & 0xff]), 0x8));
      },
      drop: () => socket.destroy(),
      onMessage: (h) => messageHandlers.push(h),
      onClose: (h) => closeHandlers.push(h),
    };
    let pending: Buffer = Buffer.alloc(0);
    // Chunks not yet joined, and how many bytes the frame at the head needs (large frames arrive
    // in many chunks; joining only once the frame is whole keeps this linear).
    let waiting: Buffer[] = [];
    let waitingBytes = 0;
    let needed = 0;
    socket.on("data", (chunk: Buffer) => {
      waiting.push(chunk);
      waitingBytes += chunk.length;
      if (pending.length + waitingBytes < needed) return;
      const { frames, rest } = clientFrames(Buffer.concat([pending, ...waiting]));
      waiting = [];
      waitingBytes = 0;
      pending = rest;
      needed = frameLength(rest);
      for (const f of frames) {
        if (f.opcode === 0x8) {
          // Answer the close handshake, as a server should.
          if (!socket.destroyed) socket.end(serverFrame(f.payload.subarray(0, 2), 0x8));
          fireClose();
          return;
        }
        if (f.opcode === 0x1 || f.opcode === 0x2) for (const h of messageHandlers) h(f.payload);
      }
    });
    socket.on("close", fireClose);
    connections.push(conn);
    handle(conn);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The pods resource as the protocol tests need it, with the subresources a test uses. */
export function podsWith(...subresources: string[]) {
  return defineResource<KubeObject, KubeList<KubeObject>>()({
    group: "",
    version: "v1",
    plural: "pods",
    singular: "pod",
    kind: "Pod",
    listKind: "PodList",
    namespaced: true,
    verbs: ["get"],
    subresources,
  });
}

/** A protocol server for a test file, and a pods client in namespace `ns1` talking to it. */
export interface PodStreamServer {
  server(): WsServer;
  http(): HttpClient;
  client(): ResourceClient<KubeObject>;
}

/**
 * Starts a {@link startWsServer} before the file's tests with an HttpClient on it (bearer token,
 * no client-side rate limit), and stops both after them.
 */
export function usePodStreamServer(
  subresources: string[],
  protocol: (url: URL, offered: string[]) => string | undefined,
  handle: (conn: WsConnection) => void,
): PodStreamServer {
  const pods = podsWith(...subresources);
  let server: WsServer | undefined;
  let http: HttpClient | undefined;
  beforeAll(async () => {
    server = await startWsServer(protocol, handle);
    http = HttpClient.forConfig({
      server: server.url,
      namespace: "default",
      tls: {},
      auth: { type: "token", token: "stream-test-token" },
      qps: -1,
    });
  });
  afterAll(async () => {
    await http?.close();
    await server?.close();
  });
  return {
    server: () => server!,
    http: () => http!,
    client: () => new ResourceClient<KubeObject>(http!, pods, "ns1"),
  };
}
