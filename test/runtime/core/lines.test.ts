/** `readLines`: lines of a byte stream split anywhere, multi-byte characters and CRLF included. */
import { describe, expect, it } from "vitest";
import { readLines } from "../../../runtime/core/lines.js";

async function* chunked(text: string, sizes: number[]): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  for (const size of sizes) {
    yield bytes.subarray(at, at + size);
    at += size;
  }
  if (at < bytes.length) yield bytes.subarray(at);
}

const collect = async (source: AsyncIterable<string>) => {
  const out: string[] = [];
  for await (const line of source) out.push(line);
  return out;
};

describe("readLines", () => {
  it("splits lines across chunk boundaries, inside multi-byte characters too", async () => {
    const text = "héllo wörld\n€ 2\r\n\nlast without newline";
    // Every split point, one byte at a time and in uneven pieces.
    const want = ["héllo wörld", "€ 2", "", "last without newline"];
    expect(await collect(readLines(chunked(text, Array(64).fill(1))))).toEqual(want);
    expect(await collect(readLines(chunked(text, [2, 3, 5, 7, 11])))).toEqual(want);
    expect(await collect(readLines(chunked(text, [])))).toEqual(want);
  });

  it("hands out nothing for an empty stream and no empty last line after a final newline", async () => {
    expect(await collect(readLines(chunked("", [])))).toEqual([]);
    expect(await collect(readLines(chunked("a\nb\n", [1])))).toEqual(["a", "b"]);
  });

  it("stops a line that never ends at the limit", async () => {
    await expect(collect(readLines(chunked("x".repeat(100), [10, 10, 10, 10, 10, 10]), 25))).rejects.toThrow(
      /longer than 25 bytes/,
    );
  });
});
