/**
 * decodeJsonBody: small bodies parsed whole, large ones as they arrive (the list scanner, then the
 * separator search); either way the value is JSON.parse's, keys in order, however the body is cut;
 * look-alike separators inside items, damaged bodies and empty ones.
 */
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { decodeJsonBody, itemSeparator, JsonBodyError } from "../../../runtime/rest/json-body.js";
import { cutAt } from "../../support/cut.js";

async function* chunksOf(bytes: Buffer, points: number[]): AsyncGenerator<Buffer> {
  // Copies, as sockets give: no chunk shares memory with another.
  for (const chunk of cutAt(bytes, points)) yield Buffer.from(chunk);
}

const json = fc.jsonValue({ maxDepth: 3 });
/** Items that begin as the apiserver writes them, some holding look-alikes of the separator. */
const item = fc.oneof(
  fc.record({ metadata: fc.dictionary(fc.string(), json, { maxKeys: 3 }), spec: json }),
  fc.record({
    metadata: fc.record({ name: fc.string() }),
    spec: fc.record({ templates: fc.array(fc.record({ metadata: json, x: json }), { maxLength: 3 }) }),
  }),
  fc.record({ metadata: fc.constant('}],{"metadata":'), z: json }),
  json,
);
const list = fc
  .record({ items: fc.array(item, { maxLength: 30 }), rv: fc.string(), pretty: fc.boolean() })
  .map(({ items, rv, pretty }) =>
    JSON.stringify(
      { kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: rv }, items },
      null,
      pretty ? 1 : undefined,
    ),
  );

describe("decodeJsonBody", () => {
  it("gives JSON.parse's value for any list cut anyhow, streamed from any size on", async () => {
    await fc.assert(
      fc.asyncProperty(
        list,
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.nat(300),
        async (body, points, threshold) => {
          const bytes = Buffer.from(body);
          const { value } = await decodeJsonBody(chunksOf(bytes, points), threshold);
          expect(JSON.stringify(value)).toBe(JSON.stringify(JSON.parse(body)));
        },
      ),
      { numRuns: 300, interruptAfterTimeLimit: 5000 },
    );
  });

  it("refuses a damaged list as JSON.parse does, with the body's beginning", async () => {
    const damaged = fc.tuple(list, fc.nat(), fc.constantFrom(...'{}[],:"\\x')).map(([body, at, char]) => {
      const i = at % body.length;
      return body.slice(0, i) + char + body.slice(i + 1);
    });
    await fc.assert(
      fc.asyncProperty(damaged, fc.array(fc.nat(), { maxLength: 30 }), async (body, points) => {
        const bytes = Buffer.from(body);
        let want: unknown;
        try {
          want = JSON.parse(bytes.toString());
        } catch {
          const err = await decodeJsonBody(chunksOf(bytes, points), 0).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(JsonBodyError);
          expect(err).toBeInstanceOf(SyntaxError);
          // What was read of the first 200 bytes when the error showed (streaming stops early).
          const excerpt = (err as JsonBodyError).excerpt;
          expect(excerpt.length).toBeGreaterThan(0);
          expect(bytes.toString("utf8", 0, 200).startsWith(excerpt)).toBe(true);
          return;
        }
        const { value } = await decodeJsonBody(chunksOf(bytes, points), 0);
        expect(JSON.stringify(value)).toBe(JSON.stringify(want));
      }),
      { numRuns: 300, interruptAfterTimeLimit: 5000 },
    );
  });

  it("parses a large list's items through the separator search, a run per chunk", async () => {
    const items = Array.from({ length: 200 }, (_, i) => ({ metadata: { name: `pod-${i}` }, spec: { n: i } }));
    const body = Buffer.from(JSON.stringify({ kind: "PodList", metadata: {}, items }));
    const search = vi.spyOn(Buffer.prototype, "lastIndexOf");
    const points = Array.from({ length: 20 }, (_, i) => (i + 1) * 300);
    try {
      const { value, bytes } = await decodeJsonBody(chunksOf(body, points), 0);
      expect(value).toEqual({ kind: "PodList", metadata: {}, items });
      expect(bytes).toBe(body.length);
      // The first chunks go through the scanner; the others are searched for `},{"metadata":{`.
      expect(search.mock.calls.length).toBeGreaterThan(15);
      expect(search.mock.calls.every(([needle]) => String(needle) === '},{"metadata":{')).toBe(true);
    } finally {
      search.mockRestore();
    }
  });

  it("parses a small body whole, and an empty one as nothing", async () => {
    const search = vi.spyOn(Buffer.prototype, "lastIndexOf");
    try {
      const body = Buffer.from('{"kind":"PodList","items":[{"metadata":{}},{"metadata":{}}]}');
      expect((await decodeJsonBody(chunksOf(body, [5, 30, 41]))).value).toEqual(JSON.parse(body.toString()));
      expect(search).not.toHaveBeenCalled();
    } finally {
      search.mockRestore();
    }
    expect(await decodeJsonBody(chunksOf(Buffer.alloc(0), []))).toEqual({ value: undefined, bytes: 0 });
  });

  it("passes on errors of the stream itself", async () => {
    async function* broken(): AsyncGenerator<Buffer> {
      yield Buffer.from('{"items":[');
      throw new Error("socket hang up");
    }
    await expect(decodeJsonBody(broken(), 0)).rejects.toThrow("socket hang up");
  });
});

describe("itemSeparator", () => {
  const sep = (s: string) => itemSeparator(Buffer.from(s))?.toString();
  it("is `},` and the first item's opening, up to its first key's value when a short string", () => {
    expect(sep('{"metadata":{"name":"a"}}')).toBe('},{"metadata":{');
    expect(sep('{"apiVersion":"example.com/v1","kind":"Foo"}')).toBe('},{"apiVersion":"example.com/v1",');
    expect(sep('{"kind":"PartialObjectMetadata"}')).toBe('},{"kind":"PartialObjectMetadata"}');
    expect(sep('{"n":12,"x":1}')).toBe('},{"n":');
  });
  it("is none where a look-alike could lie in a string, or the item is no object", () => {
    expect(sep('{",x":1}')).toBeUndefined();
    expect(sep('{"":1}')).toBeUndefined();
    expect(sep('{" x":1}')).toBeUndefined();
    expect(sep('{"a\\"b":1}')).toBeUndefined();
    expect(sep('{ "a":1}')).toBeUndefined();
    expect(sep("[1]")).toBeUndefined();
    expect(sep('"s"')).toBeUndefined();
  });
});
