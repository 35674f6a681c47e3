/** The remote-command protocol's pure half: the query, frames, and the error channel's Status. */
import { describe, expect, it } from "vitest";
import {
  attachQuery,
  commandResult,
  decodeFrame,
  encodeClose,
  encodeFrame,
  encodeResize,
  execQuery,
} from "../../../runtime/core/remote-command.js";
import { type Cases, runCases } from "../../support/cases.js";

describe("execQuery", () => {
  it("repeats the command and turns stderr off with a terminal", () => {
    expect(execQuery(["ls", "-l"], {})).toEqual({
      command: ["ls", "-l"],
      container: undefined,
      stdin: false,
      stdout: true,
      stderr: true,
      tty: false,
    });
    expect(execQuery(["sh"], { tty: true, stdin: true, stderr: true })).toMatchObject({
      tty: true,
      stderr: false,
    });
    expect(() => execQuery([], {})).toThrow(/command is empty/);
  });
});

describe("attachQuery", () => {
  it("has the streams and terminal of exec but no command", () => {
    expect(attachQuery({ container: "app" })).toEqual({
      container: "app",
      stdin: false,
      stdout: true,
      stderr: true,
      tty: false,
    });
    expect(attachQuery({ tty: true, stdin: true })).toMatchObject({ tty: true, stdin: true, stderr: false });
  });
});

describe("frames", () => {
  it("prefix the channel byte, close and resize as the protocol says", () => {
    expect([...encodeFrame(0, "hi")]).toEqual([0, 104, 105]);
    expect([...encodeClose(0)]).toEqual([255, 0]);
    expect(new TextDecoder().decode(encodeResize({ width: 80, height: 24 }).subarray(1))).toBe(
      '{"Width":80,"Height":24}',
    );
    expect(encodeResize({ width: 1, height: 1 })[0]).toBe(4);
    const { channel, data } = decodeFrame(Uint8Array.of(2, 65));
    expect([channel, [...data]]).toEqual([2, [65]]);
    expect(() => decodeFrame(new Uint8Array())).toThrow(/no channel/);
  });
});

describe("commandResult", () => {
  const cases: Cases<string, unknown> = [
    ["Success is exit code 0", { given: '{"metadata":{},"status":"Success"}', want: { exitCode: 0 } }],
    [
      "NonZeroExitCode carries the code",
      {
        given: JSON.stringify({
          status: "Failure",
          reason: "NonZeroExitCode",
          details: { causes: [{ reason: "ExitCode", message: "42" }] },
        }),
        want: { exitCode: 42 },
      },
    ],
    [
      "another failure is an error with its message and reason",
      {
        given: JSON.stringify({
          status: "Failure",
          reason: "InternalError",
          code: 500,
          message: "no such container",
        }),
        want: {
          error: {
            message: "no such container",
            reason: "InternalError",
            code: 500,
            status: { status: "Failure", reason: "InternalError", code: 500, message: "no such container" },
          },
        },
      },
    ],
    [
      "text that is not JSON is the error's message",
      { given: "exec failed\n", want: { error: { message: "exec failed" } } },
    ],
  ];
  runCases(cases, commandResult);
});
