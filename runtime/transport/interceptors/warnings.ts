/**
 * The apiserver's `Warning` response headers (deprecations, validation hints) go to a handler; the
 * default prints each distinct warning once to stderr, as kubectl does.
 */
import type { Dispatcher } from "undici";

type Interceptor = Dispatcher.DispatcherComposeInterceptor;

/** Receives each warning's text (the `299 - "..."` wrapper removed). */
export type WarningHandler = (message: string) => void;

/** Prints each distinct warning once to stderr. */
export function deduplicatingStderrWarnings(): WarningHandler {
  const seen = new Set<string>();
  return (message) => {
    if (seen.has(message)) return;
    seen.add(message);
    process.stderr.write(`Warning: ${message}\n`);
  };
}

/** Parses `299 - "text"` (RFC 7234 warn-code, agent, quoted text); anything else is kept whole. */
export function parseWarning(value: string): string {
  const match = value.match(/^\s*\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"/);
  return match?.[1] !== undefined ? match[1].replace(/\\(.)/g, "$1") : value.trim();
}

export function warnings(onWarning: WarningHandler): Interceptor {
  return (dispatch) => (opts, handler) =>
    dispatch(opts, {
      ...handler,
      onRequestStart: (c, ctx) => handler.onRequestStart?.(c, ctx),
      onRequestUpgrade: (c, s, h, sock) => handler.onRequestUpgrade?.(c, s, h, sock),
      onResponseStart(controller, statusCode, headers, statusMessage) {
        const raw = headers.warning;
        for (const value of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw])
          onWarning(parseWarning(value));
        handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
      },
      onResponseData: (c, chunk) => handler.onResponseData?.(c, chunk),
      onResponseEnd: (c, t) => handler.onResponseEnd?.(c, t),
      onResponseError: (c, e) => handler.onResponseError?.(c, e),
    });
}
