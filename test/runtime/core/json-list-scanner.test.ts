/**
 * The list scanner: the ranges it hands out, at every split of the body into two chunks, rebuild
 * what `JSON.parse` of the whole body gives (same values, same key order); separators that are not
 * JSON's fail; only the first `items` array of a top-level object is split.
 */
import { describe, expect, it } from "vitest";
import { JsonListScanner } from "../../../runtime/core/json-list-scanner.js";
import { decodeWithScanner } from "./decode-with-scanner.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Every way of cutting `text` in two. */
function* everySplit(text: string): Generator<Uint8Array[]> {
  const bytes = encoder.encode(text);
  for (let at = 0; at <= bytes.length; at++) yield [bytes.subarray(0, at), bytes.subarray(at)];
}

const bodies: Record<string, string> = {
  "a pod list": JSON.stringify({
    kind: "PodList",
    apiVersion: "v1",
    metadata: { resourceVersion: "12", continue: "" },
    items: [
      {
        metadata: { name: "a", annotations: { x: 'say "}]," \\ ok', "}": "{" } },
        spec: { containers: [{}] },
      },
      { metadata: { name: "b" }, status: { phase: "Running", conditions: [{ type: "Ready" }] } },
      { metadata: { name: "ünïcode ✓ 😀" } },
    ],
  }),
  "items first, metadata after": '{"items":[{"a":1},{"b":[1,2,{"c":"]"}]}],"kind":"List","metadata":{}}',
  "white space everywhere":
    ' \n{ "kind" : "L" , "items" :\t[ { "a" : 1 } ,\r\n { "b" : 2 } ] , "x" : [ ] } \n',
  "an empty list": '{"kind":"PodList","items":[]}',
  "a list without items": '{"kind":"PodList","metadata":{}}',
  "null items": '{"kind":"PodList","items":null}',
  "scalar and nested elements": '{"items":[1,-2.5e3,"s\\"]",true,false,null,[[]],{},"",[1,[2]]]}',
  "escaped key spelling items": '{"\\u0069tems":[{"a":1},{"a":2}],"kind":"x"}',
  "items inside another member, not split": '{"spec":{"items":[1,2]},"other":[{"items":[3]}]}',
  "a duplicate items member (the last wins)": '{"items":[{"a":1}],"kind":"K","items":[{"b":2}]}',
  "a duplicate items member that is not an array": '{"items":[{"a":1}],"items":"no"}',
  "a Status": '{"kind":"Status","apiVersion":"v1","status":"Failure","message":"items [","code":500}',
  "an array": '[{"items":[1]},2]',
  "a string": '"items"',
  "a number": "42",
  "a key that is the word items in a value": '{"note":"items","items":[{"x":"items"}]}',
  "long keys at the top": `{"${"k".repeat(100)}":1,"items":[{}]}`,
};

describe("JsonListScanner", () => {
  for (const [name, body] of Object.entries(bodies)) {
    it(`${name}: every split into two chunks gives JSON.parse's value, keys in order`, () => {
      const want = JSON.stringify(JSON.parse(body));
      for (const chunks of everySplit(body)) {
        const { value } = decodeWithScanner(chunks);
        expect(JSON.stringify(value)).toBe(want);
      }
    });
  }

  it("splits the items of a list, and nothing else", () => {
    expect(decodeWithScanner([encoder.encode(bodies["a pod list"]!)]).split).toBe(true);
    expect(decodeWithScanner([encoder.encode(bodies["escaped key spelling items"]!)]).split).toBe(true);
    for (const name of [
      "a list without items",
      "null items",
      "items inside another member, not split",
      "a Status",
      "an array",
      "a string",
    ])
      expect(decodeWithScanner([encoder.encode(bodies[name]!)]).split, name).toBe(false);
  });

  it("hands out the items of one chunk as one run, and byte by byte still whole items", () => {
    const body = encoder.encode('{"items":[{"a":1},{"a":2},{"a":3}],"k":1}');
    expect(decodeWithScanner([body]).runs).toBe(1);
    const bytes = [...body].map((b) => Uint8Array.of(b));
    const { value, runs } = decodeWithScanner(bytes);
    expect(value).toEqual({ items: [{ a: 1 }, { a: 2 }, { a: 3 }], k: 1 });
    expect(runs).toBe(3);
  });

  it("gives the head's exact ranges", () => {
    const heads: string[] = [];
    const items: string[] = [];
    const scanner = new JsonListScanner();
    scanner.scan(encoder.encode('{"kind":"PodList","items":[{"a":1} , {"b":2}],"x":1}'), {
      head: (b, s, e) => heads.push(decoder.decode(b.subarray(s, e))),
      items: (b, s, e, complete) => items.push(`${decoder.decode(b.subarray(s, e))}${complete ? "" : "…"}`),
    });
    scanner.end();
    expect(heads).toEqual(['{"kind":"PodList","items":[', '],"x":1}']);
    expect(items).toEqual(['{"a":1} , {"b":2}']);
  });

  const bad: Record<string, string> = {
    "a leading comma": '{"items":[,{"a":1}]}',
    "a trailing comma": '{"items":[{"a":1},]}',
    "two commas": '{"items":[{"a":1},,{"a":2}]}',
    "no comma": '{"items":[{"a":1}{"a":2}]}',
    "no comma after a string": '{"items":["a" "b"]}',
    "a stray closing brace": '{"items":[}]}',
    "an unclosed item": '{"items":[{"a":1}',
    "an unclosed string": '{"items":[{"a":"1}]}',
    "an unclosed list": '{"items":[{"a":1}]',
    "garbage after": '{"items":[{"a":1}]}x',
    "a second object": '{"a":1}{"items":[{"a":1}]}',
    "a bad item": '{"items":[{"a":tru}]}',
    "a bad scalar": '{"items":[1,2x]}',
  };
  for (const [name, body] of Object.entries(bad)) {
    it(`${name}: a SyntaxError at every split, as JSON.parse`, () => {
      expect(() => JSON.parse(body)).toThrow(SyntaxError);
      for (const chunks of everySplit(body)) expect(() => decodeWithScanner(chunks)).toThrow(SyntaxError);
    });
  }

  it("says where separators went wrong, counting earlier chunks", () => {
    const scanner = new JsonListScanner();
    const sink = { head() {}, items() {} };
    scanner.scan(encoder.encode('{"items":[{"a":1}'), sink);
    expect(() => scanner.scan(encoder.encode(",,"), sink)).toThrow(
      /Unexpected "," in the items array at position 18/,
    );
  });
});
