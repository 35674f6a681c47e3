/**
 * Exec over WebSocket against a small local server that speaks the remote-command protocol
 * (v5.channel.k8s.io / v4.channel.k8s.io) the way the apiserver relays it: the request (path,
 * repeated `command`, stream flags, credentials through the same transport), stdout and stderr,
 * stdin and its v5 close, the exit code from the error channel's Status, and failures.
 */
import { describe, expect, it } from "vitest";
import { isStatusError } from "../../../runtime/errors.js";
import { usePodStreamServer, type WsConnection } from "../../support/ws-server.js";

let script: (conn: WsConnection) => void = () => {};
let protocolChoice = "v5.channel.k8s.io";

const send = (conn: WsConnection, channel: number, data: string) =>
  conn.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));

const streams = usePodStreamServer(
  ["exec"],
  () => protocolChoice,
  (conn) => script(conn),
);
const server = () => streams.server();
const client = () => streams.client();
const success = JSON.stringify({ metadata: {}, status: "Success" });

describe("exec", () => {
  it("runs a command: the request, stdout, stderr and exit code 0", async () => {
    protocolChoice = "v5.channel.k8s.io";
    script = (conn) => {
      send(conn, 1, "hello ");
      send(conn, 2, "a warning");
      send(conn, 1, "world\n");
      send(conn, 3, success);
      conn.close();
    };
    const result = await client().exec("web-0", ["sh", "-c", "echo hello world"], { container: "app" });
    expect(result).toEqual({ stdout: "hello world\n", stderr: "a warning", exitCode: 0 });
    const request = server().connections.at(-1)!;
    const url = request.url;
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
    expect(request.authorization).toBe("Bearer stream-test-token");
  });

  it("reads a non-zero exit code from the error channel's Status", async () => {
    script = (conn) => {
      send(
        conn,
        3,
        JSON.stringify({
          status: "Failure",
          reason: "NonZeroExitCode",
          message: "command terminated with non-zero exit code: error executing command [false], exit code 3",
          details: { causes: [{ reason: "ExitCode", message: "3" }] },
        }),
      );
      conn.close();
    };
    expect((await client().exec("web-0", ["false"])).exitCode).toBe(3);
  });

  it("sends stdin and ends it with v5's close", async () => {
    script = (conn) => {
      const stdin: string[] = [];
      conn.onMessage((m) => {
        if (m[0] === 0) stdin.push(m.subarray(1).toString());
        if (m[0] === 255 && m[1] === 0) {
          send(conn, 1, stdin.join(""));
          send(conn, 3, success);
          conn.close();
        }
      });
    };
    const result = await client().exec("web-0", ["cat"], { stdin: "piped input" });
    expect(result).toEqual({ stdout: "piped input", stderr: "", exitCode: 0 });
    expect(server().connections.at(-1)!.url.searchParams.get("stdin")).toBe("true");
  });

  it("fails with the Status when the command cannot run", async () => {
    script = (conn) => {
      send(
        conn,
        3,
        JSON.stringify({
          status: "Failure",
          reason: "InternalError",
          code: 500,
          message: 'container "nope" not found',
        }),
      );
      conn.close();
    };
    const failed = await client()
      .exec("web-0", ["ls"], { container: "nope" })
      .catch((e: unknown) => e);
    expect(isStatusError(failed)).toBe(true);
    expect(String(failed)).toContain('container "nope" not found');
  });

  it("cannot end stdin on a v4 server, and says so", async () => {
    protocolChoice = "v4.channel.k8s.io";
    script = (conn) => {
      setTimeout(() => {
        send(conn, 3, success);
        conn.close();
      }, 50);
    };
    const cmd = await client().execStream("web-0", ["cat"], { stdin: true });
    expect(cmd.protocol).toBe("v4.channel.k8s.io");
    expect(() => cmd.end()).toThrow(/needs v5.channel.k8s.io/);
    expect(await cmd.exitCode).toBe(0);
  });
});
