/**
 * Exec over WebSocket against a small local server that speaks the remote-command protocol
 * (v5.channel.k8s.io / v4.channel.k8s.io) the way the apiserver relays it: the request (path,
 * repeated `command`, stream flags, credentials through the same transport), stdout and stderr,
 * stdin and its v5 close, the exit code from the error channel's Status, and failures.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResourceClient } from "../../../runtime/clients/resource-client.js";
import type { KubeList, KubeObject } from "../../../runtime/core/object.js";
import { defineResource } from "../../../runtime/core/resource.js";
import { isStatusError } from "../../../runtime/errors.js";
import { HttpClient } from "../../../runtime/rest/http-client.js";

const pods = defineResource<KubeObject, KubeList<KubeObject>>()({
  group: "",
  version: "v1",
  plural: "pods",
  singular: "pod",
  kind: "Pod",
  listKind: "PodList",
  namespaced: true,
  verbs: ["get"],
  subresources: ["exec"],
});

/** A server frame: FIN + binary, unmasked. */
function serverFrame(payload: Uint8Array, opcode = 0x2): Buffer {
  const head =
    payload.length < 126
      ? Buffer.from([0x80 | opcode, payload.length])
      : Buffer.from([0x80 | opcode, 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([head, payload]);
}

/** Client frames (masked) out of a buffer; returns the frames and what is left. */
function clientFrames(buffer: Buffer): { frames: { opcode: number; payload: Buffer }[]; rest: Buffer } {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let at = 0;
  while (buffer.length - at >= 6) {
    const opcode = buffer[at]! & 0x0f;
    let length = buffer[at + 1]! & 0x7f;
    let offset = at + 2;
    if (length === 126) {
      length = buffer.readUInt16BE(offset);
      offset += 2;
    }
    if (buffer.length < offset + 4 + length) break;
    const mask = buffer.subarray(offset, offset + 4);
    const payload = Buffer.from(buffer.subarray(offset + 4, offset + 4 + length));
    for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
    frames.push({ opcode, payload });
    at = offset + 4 + length;
  }
  return { frames, rest: buffer.subarray(at) };
}

type Script = (io: {
  send: (channel: number, data: string) => void;
  stdin: string[];
  finish: () => void;
}) => void;

let server: Server;
let http: HttpClient;
const seen: { url: string; protocols: string; authorization?: string }[] = [];
let script: Script = () => {};
let protocolChoice = "v5.channel.k8s.io";

beforeAll(async () => {
  server = createServer();
  server.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
    seen.push({
      url: req.url ?? "",
      protocols: String(req.headers["sec-websocket-protocol"]),
      authorization: req.headers.authorization,
    });
    const accept = createHash("sha1")
      .update(`${req.headers["sec-websocket-key"]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${protocolChoice}\r\n\r\n`,
    );
    const stdin: string[] = [];
    const send = (channel: number, data: string) =>
      socket.write(serverFrame(Buffer.concat([Buffer.from([channel]), Buffer.from(data)])));
    const finish = () => socket.end(serverFrame(Buffer.from([0x03, 0xe8]), 0x8));
    let pending: Buffer = Buffer.alloc(0);
    let stdinClosed: (() => void) | undefined;
    socket.on("data", (chunk: Buffer) => {
      const { frames, rest } = clientFrames(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const f of frames) {
        if (f.opcode === 0x8) return socket.end();
        if (f.payload[0] === 0) stdin.push(f.payload.subarray(1).toString());
        if (f.payload[0] === 255 && f.payload[1] === 0) stdinClosed?.();
      }
    });
    socket.on("error", () => {});
    const io = { send, stdin, finish };
    // An echo script waits for stdin's close.
    (io as { onStdinClosed?: (fn: () => void) => void }).onStdinClosed = (fn) => {
      stdinClosed = fn;
    };
    script(io);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  http = HttpClient.forConfig({
    server: `http://127.0.0.1:${port}`,
    namespace: "default",
    tls: {},
    auth: { type: "token", token: "exec-test-token" },
  });
});

afterAll(async () => {
  await http.close();
  await new Promise((resolve) => server.close(resolve));
});

const client = () => new ResourceClient<KubeObject>(http, pods, "ns1");
const success = JSON.stringify({ metadata: {}, status: "Success" });

describe("exec", () => {
  it("runs a command: the request, stdout, stderr and exit code 0", async () => {
    protocolChoice = "v5.channel.k8s.io";
    script = ({ send, finish }) => {
      send(1, "hello ");
      send(2, "a warning");
      send(1, "world\n");
      send(3, success);
      finish();
    };
    const result = await client().exec("web-0", ["sh", "-c", "echo hello world"], { container: "app" });
    expect(result).toEqual({ stdout: "hello world\n", stderr: "a warning", exitCode: 0 });
    const request = seen.at(-1)!;
    const url = new URL(request.url, "http://x");
    expect(url.pathname).toBe("/api/v1/namespaces/ns1/pods/web-0/exec");
    expect(url.searchParams.getAll("command")).toEqual(["sh", "-c", "echo hello world"]);
    expect(Object.fromEntries([...url.searchParams].filter(([k]) => k !== "command"))).toEqual({
      container: "app",
      stdin: "false",
      stdout: "true",
      stderr: "true",
      tty: "false",
    });
    expect(request.protocols).toBe("v5.channel.k8s.io, v4.channel.k8s.io");
    // The same transport: the credentials went with the handshake.
    expect(request.authorization).toBe("Bearer exec-test-token");
  });

  it("reads a non-zero exit code from the error channel's Status", async () => {
    script = ({ send, finish }) => {
      send(
        3,
        JSON.stringify({
          status: "Failure",
          reason: "NonZeroExitCode",
          message: "command terminated with non-zero exit code: error executing command [false], exit code 3",
          details: { causes: [{ reason: "ExitCode", message: "3" }] },
        }),
      );
      finish();
    };
    expect((await client().exec("web-0", ["false"])).exitCode).toBe(3);
  });

  it("sends stdin and ends it with v5's close", async () => {
    script = (io) => {
      (io as unknown as { onStdinClosed: (fn: () => void) => void }).onStdinClosed(() => {
        io.send(1, io.stdin.join(""));
        io.send(3, success);
        io.finish();
      });
    };
    const result = await client().exec("web-0", ["cat"], { stdin: "piped input" });
    expect(result).toEqual({ stdout: "piped input", stderr: "", exitCode: 0 });
    expect(new URL(seen.at(-1)!.url, "http://x").searchParams.get("stdin")).toBe("true");
  });

  it("fails with the Status when the command cannot run", async () => {
    script = ({ send, finish }) => {
      send(
        3,
        JSON.stringify({
          status: "Failure",
          reason: "InternalError",
          code: 500,
          message: 'container "nope" not found',
        }),
      );
      finish();
    };
    const failed = await client()
      .exec("web-0", ["ls"], { container: "nope" })
      .catch((e: unknown) => e);
    expect(isStatusError(failed)).toBe(true);
    expect(String(failed)).toContain('container "nope" not found');
  });

  it("cannot end stdin on a v4 server, and says so", async () => {
    protocolChoice = "v4.channel.k8s.io";
    script = ({ send, finish }) => {
      setTimeout(() => {
        send(3, success);
        finish();
      }, 50);
    };
    const cmd = await client().execStream("web-0", ["cat"], { stdin: true });
    expect(cmd.protocol).toBe("v4.channel.k8s.io");
    expect(() => cmd.end()).toThrow(/needs v5.channel.k8s.io/);
    expect(await cmd.exitCode).toBe(0);
  });
});
