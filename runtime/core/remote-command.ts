/**
 * The Kubernetes remote-command protocol (exec and attach over WebSocket), sans-IO: every binary
 * message starts with a channel byte (0 stdin, 1 stdout, 2 stderr, 3 the error channel, 4 terminal
 * resize); `v5.channel.k8s.io` adds a close message (255, then the channel) to end stdin. The error
 * channel carries one `Status`: success, or `NonZeroExitCode` with the exit code in its causes.
 */

import type { QueryValue } from "./request.js";

/** The subprotocols asked for, newest first: v5 (stdin close), then v4 (Status on the error channel). */
export const remoteCommandProtocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"] as const;

export const Channels = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** Options of an exec (or attach): which streams, which container, a terminal. */
export interface ExecOptions {
  container?: string;
  /** Send stdin (default false). */
  stdin?: boolean;
  /** Receive stdout (default true). */
  stdout?: boolean;
  /** Receive stderr (default true; always off with `tty`, where the terminal merges it). */
  stderr?: boolean;
  /** Allocate a terminal. */
  tty?: boolean;
}

/** Options of an attach: which streams, which container, a terminal. */
export type AttachOptions = ExecOptions;

/** The query of an attach: the streams and the terminal, as for exec but with no command. */
export function attachQuery(options: AttachOptions): Record<string, QueryValue> {
  const tty = options.tty ?? false;
  return {
    container: options.container,
    stdin: options.stdin ?? false,
    stdout: options.stdout ?? true,
    stderr: tty ? false : (options.stderr ?? true),
    tty,
  };
}

/** The query of an exec: the command repeated as `command=` parameters, as the apiserver reads it. */
export function execQuery(command: readonly string[], options: ExecOptions): Record<string, QueryValue> {
  if (command.length === 0) throw new RangeError("exec: the command is empty");
  const tty = options.tty ?? false;
  return {
    command: [...command],
    container: options.container,
    stdin: options.stdin ?? false,
    stdout: options.stdout ?? true,
    stderr: tty ? false : (options.stderr ?? true),
    tty,
  };
}

/** One message: the channel byte, then the data. */
export function encodeFrame(channel: number, data: Uint8Array | string): Uint8Array {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const out = new Uint8Array(bytes.length + 1);
  out[0] = channel;
  out.set(bytes, 1);
  return out;
}

/** v5's "no more data on this channel" (used to end stdin). */
export function encodeClose(channel: number): Uint8Array {
  return Uint8Array.of(Channels.close, channel);
}

/** A terminal resize message. */
export function encodeResize(size: { width: number; height: number }): Uint8Array {
  return encodeFrame(Channels.resize, JSON.stringify({ Width: size.width, Height: size.height }));
}

/** A message split into its channel and data. */
export function decodeFrame(message: Uint8Array): { channel: number; data: Uint8Array } {
  if (message.length === 0) throw new SyntaxError("remote command: an empty message has no channel");
  return { channel: message[0] as number, data: message.subarray(1) };
}

/** What the error channel's Status says about the command. */
export type CommandResult =
  | { exitCode: number }
  | { error: { message: string; reason?: string; code?: number; status?: unknown } };

/**
 * Reads the error channel's Status: `Success` is exit code 0, `NonZeroExitCode` carries the code
 * (a cause of reason `ExitCode`); any other failure (the command could not start) is an error.
 */
export function commandResult(text: string): CommandResult {
  let status: {
    status?: string;
    reason?: string;
    message?: string;
    code?: number;
    details?: { causes?: { reason?: string; message?: string }[] };
  };
  try {
    status = JSON.parse(text) as typeof status;
  } catch {
    return { error: { message: text.trim() || "remote command failed" } };
  }
  if (status.status === "Success") return { exitCode: 0 };
  if (status.reason === "NonZeroExitCode") {
    const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
    const code = Number(cause?.message);
    if (Number.isInteger(code)) return { exitCode: code };
  }
  return {
    error: {
      message: status.message ?? "remote command failed",
      reason: status.reason,
      code: status.code,
      status,
    },
  };
}
