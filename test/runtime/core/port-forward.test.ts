/**
 * The port-forward protocol's pure half: kubectl's `[local:]remote` syntax, the query, the data
 * frames, and the decoder, whose output is the same at every split of each channel's bytes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  encodePortData,
  PortForwardDecoder,
  type PortForwardEvent,
  parsePortMapping,
  portForwardQuery,
} from "../../../runtime/core/port-forward.js";
import { type Cases, runCases } from "../../support/cases.js";

describe("parsePortMapping", () => {
  const cases: Cases<string | number, unknown> = [
    ["one port is both", { given: "8080", want: { local: 8080, remote: 8080 } }],
    ["a number is both", { given: 443, want: { local: 443, remote: 443 } }],
    ["local:remote", { given: "5000:80", want: { local: 5000, remote: 80 } }],
    ["an empty local port is any free one", { given: ":80", want: { local: 0, remote: 80 } }],
    ["0 is any free one", { given: "0:80", want: { local: 0, remote: 80 } }],
  ];
  runCases(cases, parsePortMapping);

  it("refuses what is not a port", () => {
    for (const bad of ["", "x", "80:", "0", "1:0", "65536", "1:65536", "-1", "8080:80:1", " 80", "1e3"])
      expect(() => parsePortMapping(bad), bad).toThrow(RangeError);
    expect(parsePortMapping({ local: 0, remote: 22 })).toEqual({ local: 0, remote: 22 });
    expect(() => parsePortMapping({ local: 0, remote: 0 })).toThrow(/remote port 0 is out of range/);
  });
});

describe("portForwardQuery and encodePortData", () => {
  it("repeat ports= and put the data channel of the port's index first", () => {
    expect(portForwardQuery([80, 443])).toEqual({ ports: ["80", "443"] });
    expect(() => portForwardQuery([])).toThrow(/no port/);
    expect(() => portForwardQuery([70000])).toThrow(/out of range/);
    expect([...encodePortData(0, Uint8Array.of(1, 2))]).toEqual([0, 1, 2]);
    expect([...encodePortData(2, Uint8Array.of(9))]).toEqual([4, 9]);
  });
});

/** A channel's whole byte stream as the server writes it: the port (little endian), then the bytes. */
function channelStream(port: number, body: Uint8Array): Uint8Array {
  return Uint8Array.of(port & 0xff, port >> 8, ...body);
}

/** Decodes messages and joins what came out per channel. */
function collect(decoder: PortForwardDecoder, messages: Uint8Array[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const m of messages)
    for (const e of decoder.decode(m) as PortForwardEvent[]) {
      const key = `${e.type}:${e.index}:${e.port}`;
      out[key] = [...(out[key] ?? []), ...e.data];
    }
  return out;
}

describe("PortForwardDecoder", () => {
  it("reads the port prefix, then data and error bytes (KWOK's answers, as seen through the apiserver)", () => {
    const d = new PortForwardDecoder([8080]);
    expect(d.started).toBe(false);
    // The server's first messages: each channel's port, 8080 = 0x1f90.
    expect(d.decode(Uint8Array.of(0, 0x90, 0x1f))).toEqual([]);
    expect(d.decode(Uint8Array.of(1, 0x90, 0x1f))).toEqual([]);
    expect(d.started).toBe(true);
    const [data] = d.decode(Uint8Array.of(0, 104, 105));
    expect(data).toMatchObject({ type: "data", index: 0, port: 8080 });
    expect([...data!.data]).toEqual([104, 105]);
    const [error] = d.decode(Uint8Array.of(1, ...new TextEncoder().encode("no forward found")));
    expect(error?.type).toBe("error");
    expect(new TextDecoder().decode(error?.data)).toBe("no forward found");
  });

  it("refuses an empty message, an unknown channel and a port that was not asked for", () => {
    const d = new PortForwardDecoder([80, 443]);
    expect(() => d.decode(new Uint8Array())).toThrow(/no channel/);
    expect(() => d.decode(Uint8Array.of(4, 0))).toThrow(/channel 4 is not one of the 4/);
    expect(() => d.decode(Uint8Array.of(2, 80, 0))).toThrow(/port 80, not 443/);
  });

  it("gives the same bytes at every split of every channel, the port number included", () => {
    const body = new TextEncoder().encode("hello, pod");
    const err = new TextEncoder().encode("boom");
    const ports = [8080, 443];
    const streams: [number, Uint8Array][] = [
      [0, channelStream(8080, body)],
      [1, channelStream(8080, err)],
      [2, channelStream(443, body.subarray(0, 3))],
      [3, channelStream(443, new Uint8Array())],
    ];
    const want = {
      "data:0:8080": [...body],
      "error:0:8080": [...err],
      "data:1:443": [...body.subarray(0, 3)],
    };
    for (const [channel, stream] of streams)
      for (let at = 0; at <= stream.length; at++) {
        const messages = streams.flatMap(([c, s]) =>
          c === channel
            ? [Uint8Array.of(c, ...s.subarray(0, at)), Uint8Array.of(c, ...s.subarray(at))]
            : [Uint8Array.of(c, ...s)],
        );
        expect(collect(new PortForwardDecoder(ports), messages), `channel ${channel} split at ${at}`).toEqual(
          want,
        );
      }
  });

  it("property: any cutting of the channels into messages, interleaved, gives the same bytes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.uint8Array({ maxLength: 20 }), { minLength: 6, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (ports, bodies, cuts) => {
          const channels = ports.flatMap((p, i) => [
            channelStream(p, bodies[2 * i] ?? new Uint8Array()),
            channelStream(p, bodies[2 * i + 1] ?? new Uint8Array()),
          ]);
          // Cut each channel's stream in pieces, then interleave the pieces round robin.
          const pieces = channels.map((s, c) => {
            const points = [...new Set(cuts.map((x) => x % (s.length + 1)))].sort((a, b) => a - b);
            const out: Uint8Array[] = [];
            let from = 0;
            for (const p of [...points, s.length]) {
              if (p > from) out.push(Uint8Array.of(c, ...s.subarray(from, p)));
              from = Math.max(from, p);
            }
            return out;
          });
          const messages: Uint8Array[] = [];
          for (let round = 0; pieces.some((p) => p.length > round); round++)
            for (const p of pieces) if (p[round]) messages.push(p[round] as Uint8Array);
          const want: Record<string, number[]> = {};
          ports.forEach((p, i) => {
            const data = bodies[2 * i] ?? new Uint8Array();
            const error = bodies[2 * i + 1] ?? new Uint8Array();
            if (data.length) want[`data:${i}:${p}`] = [...data];
            if (error.length) want[`error:${i}:${p}`] = [...error];
          });
          const decoder = new PortForwardDecoder(ports);
          expect(collect(decoder, messages)).toEqual(want);
          expect(decoder.started).toBe(true);
        },
      ),
      { numRuns: 300, interruptAfterTimeLimit: 3000 },
    );
  });
});
