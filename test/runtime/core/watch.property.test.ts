/**
 * Properties of the watch decoder: however a stream is cut into chunks, the same events come out;
 * with bad lines among good ones, exactly the events before the first bad line come out, then a
 * SyntaxError; random bytes give events or a SyntaxError, never another error, and never a
 * message that repeats a whole line.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type RawWatchEvent, WatchDecoder } from "../../../runtime/core/watch.js";
import { cutAt } from "../../support/cut.js";

const budget = { numRuns: 300, interruptAfterTimeLimit: 3000 };
const encoder = new TextEncoder();

// As the wire has it: a JSON round trip (-0 becomes 0), so decoded events can equal it.
const event: fc.Arbitrary<RawWatchEvent> = fc
  .record({
    type: fc.constantFrom("ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"),
    object: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
  })
  .map((e) => JSON.parse(JSON.stringify(e)) as RawWatchEvent);

/** Byte lines that are not watch events, each for a reason of its own. */
const badLine: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.string({ minLength: 1 }).map((s) => encoder.encode(`x${s.replace(/\n/g, "")}`)),
  fc.jsonValue().map((v) => encoder.encode(`{"type":"NOPE","object":${JSON.stringify(v) ?? "null"}}`)),
  event.map((e) => encoder.encode(JSON.stringify({ type: e.type }))),
  event.map((e) => encoder.encode(JSON.stringify({ type: e.type, object: [1] }))),
  fc.constant(Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d)),
  fc.jsonValue().map((v) => encoder.encode(JSON.stringify([v]))),
);

const join = (lines: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(lines.reduce((n, l) => n + l.length + 1, 0));
  let offset = 0;
  for (const line of lines) {
    out.set(line, offset);
    out[offset + line.length] = 10;
    offset += line.length + 1;
  }
  return out;
};

/** Feeds the chunks; returns the events handed out and the first error (the decoder's last word). */
function decode(chunks: Uint8Array[], options?: { maxLineBytes?: number }) {
  const decoder = new WatchDecoder(options);
  const events: RawWatchEvent[] = [];
  try {
    for (const chunk of chunks) events.push(...decoder.push(chunk));
    events.push(...decoder.end());
  } catch (err) {
    return { events, error: err };
  }
  return { events, error: undefined };
}

describe("WatchDecoder, property-based", () => {
  it("gives the same events however the stream is cut, with or without blank lines", () => {
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.boolean(),
        (events, points, crlf) => {
          const text = events.map((e) => JSON.stringify(e) + (crlf ? "\r" : "")).join("\n\n");
          const { events: out, error } = decode(cutAt(encoder.encode(text), points));
          expect(error).toBeUndefined();
          expect(out).toEqual(events);
        },
      ),
      budget,
    );
  });

  it("hands out exactly the events before the first bad line, then a SyntaxError naming that line", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { weight: 3, arbitrary: event.map((e) => ({ good: e })) },
            badLine.map((b) => ({ bad: b })),
          ),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        fc.array(fc.nat(), { maxLength: 10 }),
        (lines, points) => {
          const firstBad = lines.findIndex((l) => "bad" in l);
          const bytes = join(
            lines.map((l) => ("good" in l ? encoder.encode(JSON.stringify(l.good)) : l.bad)),
          );
          const { events, error } = decode(cutAt(bytes, points));
          const good = lines.flatMap((l) => ("good" in l ? [l.good] : []));
          if (firstBad < 0) {
            expect(error).toBeUndefined();
            expect(events).toEqual(good);
            return;
          }
          expect(events).toEqual(good.slice(0, firstBad));
          expect(error).toBeInstanceOf(SyntaxError);
          expect((error as Error).message).toMatch(new RegExp(`^watch stream: line ${firstBad + 1}\\b`));
        },
      ),
      budget,
    );
  });

  it("random bytes give events or a SyntaxError, never another error nor a line's text", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 6 }),
        fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
        (chunks, maxLineBytes) => {
          const { error } = decode(chunks, { maxLineBytes });
          if (error === undefined) return;
          expect(error).toBeInstanceOf(SyntaxError);
          const message = (error as Error).message;
          expect(message).toMatch(/^watch stream: line \d+/);
          expect(message.length).toBeLessThan(160);
        },
      ),
      budget,
    );
  });

  it("never keeps more than maxLineBytes of an unfinished line", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 8 }),
        fc.integer({ min: 1, max: 64 }),
        (chunks, max) => {
          const decoder = new WatchDecoder({ maxLineBytes: max });
          let unfinished = 0;
          for (const chunk of chunks) {
            try {
              decoder.push(chunk);
            } catch {
              return;
            }
            const lastNewline = chunk.lastIndexOf(10);
            unfinished = lastNewline < 0 ? unfinished + chunk.length : chunk.length - lastNewline - 1;
            expect(unfinished).toBeLessThanOrEqual(max);
          }
        },
      ),
      budget,
    );
  });
});
