/**
 * Retries as client-go's `rest.WithRetry`: a 429 or 5xx answer that carries `Retry-After` is sent
 * again after that many seconds (any verb, up to `maxRetries` times); a connection reset or early
 * EOF is retried after 1 s for GET only. Streamed request bodies are never retried.
 */
import type { Dispatcher } from "undici";
import { retryAfterSeconds } from "../../core/retry-after.js";
import { type ReplayDecision, ReplayHandler } from "../replay-handler.js";

type Interceptor = Dispatcher.DispatcherComposeInterceptor;

/** Limits of the retry layer. */
export interface RetryOptions {
  /** Default 10, as client-go. */
  maxRetries?: number;
  /** Upper bound of one wait, in seconds (default 60). */
  maxDelaySeconds?: number;
}

/**
 * Connection reset and early EOF, as client-go's `IsConnectionReset`/`IsProbableEOF` (undici says
 * `UND_ERR_SOCKET` for "other side closed"). A refused connection is not retried: nothing listens,
 * and waiting 10 s to say so helps nobody.
 */
const connectionErrors = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET"]);

/**
 * The retry layer.
 *
 * @example
 * agent.compose(retry({ maxRetries: 3 }))
 */
export function retry(options: RetryOptions = {}): Interceptor {
  const maxRetries = options.maxRetries ?? 10;
  const maxDelay = options.maxDelaySeconds ?? 60;
  return (dispatch) => (opts, handler) => {
    const policy = {
      onResponse(
        status: number,
        headers: Record<string, string | string[] | undefined>,
        attempt: number,
      ): ReplayDecision {
        if (attempt >= maxRetries || !(status === 429 || status >= 500)) return { replay: false };
        const seconds = retryAfterSeconds(headers["retry-after"]);
        if (seconds === undefined) return { replay: false };
        return { replay: true, delayMs: Math.min(seconds, maxDelay) * 1000 };
      },
      onError(error: Error, attempt: number): ReplayDecision {
        const code = (error as { code?: string }).code;
        const retriable = opts.method === "GET" && code !== undefined && connectionErrors.has(code);
        if (!retriable || attempt >= maxRetries) return { replay: false };
        return { replay: true, delayMs: 1000 };
      },
    };
    return dispatch(opts, new ReplayHandler(dispatch, opts, handler, policy));
  };
}
