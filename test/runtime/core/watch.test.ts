import { describe, expect, it } from "vitest";
import { WatchDecoder } from "../../../runtime/core/watch.js";

const events = [
  { type: "ADDED", object: { metadata: { name: "ünïcødé-名前" }, data: { emoji: "🚀" } } },
  { type: "BOOKMARK", object: { metadata: { resourceVersion: "12" } } },
  { type: "DELETED", object: { metadata: { name: "b" } } },
];
const encode = (text: string) => new TextEncoder().encode(text);
const stream = encode(`${events.map((e) => JSON.stringify(e)).join("\n")}\n`);

describe("WatchDecoder", () => {
  it("decodes the same events whatever byte the stream is split at, twice over", () => {
    for (let i = 0; i <= stream.length; i++) {
      for (const j of [i, Math.min(stream.length, i + 7)]) {
        const d = new WatchDecoder();
        const out = [
          ...d.push(stream.subarray(0, i)),
          ...d.push(stream.subarray(i, j)),
          ...d.push(stream.subarray(j)),
          ...d.end(),
        ];
        expect(out).toEqual(events);
      }
    }
  });

  it("decodes a stream fed one byte at a time, and a last line without a newline", () => {
    const d = new WatchDecoder();
    const out = [];
    const noFinalNewline = stream.subarray(0, stream.length - 1);
    for (const byte of noFinalNewline) out.push(...d.push(Uint8Array.of(byte)));
    out.push(...d.end());
    expect(out).toEqual(events);
  });

  it("rejects a line that is not JSON, has an unknown type or no object, naming the line but not its text", () => {
    const fail = (text: string) => {
      try {
        new WatchDecoder().push(encode(text));
      } catch (err) {
        expect(err).toBeInstanceOf(SyntaxError);
        return (err as Error).message;
      }
      throw new Error("expected a SyntaxError");
    };
    expect(fail('{"type":"ADDED","object":{"data":{"token":"s3cr3t"}}\n')).toBe(
      "watch stream: line 1 is not JSON (52 bytes)",
    );
    expect(fail(`\n[1]\n`)).toBe("watch stream: line 2 is not a JSON object");
    expect(fail(`{"type":"WHAT","object":{}}\n`)).toBe(
      'watch stream: line 1 has an unknown event type "WHAT"',
    );
    expect(fail(`{"type":"${"X".repeat(100)}s3cr3t","object":{}}\n`)).not.toContain("s3cr3t");
    expect(fail(`{"object":{}}\n`)).toMatch(/unknown event type undefined/);
    for (const object of ["", ',"object":null', ',"object":"s"', ',"object":[]'])
      expect(fail(`{"type":"MODIFIED"${object}}\n`)).toBe(
        "watch stream: line 1: the MODIFIED event has no object",
      );
  });

  it("hands out the events before a bad line first, then throws, and stays failed", () => {
    const good = events.map((e) => JSON.stringify(e)).join("\n");
    const d = new WatchDecoder();
    expect(d.push(encode(`${good}\nnot json\n${JSON.stringify(events[0])}\n`))).toEqual(events);
    expect(() => d.throwIfFailed()).toThrow("line 4 is not JSON");
    expect(() => new WatchDecoder().throwIfFailed()).not.toThrow();
    expect(() => d.push(encode(`${JSON.stringify(events[0])}\n`))).toThrow("line 4 is not JSON");
    expect(() => d.end()).toThrow("line 4 is not JSON");
    // A bad last line without a newline: end() throws after the events.
    const last = new WatchDecoder();
    expect(last.push(encode(`${good}\n{"type":"ADDED"}`))).toEqual(events);
    expect(() => last.end()).toThrow("line 4: the ADDED event has no object");
  });

  it("rejects a line longer than maxLineBytes as soon as it gets that long, without keeping it", () => {
    const d = new WatchDecoder({ maxLineBytes: 64 });
    const line = JSON.stringify({ type: "ADDED", object: { name: "x".repeat(20) } });
    expect(d.push(encode(`${line}\n`))).toHaveLength(1);
    expect(d.push(encode("{".padEnd(40, " ")))).toEqual([]);
    expect(() => d.push(encode(" ".repeat(25)))).toThrow(
      new SyntaxError("watch stream: line 2 is longer than the limit of 64 bytes"),
    );
    expect(d.pending).toBe(false);
    // A whole line inside one chunk counts too, and the events before it come first.
    const big = new WatchDecoder({ maxLineBytes: 64 });
    expect(big.push(encode(`${line}\n${"x".repeat(65)}\n`))).toHaveLength(1);
    expect(() => big.end()).toThrow(/line 2 is longer than the limit of 64 bytes/);
    expect(() => new WatchDecoder({ maxLineBytes: 0 })).toThrow(RangeError);
  });

  it("holds only the unfinished line, and rejects bytes that are not UTF-8", () => {
    const d = new WatchDecoder();
    expect(d.push(stream.subarray(0, 10))).toEqual([]);
    expect(d.pending).toBe(true);
    expect(d.push(stream.subarray(10))).toHaveLength(3);
    expect(d.pending).toBe(false);
    expect(() => new WatchDecoder().push(Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d, 10))).toThrow(
      /not valid UTF-8/,
    );
  });
});
