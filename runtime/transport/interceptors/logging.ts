/**
 * Request logging at kubectl's verbosities, with secrets masked:
 * 6 — method, URL, status and time; 7 — plus request headers; 8 — plus response headers and a
 * body excerpt; 9 — plus a curl command that repeats the request. `Authorization` and
 * `Impersonate-*` values are never written in full.
 */
import type { Dispatcher } from "undici";
import { headerPairs } from "./headers.js";

type Interceptor = Dispatcher.DispatcherComposeInterceptor;

export interface RequestLogger {
  /** 6 to 9, as kubectl's `-v`. */
  level: 6 | 7 | 8 | 9;
  write(line: string): void;
}

/** `Bearer abc…` → `Bearer <masked>`; other secrets likewise. */
export function maskHeader(name: string, value: string): string {
  const lower = name.toLowerCase();
  if (lower === "authorization") return value.replace(/^(\w+)\s+.*$/, "$1 <masked>");
  if (lower === "cookie" || lower === "proxy-authorization") return "<masked>";
  return value;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function logging(logger: RequestLogger): Interceptor {
  return (dispatch) => (opts, handler) => {
    const started = performance.now();
    const url = `${String(opts.origin ?? "")}${opts.path}`;
    const pairs = headerPairs(opts.headers).map(([k, v]) => [k, maskHeader(k, v)] as const);
    if (logger.level >= 9) {
      const headers = pairs.map(([k, v]) => `-H ${shellQuote(`${k}: ${v}`)}`).join(" ");
      logger.write(`curl -v -X${opts.method} ${headers} ${shellQuote(url)}`);
    }
    if (logger.level >= 7) {
      logger.write(`Request Headers:`);
      for (const [k, v] of pairs) logger.write(`    ${k}: ${v}`);
    }
    let status = 0;
    let excerpt = "";
    return dispatch(opts, {
      onRequestStart: (c, ctx) => handler.onRequestStart?.(c, ctx),
      onRequestUpgrade: (c, s, h, sock) => handler.onRequestUpgrade?.(c, s, h, sock),
      onResponseStart(controller, statusCode, headers, statusMessage) {
        status = statusCode;
        logger.write(
          `${opts.method} ${url} ${statusCode} ${statusMessage ?? ""} in ${Math.round(performance.now() - started)} milliseconds`.replace(
            /\s+in/,
            " in",
          ),
        );
        if (logger.level >= 8) {
          logger.write("Response Headers:");
          for (const [k, v] of Object.entries(headers))
            logger.write(`    ${k}: ${Array.isArray(v) ? v.join(", ") : v}`);
        }
        handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
      },
      onResponseData(controller, chunk) {
        if (logger.level >= 8 && excerpt.length < 1024)
          excerpt += chunk.toString("utf8").slice(0, 1024 - excerpt.length);
        handler.onResponseData?.(controller, chunk);
      },
      onResponseEnd(controller, trailers) {
        if (logger.level >= 8 && excerpt) logger.write(`Response Body: ${excerpt}`);
        handler.onResponseEnd?.(controller, trailers);
      },
      onResponseError(controller, error) {
        if (!status)
          logger.write(
            `${opts.method} ${url} failed after ${Math.round(performance.now() - started)} milliseconds: ${error.message}`,
          );
        handler.onResponseError?.(controller, error);
      },
    });
  };
}
