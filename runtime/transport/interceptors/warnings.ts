/**
 * The apiserver's `Warning` response headers (deprecations, validation hints) go to a handler; the
 * default prints each distinct warning once to stderr, as kubectl does.
 */
import type { Dispatcher } from "undici";

type Interceptor = Dispatcher.DispatcherComposeInterceptor;

/**
 * Receives each warning's text (the `299 - "..."` wrapper removed).
 *
 * @example
 * HttpClient.forConfig(config, { warningHandler: (text) => log.warn(text) })
 */
export type WarningHandler = (message: string) => void;

/**
 * Prints each distinct warning once as `Warning: <text>`, to stderr unless `write` is given.
 *
 * @example
 * const handler = deduplicatingStderrWarnings();
 */
export function deduplicatingStderrWarnings(
  write: (line: string) => void = (line) => process.stderr.write(line),
): WarningHandler {
  const seen = new Set<string>();
  return (message) => {
    if (seen.has(message)) return;
    seen.add(message);
    write(`Warning: ${message}\n`);
  };
}

/** Parses `299 - "text"` (RFC 7234 warn-code, agent, quoted text); anything else is kept whole. */
export function parseWarning(value: string): string {
  const match = value.match(/^\s*\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"/);
  return match?.[1] !== undefined ? match[1].replace(/\\(.)/g, "$1") : value.trim();
}

const warningValue = /\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"(?:\s+"[^"]*")?/g;

/**
 * Every warning text in a response's `Warning` headers: repeated headers and comma-separated
 * values in one header both count, as client-go's `ParseWarningHeaders`.
 *
 * @example
 * parseWarningHeaders(['299 - "a", 299 - "b"']) // ["a", "b"]
 */
export function parseWarningHeaders(raw: string | string[] | undefined): string[] {
  const out: string[] = [];
  for (const value of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) {
    const found = [...value.matchAll(warningValue)].map((m) => m[1]!.replace(/\\(.)/g, "$1"));
    if (found.length) out.push(...found);
    else if (value.trim()) out.push(value.trim());
  }
  return out;
}

/** The warnings layer: hands the final answer's warnings to `onWarning`. */
export function warnings(onWarning: WarningHandler): Interceptor {
  return (dispatch) => (opts, handler) =>
    dispatch(opts, {
      onRequestStart: (c, ctx) => handler.onRequestStart?.(c, ctx),
      onRequestUpgrade: (c, s, h, sock) => handler.onRequestUpgrade?.(c, s, h, sock),
      onResponseStart(controller, statusCode, headers, statusMessage) {
        for (const text of parseWarningHeaders(headers.warning)) onWarning(text);
        handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
      },
      onResponseData: (c, chunk) => handler.onResponseData?.(c, chunk),
      onResponseEnd: (c, t) => handler.onResponseEnd?.(c, t),
      onResponseError: (c, e) => handler.onResponseError?.(c, e),
    });
}
