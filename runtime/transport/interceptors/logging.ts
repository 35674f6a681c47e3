/**
 * Request logging at kubectl's verbosities, with secrets masked:
 * 6: method, URL, status and time; 7: plus request headers; 8: plus response headers and body
 * excerpts (1 KiB); 9: plus a curl command that repeats the request, and 10 KiB excerpts.
 * `Authorization` (and `Proxy-Authorization`, `Cookie`) values are masked; bodies of Secrets and
 * tokens (`/secrets`, `/token`, `tokenreviews`) are never written, only their size.
 */
import type { Dispatcher } from "undici";
import { headerPairs } from "./headers.js";

type Interceptor = Dispatcher.DispatcherComposeInterceptor;

/**
 * Where request logs go, and how much they say.
 *
 * @example
 * HttpClient.forConfig(config, { logger: { level: 8, write: (line) => console.error(line) } })
 */
export interface RequestLogger {
  /** 6 to 9, as kubectl's `-v`. */
  level: 6 | 7 | 8 | 9;
  write(line: string): void;
}

/** Starts every line of the environment's logger, so it can be told from the program's own output. */
export const environmentLogPrefix = "[kubegen] ";

/**
 * The logger `KUBEGEN_LOG_LEVEL=6..9` asks for, writing to stderr, as kubectl's `-v` does; none
 * when it is unset or out of range. Read when a client is built.
 */
export function loggerFromEnvironment(env: NodeJS.ProcessEnv): RequestLogger | undefined {
  const level = Number(env.KUBEGEN_LOG_LEVEL);
  if (!Number.isInteger(level) || level < 6) return undefined;
  return {
    level: Math.min(level, 9) as RequestLogger["level"],
    write: (line) => process.stderr.write(`${environmentLogPrefix}${line}\n`),
  };
}

/**
 * A header value fit for a log: `Bearer abc…` → `Bearer <masked>`, cookies and proxy credentials
 * masked whole, anything else unchanged.
 */
export function maskHeader(name: string, value: string): string {
  const lower = name.toLowerCase();
  if (lower === "authorization" || lower === "proxy-authorization") {
    const scheme = /^(\w+)\s/.exec(value)?.[1];
    return scheme ? `${scheme} <masked>` : "<masked>";
  }
  if (lower === "cookie" || lower === "set-cookie") return "<masked>";
  return value;
}

/** Paths whose bodies hold secrets (Secret data, service account tokens, token reviews). */
const secretPath = /\/(secrets|tokenreviews|tokenrequests)(\/|\?|$)|\/token(\?|$)/;

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function bodyExcerpt(body: unknown, limit: number): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return body.length > limit ? `${body.slice(0, limit)}…` : body;
  if (body instanceof Uint8Array) {
    const text = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, limit)).toString("utf8");
    return body.byteLength > limit ? `${text}…` : text;
  }
  return "<stream>";
}

function bodySize(body: unknown): string {
  if (typeof body === "string") return `${Buffer.byteLength(body)} bytes`;
  if (body instanceof Uint8Array) return `${body.byteLength} bytes`;
  return "a stream";
}

/**
 * The logging layer. It sits innermost, so it logs each attempt as sent (retries included) with
 * the headers every other layer added.
 */
export function logging(logger: RequestLogger): Interceptor {
  const limit = logger.level >= 9 ? 10_240 : 1024;
  return (dispatch) => (opts, handler) => {
    const started = performance.now();
    const url = `${String(opts.origin ?? "")}${opts.path}`;
    const secret = secretPath.test(opts.path);
    const pairs = headerPairs(opts.headers).map(([k, v]) => [k, maskHeader(k, v)] as const);
    if (logger.level >= 9) {
      const headers = pairs.map(([k, v]) => `-H ${shellQuote(`${k}: ${v}`)}`).join(" ");
      logger.write(`curl -v -X${opts.method} ${headers} ${shellQuote(url)}`);
    }
    if (logger.level >= 7) {
      logger.write(`Request Headers:`);
      for (const [k, v] of pairs) logger.write(`    ${k}: ${v}`);
    }
    if (logger.level >= 8 && opts.body !== undefined && opts.body !== null) {
      logger.write(
        `Request Body: ${secret ? `<redacted: ${bodySize(opts.body)}>` : bodyExcerpt(opts.body, limit)}`,
      );
    }
    let status = 0;
    let excerpt = "";
    let received = 0;
    let compressed = false;
    return dispatch(opts, {
      onRequestStart: (c, ctx) => handler.onRequestStart?.(c, ctx),
      onRequestUpgrade: (c, s, h, sock) => handler.onRequestUpgrade?.(c, s, h, sock),
      onResponseStart(controller, statusCode, headers, statusMessage) {
        status = statusCode;
        const text = statusMessage ? ` ${statusMessage}` : "";
        logger.write(
          `${opts.method} ${url} ${statusCode}${text} in ${Math.round(performance.now() - started)} milliseconds`,
        );
        compressed = headers["content-encoding"] !== undefined && headers["content-encoding"] !== "identity";
        if (logger.level >= 8) {
          logger.write("Response Headers:");
          for (const [k, v] of Object.entries(headers)) {
            const value = Array.isArray(v) ? v.join(", ") : String(v);
            logger.write(`    ${k}: ${maskHeader(k, value)}`);
          }
        }
        handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
      },
      onResponseData(controller, chunk) {
        received += chunk.length;
        if (logger.level >= 8 && !secret && !compressed && excerpt.length < limit)
          excerpt += chunk.toString("utf8").slice(0, limit - excerpt.length);
        handler.onResponseData?.(controller, chunk);
      },
      onResponseEnd(controller, trailers) {
        if (logger.level >= 8 && received > 0) {
          if (secret) logger.write(`Response Body: <redacted: ${received} bytes>`);
          else if (compressed) logger.write(`Response Body: <compressed: ${received} bytes>`);
          else logger.write(`Response Body: ${excerpt}${received > Buffer.byteLength(excerpt) ? "…" : ""}`);
        }
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
