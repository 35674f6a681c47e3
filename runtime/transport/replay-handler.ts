/**
 * A dispatch handler that may answer "not this response; send the request again". Retry-After,
 * 401-refresh and redirects build on it: they look at the status and headers, and either pass the
 * response on untouched, drop it and dispatch the request (or a changed one) again after a delay,
 * or drop it and fail. A request whose body is a stream is never replayed (it cannot be sent
 * twice), and an abort during the delay ends the request at once.
 */
import type { Duplex } from "node:stream";
import type { Dispatcher } from "undici";
import { sendAfter } from "./handler.js";

type Dispatch = Dispatcher["dispatch"];
type Handler = Dispatcher.DispatchHandler;
type Controller = Dispatcher.DispatchController;
type Headers = Parameters<NonNullable<Handler["onResponseStart"]>>[2];

/**
 * What to do with a response or an error: pass it on (or, with `error`, fail with that instead of
 * the response), or send the request again after `delayMs` (`opts` when it changes, e.g. a redirect).
 */
export type ReplayDecision =
  | { replay: false; error?: Error }
  | { replay: true; delayMs: number; before?: () => void; opts?: Dispatcher.DispatchOptions };

/** Decides, per response or error of an attempt, whether the request is sent again. */
export interface ReplayPolicy {
  /** Called on the response status and headers of attempt number `attempt` (0-based), sent as `opts`. */
  onResponse?(
    statusCode: number,
    headers: Headers,
    attempt: number,
    opts: Dispatcher.DispatchOptions,
  ): ReplayDecision;
  /** Called when the attempt failed before a response started. */
  onError?(error: Error, attempt: number): ReplayDecision;
}

const passOn: ReplayDecision = { replay: false };

/** Whether the request body can be sent twice (a stream cannot). */
export function isReplayable(opts: Dispatcher.DispatchOptions): boolean {
  const body = opts.body;
  return body === undefined || body === null || typeof body === "string" || body instanceof Uint8Array;
}

/**
 * Wraps the caller's handler for one attempt; `policy` decides per response or error whether the
 * attempt counts or the request is sent again.
 */
export class ReplayHandler implements Handler {
  readonly #dispatch: Dispatch;
  readonly #opts: Dispatcher.DispatchOptions;
  readonly #handler: Handler;
  readonly #policy: ReplayPolicy;
  readonly #attempt: number;
  #replay: (ReplayDecision & { replay: true }) | undefined;
  /** Set when the policy turned the response into this error: the body is drained, then it fails. */
  #failure: Error | undefined;
  #started = false;
  /** Set once this attempt handed the request to the next one: later events are stale. */
  #superseded = false;

  constructor(
    dispatch: Dispatch,
    opts: Dispatcher.DispatchOptions,
    handler: Handler,
    policy: ReplayPolicy,
    attempt = 0,
  ) {
    this.#dispatch = dispatch;
    this.#opts = opts;
    this.#handler = handler;
    this.#policy = policy;
    this.#attempt = attempt;
  }

  onRequestStart(controller: Controller, context: unknown): void {
    this.#handler.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(controller: Controller, statusCode: number, headers: Headers, socket: Duplex): void {
    this.#handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(
    controller: Controller,
    statusCode: number,
    headers: Headers,
    statusMessage?: string,
  ): void {
    // The policy always hears of the response (it may have side effects, such as invalidating
    // credentials), but a streamed body cannot be sent twice.
    const decision = this.#policy.onResponse?.(statusCode, headers, this.#attempt, this.#opts) ?? passOn;
    if (decision.replay && isReplayable(decision.opts ?? this.#opts)) {
      this.#replay = decision;
      return;
    }
    if (!decision.replay && decision.error) {
      this.#failure = decision.error;
      return;
    }
    this.#started = true;
    this.#handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (!this.#replay && !this.#failure) this.#handler.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Controller, trailers: Headers): void {
    if (this.#replay) {
      this.#again(this.#replay);
      return;
    }
    if (this.#failure) {
      this.#handler.onResponseError?.(controller, this.#failure);
      return;
    }
    this.#handler.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Controller, error: Error): void {
    if (this.#superseded) return;
    if (this.#failure) {
      // The policy's error says more than a broken body that was going to be dropped anyway.
      this.#handler.onResponseError?.(controller, this.#failure);
      return;
    }
    if (!this.#started && !this.#replay && isReplayable(this.#opts)) {
      const decision = this.#policy.onError?.(error, this.#attempt) ?? passOn;
      if (decision.replay) {
        this.#again(decision);
        return;
      }
    }
    this.#handler.onResponseError?.(controller, error);
  }

  #again(decision: ReplayDecision & { replay: true }): void {
    this.#superseded = true;
    const opts = decision.opts ?? this.#opts;
    const next = new ReplayHandler(this.#dispatch, opts, this.#handler, this.#policy, this.#attempt + 1);
    sendAfter(decision.delayMs, opts, this.#handler, () => {
      decision.before?.();
      this.#dispatch(opts, next);
    });
  }
}
