import { describe, expect, it } from "vitest";
import { WatchDecoder } from "../../../runtime/core/watch.js";

const events = [
  { type: "ADDED", object: { metadata: { name: "ünïcødé-名前" }, data: { emoji: "🚀" } } },
  { type: "BOOKMARK", object: { metadata: { resourceVersion: "12" } } },
  { type: "DELETED", object: { metadata: { name: "b" } } },
];
const stream = new TextEncoder().encode(`${events.map((e) => JSON.stringify(e)).join("\n")}\n`);

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

  it("rejects a line that is not JSON or has an unknown type", () => {
    expect(() => new WatchDecoder().push(new TextEncoder().encode("nope\n"))).toThrow(/not JSON/);
    expect(() => new WatchDecoder().push(new TextEncoder().encode('{"type":"WHAT","object":{}}\n'))).toThrow(
      /unknown event type/,
    );
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
