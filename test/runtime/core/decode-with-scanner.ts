/** A test helper: a body decoded through the list scanner, as a client would decode it. */
import { JsonListScanner, type ListScanSink } from "../../../runtime/core/json-list-scanner.js";

const decoder = new TextDecoder();

/** Decodes a body fed in `chunks` with the scanner, as a client would: head parsed, items run by run. */
export function decodeWithScanner(chunks: Uint8Array[]): { value: unknown; split: boolean; runs: number } {
  const scanner = new JsonListScanner();
  const head: number[] = [];
  let pending: number[] = [];
  const items: unknown[] = [];
  let runs = 0;
  const sink: ListScanSink = {
    head: (bytes, start, end) => head.push(...bytes.subarray(start, end)),
    items: (bytes, start, end, complete) => {
      pending.push(...bytes.subarray(start, end));
      if (!complete) return;
      runs++;
      items.push(...(JSON.parse(`[${decoder.decode(Uint8Array.from(pending))}]`) as unknown[]));
      pending = [];
    },
  };
  for (const chunk of chunks) scanner.scan(chunk, sink);
  scanner.end();
  const value = JSON.parse(decoder.decode(Uint8Array.from(head))) as Record<string, unknown>;
  if (scanner.split && !scanner.duplicateItems) value.items = items;
  return { value, split: scanner.split, runs };
}
