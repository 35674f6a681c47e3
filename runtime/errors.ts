/**
 * Errors from the apiserver and the transport, and client-go's `apierrors` predicates.
 *
 * A non-2xx answer whose body is a `metav1.Status` becomes a `StatusError` carrying it; any other
 * non-2xx answer becomes a `StatusError` with a Status synthesized as client-go's
 * `NewGenericServerResponse` does (reason from the code), whose message keeps the code, method, URL
 * (without credentials or query) and an excerpt of the body. Failures before or instead of an answer
 * are `TransportError`s with a stable `code`. Brands use `Symbol.for`, so `instanceof` and the
 * predicates work across duplicate installs of the package; the predicates also look through
 * `cause` chains, as Go's `errors.As` does.
 */

import { retryAfterSeconds } from "./core/retry-after.js";
import { redactUrl } from "./core/url.js";

/** `metav1.StatusCause` */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** `metav1.StatusDetails` */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** `metav1.Status`: the apiserver's answer for errors and some deletes. */
export interface Status {
  apiVersion?: "v1";
  kind?: "Status";
  metadata?: { resourceVersion?: string; continue?: string };
  status?: "Success" | "Failure";
  message?: string;
  /** Machine-readable reason: `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, ... */
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

const statusErrorBrand = Symbol.for("kubegen.StatusError");

/**
 * A URL fit for messages: no user info, no query (which may carry tokens), no fragment. The
 * runtime's one URL redactor (`redactUrl` of runtime/core/url.ts), under the name this module
 * has always exported.
 *
 * @example
 * safeUrl("https://u:p@host/api/v1/pods?token=x") // "https://host/api/v1/pods"
 */
export const safeUrl: (url: string) => string = redactUrl;

/**
 * An error answer from the apiserver, with its `Status` (client-go's `apierrors.StatusError`).
 *
 * @example
 * try { await pods.get("x"); } catch (err) { if (isNotFound(err)) ...; else throw err; }
 */
export class StatusError extends Error {
  override readonly name = "StatusError";
  /** The apiserver's `metav1.Status` (or the one synthesized from a non-Status answer). */
  readonly status: Status;
  /** HTTP status code (0 for a watch ERROR event without one). */
  readonly code: number;
  /** `Status.reason`: `NotFound`, `Conflict`, ... (`""` when the Status has none). */
  readonly reason: string;
  /** The request's method, when known. */
  readonly method: string | undefined;
  /** The request's URL, without credentials or query. */
  readonly url: string | undefined;
  readonly [statusErrorBrand] = true;

  constructor(status: Status, request?: { method?: string; url?: string }) {
    const code = status.code ?? 0;
    const url = request?.url === undefined ? undefined : redactUrl(request.url);
    const where = request?.method && url ? ` (${request.method} ${url})` : "";
    super(`${status.message || status.reason || `HTTP ${code}`}${where}`);
    this.status = status;
    this.code = code;
    this.reason = status.reason ?? "";
    this.method = request?.method;
    this.url = url;
  }

  /** `Status.details.causes`: which fields were invalid, for a 422 (empty when none). */
  get causes(): StatusCause[] {
    return this.status.details?.causes ?? [];
  }

  /** `Status.details.retryAfterSeconds`, when the server suggested a delay. */
  get retryAfterSeconds(): number | undefined {
    return this.status.details?.retryAfterSeconds;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && statusErrorBrand in value;
  }
}

/** True for a `StatusError` from any copy of this package. */
export function isStatusError(err: unknown): err is StatusError {
  return err instanceof StatusError;
}

/** Reasons for answers without a Status body, as client-go's `NewGenericServerResponse`. */
const reasonsByCode: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  409: "Conflict",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

function genericReason(code: number, method: string): string {
  if (code === 409 && method === "POST") return "AlreadyExists";
  return reasonsByCode[code] ?? (code > 500 ? "InternalError" : "Unknown");
}

/** How much of a non-Status body an error message keeps. */
const excerptLength = 300;

/**
 * Builds the error for a non-2xx answer: the body's Status when it is one, else a Status made
 * from the code (reason as client-go's `NewGenericServerResponse`: 409 on a POST is
 * `AlreadyExists`, other 5xx `InternalError`...), the `Retry-After` header, and an excerpt of the body.
 *
 * @example
 * errorFromResponse(404, body, { method: "GET", url: "https://host/api/v1/namespaces/x" })
 */
export function errorFromResponse(
  code: number,
  body: string,
  request: { method: string; url: string; retryAfter?: string | string[] | undefined },
): StatusError {
  let parsed: unknown;
  try {
    parsed = body ? JSON.parse(body) : undefined;
  } catch {
    parsed = undefined;
  }
  if (isStatusObject(parsed)) {
    return new StatusError({ ...parsed, code: parsed.code || code }, request);
  }
  const text = body.trim();
  const excerpt = text.length > excerptLength ? `${text.slice(0, excerptLength)}…` : text;
  const retryAfter = retryAfterSeconds(request.retryAfter);
  return new StatusError(
    {
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      code,
      reason: genericReason(code, request.method),
      message: `the server answered ${code}${excerpt ? `: ${excerpt}` : " with an empty body"}`,
      details: {
        causes: [{ reason: "UnexpectedServerResponse", message: excerpt }],
        ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
      },
    },
    request,
  );
}

/** True if `value` looks like a `metav1.Status`. */
export function isStatusObject(value: unknown): value is Status {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "Status";
}

/** The first `StatusError` in `err` or its `cause` chain (Go's `errors.As`). */
export function asStatusError(err: unknown): StatusError | undefined {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 16; depth++) {
    if (e instanceof StatusError) return e;
    e = typeof e === "object" ? (e as { cause?: unknown }).cause : undefined;
  }
  return undefined;
}

/** The error's `Status` reason, `""` when it is not a StatusError (client-go `ReasonForError`). */
export function reasonForError(err: unknown): string {
  return asStatusError(err)?.reason ?? "";
}

const knownReasons = new Set([
  "BadRequest",
  "Unauthorized",
  "Forbidden",
  "NotFound",
  "AlreadyExists",
  "Conflict",
  "Gone",
  "Invalid",
  "ServerTimeout",
  "StoreReadError",
  "Timeout",
  "TooManyRequests",
  "MethodNotAllowed",
  "NotAcceptable",
  "RequestEntityTooLarge",
  "UnsupportedMediaType",
  "InternalError",
  "Expired",
  "ServiceUnavailable",
]);

/**
 * client-go's rule: the reason decides; the code decides only when the reason is not one of the
 * known `metav1.StatusReason`s (an older or foreign server).
 */
function has(err: unknown, reason: string, code?: number): boolean {
  const status = asStatusError(err);
  if (!status) return false;
  if (status.reason === reason) return true;
  return code !== undefined && status.code === code && !knownReasons.has(status.reason);
}

/** 404 NotFound. */
export const isNotFound = (err: unknown): boolean => has(err, "NotFound", 404);
/** 409 AlreadyExists (a create of an existing name). */
export const isAlreadyExists = (err: unknown): boolean => has(err, "AlreadyExists");
/** 409 Conflict (a stale resourceVersion). */
export const isConflict = (err: unknown): boolean => has(err, "Conflict", 409);
/** 422 Invalid: `err.causes` says which fields. */
export const isInvalid = (err: unknown): boolean => has(err, "Invalid", 422);
/** 403 Forbidden. */
export const isForbidden = (err: unknown): boolean => has(err, "Forbidden", 403);
/** 401 Unauthorized. */
export const isUnauthorized = (err: unknown): boolean => has(err, "Unauthorized", 401);
/** 400 BadRequest. */
export const isBadRequest = (err: unknown): boolean => has(err, "BadRequest", 400);
/** 410 Gone. */
export const isGone = (err: unknown): boolean => has(err, "Gone", 410);
/** 410 Expired: a resourceVersion or continue token too old; list again. */
export const isResourceExpired = (err: unknown): boolean => has(err, "Expired");
/** 504 Timeout: the server gave up waiting. */
export const isTimeout = (err: unknown): boolean => has(err, "Timeout", 504);
/** ServerTimeout: the server could not finish in time; retry. */
export const isServerTimeout = (err: unknown): boolean => has(err, "ServerTimeout");
/** 429 TooManyRequests (any answer with code 429, as client-go). */
export const isTooManyRequests = (err: unknown): boolean =>
  has(err, "TooManyRequests") || asStatusError(err)?.code === 429;
/** 405 MethodNotAllowed. */
export const isMethodNotSupported = (err: unknown): boolean => has(err, "MethodNotAllowed", 405);
/** 406 NotAcceptable. */
export const isNotAcceptable = (err: unknown): boolean => has(err, "NotAcceptable", 406);
/** 500 InternalError. */
export const isInternalError = (err: unknown): boolean => has(err, "InternalError", 500);
/** 503 ServiceUnavailable. */
export const isServiceUnavailable = (err: unknown): boolean => has(err, "ServiceUnavailable", 503);
/** 413 RequestEntityTooLarge. */
export const isRequestEntityTooLarge = (err: unknown): boolean => has(err, "RequestEntityTooLarge", 413);
/** 415 UnsupportedMediaType. */
export const isUnsupportedMediaType = (err: unknown): boolean => has(err, "UnsupportedMediaType", 415);

/**
 * Seconds the server asked the client to wait (`details.retryAfterSeconds`) for a ServerTimeout,
 * TooManyRequests or any other error carrying it; client-go's `SuggestsClientDelay`.
 */
export function suggestsClientDelay(err: unknown): number | undefined {
  const seconds = asStatusError(err)?.retryAfterSeconds;
  return seconds !== undefined && seconds > 0 ? seconds : undefined;
}

const transportErrorBrand = Symbol.for("kubegen.TransportError");

/** Stable codes of errors that happen before or instead of an HTTP answer. */
export type TransportErrorCode =
  | "ECONNECTION" // could not connect, or the connection broke
  | "ETIMEOUT" // the per-request timeout passed
  | "EWATCHIDLE" // a watch saw no bytes for too long
  | "EDECODE" // the answer was not the JSON it should be
  | "ECREDENTIALS" // credentials could not be obtained
  | "ETLS" // the TLS handshake failed (certificate not trusted, wrong name, rejected client cert)
  | "EREDIRECT" // a redirect not followed: to another host, or one too many
  | "ECONFIG"; // the configuration cannot be used (bad URL, unsupported proxy scheme, unreadable PEM)

/**
 * A failure of the transport itself; `code` is stable, `cause` keeps the underlying error.
 *
 * @example
 * catch (err) { if (err instanceof TransportError && err.code === "ETIMEOUT") retryLater(); }
 */
export class TransportError extends Error {
  override readonly name = "TransportError";
  /** One of `TransportErrorCode`: stable across releases, unlike messages. */
  readonly code: TransportErrorCode;
  readonly [transportErrorBrand] = true;

  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && transportErrorBrand in value;
  }
}

/** True for a `TransportError` from any copy of this package, optionally with the given code. */
export function isTransportError(err: unknown, code?: TransportErrorCode): err is TransportError {
  return err instanceof TransportError && (code === undefined || err.code === code);
}
