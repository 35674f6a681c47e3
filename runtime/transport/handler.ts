/**
 * Small helpers for interceptors that hold a request back (rate limiting, a Retry-After wait,
 * fetching credentials) before it reaches the connection: they must still end it promptly when
 * the caller's `AbortSignal` fires, and report their own failures through the handler.
 */
import type { Dispatcher } from "undici";

type Handler = Dispatcher.DispatchHandler;
type Controller = Dispatcher.DispatchController;

/** The caller's signal, which undici's `request()` leaves on the dispatch options. */
export function signalOf(opts: Dispatcher.DispatchOptions): AbortSignal | undefined {
  const signal = (opts as { signal?: unknown }).signal;
  return signal instanceof AbortSignal ? signal : undefined;
}

/** A controller for a request that never reached a connection. */
function detachedController(reason: Error): Controller {
  return {
    abort() {},
    pause() {},
    resume() {},
    aborted: true,
    paused: false,
    reason,
  };
}

/** Ends a request that failed before it was sent. */
export function failBeforeStart(handler: Handler, error: Error): void {
  handler.onResponseError?.(detachedController(error), error);
}

function abortReason(signal: AbortSignal): Error {
  const reason = signal.reason as unknown;
  return reason instanceof Error ? reason : new DOMException("This operation was aborted", "AbortError");
}

/**
 * Runs `send` after `delayMs`, unless the request's signal fires first: then the request ends
 * at once with the signal's reason instead of waiting out the delay.
 */
export function sendAfter(
  delayMs: number,
  opts: Dispatcher.DispatchOptions,
  handler: Handler,
  send: () => void,
): void {
  const signal = signalOf(opts);
  if (signal?.aborted) {
    failBeforeStart(handler, abortReason(signal));
    return;
  }
  if (delayMs <= 0) {
    send();
    return;
  }
  const onAbort = () => {
    clearTimeout(timer);
    failBeforeStart(handler, abortReason(signal!));
  };
  const timer = setTimeout(() => {
    signal?.removeEventListener("abort", onAbort);
    send();
  }, delayMs);
  signal?.addEventListener("abort", onAbort, { once: true });
}
