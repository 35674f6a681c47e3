/**
 * Attach, terminals and broken connections of the remote-command protocol, against a local server
 * that speaks it: the attach request, a TTY resized on channel 4 (JSON `{Width,Height}`), stdin
 * written and ended with v5's close message (255, 0), exit codes from the error channel, the v4
 * fallback (no stdin close), and servers that close mid-stream, with and without a close message.
 */
import { describe, expect, it } from "vitest";
import { isTransportError } from "../../../runtime/errors.js";
import { usePodStreamServer, type WsConnection } from "../../support/ws-server.js";

/** What the server does with the next connection; `offer` is the subprotocol it picks. */
let script: (conn: WsConnection) => void = () => {};
let offer = "v5.channel.k8s.io";

const send = (conn: WsConnection, channel: number, text: string) =>
  conn.send(Uint8Array.of(channel, ...Buffer.from(text)));
const exitStatus = (code: number) =>
  code === 0
    ? JSON.stringify({ metadata: {}, status: "Success" })
    : JSON.stringify({
        metadata: {},
        status: "Failure",
        reason: "NonZeroExitCode",
        message: `command terminated with non-zero exit code: exit status ${code}`,
        details: { causes: [{ reason: "ExitCode", message: String(code) }] },
      });

const streams = usePodStreamServer(
  ["attach", "exec"],
  (_url, offered) => (offered.includes(offer) ? offer : undefined),
  (conn) => script(conn),
);
const server = () => streams.server();
const client = () => streams.client();

async function text(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  let out = "";
  for await (const c of chunks) out += Buffer.from(c).toString();
  return out;
}

/** A shell on a terminal: reports each resize, echoes stdin, exits 2 when stdin ends. */
function terminal(conn: WsConnection): void {
  conn.onMessage((m) => {
    if (m[0] === 4) {
      const size = JSON.parse(m.subarray(1).toString()) as { Width: number; Height: number };
      send(conn, 1, `[size ${size.Width}x${size.Height}]`);
    } else if (m[0] === 0) send(conn, 1, m.subarray(1).toString());
    else if (m[0] === 255 && m[1] === 0) {
      send(conn, 3, exitStatus(2));
      conn.close();
    }
  });
}

describe("attach", () => {
  it("attaches with a terminal: the request, resizes on channel 4, stdin, its close, the exit code", async () => {
    offer = "v5.channel.k8s.io";
    script = terminal;
    const proc = await client().attach("web-0", { container: "app", stdin: true, tty: true });
    const conn = server().connections.at(-1)!;
    expect(conn.url.pathname).toBe("/api/v1/namespaces/ns1/pods/web-0/attach");
    expect(Object.fromEntries(conn.url.searchParams)).toEqual({
      container: "app",
      stdin: "true",
      stdout: "true",
      // A terminal merges stderr into stdout.
      stderr: "false",
      tty: "true",
    });
    expect(conn.protocols).toBe("v5.channel.k8s.io, v4.channel.k8s.io");
    expect(conn.authorization).toBe("Bearer stream-test-token");
    expect(proc.protocol).toBe("v5.channel.k8s.io");

    const output = text(proc.stdout);
    proc.resize({ width: 120, height: 40 });
    proc.write("ls\r");
    proc.resize({ width: 80, height: 24 });
    proc.end();
    expect(await output).toBe("[size 120x40]ls\r[size 80x24]");
    expect(await proc.exitCode).toBe(2);
    expect(await text(proc.stderr)).toBe("");
  });

  it("attaches without stdin: stdout and stderr apart, exit code 0", async () => {
    script = (conn) => {
      send(conn, 1, "out");
      send(conn, 2, "err");
      send(conn, 3, exitStatus(0));
      conn.close();
    };
    const proc = await client().attach("web-0");
    expect(Object.fromEntries(server().connections.at(-1)!.url.searchParams)).toEqual({
      stdin: "false",
      stdout: "true",
      stderr: "true",
      tty: "false",
    });
    expect(await Promise.all([text(proc.stdout), text(proc.stderr), proc.exitCode])).toEqual([
      "out",
      "err",
      0,
    ]);
  });

  it("falls back to v4.channel.k8s.io: resize works, ending stdin cannot", async () => {
    offer = "v4.channel.k8s.io";
    script = (conn) => {
      terminal(conn);
      // v4 has no close message: the process ends by itself.
      setTimeout(() => {
        send(conn, 3, exitStatus(0));
        conn.close();
      }, 200);
    };
    const proc = await client().attach("web-0", { stdin: true, tty: true });
    expect(server().connections.at(-1)!.protocols).toBe("v5.channel.k8s.io, v4.channel.k8s.io");
    expect(proc.protocol).toBe("v4.channel.k8s.io");
    const output = text(proc.stdout);
    proc.resize({ width: 100, height: 30 });
    expect(() => proc.end()).toThrow(/needs v5.channel.k8s.io/);
    expect(await output).toBe("[size 100x30]");
    expect(await proc.exitCode).toBe(0);
  });
});

describe("a server that closes mid-stream", () => {
  it("without a close message: the output so far, then a TransportError, and no exit code", async () => {
    offer = "v5.channel.k8s.io";
    script = (conn) => {
      send(conn, 1, "partial ");
      setTimeout(() => conn.drop(), 50);
    };
    const cmd = await client().execStream("web-0", ["sleep", "100"]);
    const seen: string[] = [];
    const reading = (async () => {
      for await (const c of cmd.stdout) seen.push(Buffer.from(c).toString());
    })();
    const failed = await cmd.exitCode.catch((e: unknown) => e);
    expect(isTransportError(failed, "ECONNECTION")).toBe(true);
    expect(String(failed)).toMatch(/connection was lost before the command ended \(code 1006\)/);
    await expect(reading).rejects.toBe(failed);
    expect(seen).toEqual(["partial "]);
  });

  it("with a close message and no Status: ended, exit code 0 (as client-go reads an empty error channel)", async () => {
    script = (conn) => {
      // An empty message (no channel byte) is skipped, not a crash.
      conn.send(new Uint8Array());
      send(conn, 1, "done");
      conn.close();
    };
    const cmd = await client().execStream("web-0", ["true"]);
    expect(await text(cmd.stdout)).toBe("done");
    expect(await cmd.exitCode).toBe(0);
  });

  it("a command the client closes is not a failure", async () => {
    script = () => {};
    const cmd = await client().execStream("web-0", ["sleep", "100"]);
    cmd.close();
    expect(await cmd.exitCode).toBe(0);
  });

  it("exec with a terminal: stderr off, resizes sent", async () => {
    script = terminal;
    const cmd = await client().execStream("web-0", ["sh"], { stdin: true, tty: true });
    expect(server().connections.at(-1)!.url.searchParams.get("stderr")).toBe("false");
    const output = text(cmd.stdout);
    cmd.resize({ width: 1, height: 2 });
    cmd.end();
    expect(await output).toBe("[size 1x2]");
    expect(await cmd.exitCode).toBe(2);
  });
});
