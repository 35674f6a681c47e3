/**
 * Lines of a byte stream, for followed pod logs: bytes are decoded as UTF-8 across chunk
 * boundaries (a character split between chunks comes out whole), and each `\n`-ended line is
 * handed out without its end (`\r\n` too). The last line is handed out even without a newline.
 * Sans-IO: it takes any async iterable of byte chunks.
 */

/** The default longest line: 16 MiB, far beyond any log line, so a stream without newlines cannot grow without bound. */
export const defaultMaxLineBytes = 16 * 1024 * 1024;

/**
 * Yields the lines of `chunks`. A line longer than `maxLineBytes` (counted in UTF-16 units of the
 * decoded text, near enough to bytes for a limit) ends the iteration with a `RangeError`.
 *
 * @example
 * for await (const line of readLines(await pods.streamLogs("web-0", { follow: true, signal }))) console.log(line);
 */
export async function* readLines(
  chunks: AsyncIterable<Uint8Array>,
  maxLineBytes = defaultMaxLineBytes,
): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder("utf-8");
  let pending = "";
  for await (const chunk of chunks) {
    pending += decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n", start)) {
      const end = nl > start && pending.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield pending.slice(start, end);
      start = nl + 1;
    }
    pending = pending.slice(start);
    if (pending.length > maxLineBytes) throw new RangeError(`a line is longer than ${maxLineBytes} bytes`);
  }
  pending += decoder.decode();
  if (pending.length > 0) yield pending.endsWith("\r") ? pending.slice(0, -1) : pending;
}
