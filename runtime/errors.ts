/**
 * Errors from the apiserver and the transport, and client-go's `apierrors` predicates.
 *
 * A non-2xx answer whose body is a `metav1.Status` becomes a `StatusError` carrying it; any other
 * non-2xx answer becomes a `StatusError` with a synthesized Status that keeps the code, method, URL
 * (without credentials) and an excerpt of the body. Brands use `Symbol.for` so `isStatusError`
 * works across duplicate installs of the package.
 */

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
 * An error answer from the apiserver, with its `Status`.
 *
 * @example
 * try { await pods.get("x"); } catch (err) { if (isNotFound(err)) ...; else throw err; }
 */
export class StatusError extends Error {
  override readonly name = "StatusError";
  readonly status: Status;
  /** HTTP status code (0 for a watch ERROR event without one). */
  readonly code: number;
  readonly reason: string;
  readonly method: string | undefined;
  /** Request URL without credentials. */
  readonly url: string | undefined;
  readonly [statusErrorBrand] = true;

  constructor(status: Status, request?: { method?: string; url?: string }) {
    const code = status.code ?? 0;
    const where = request?.method && request.url ? ` (${request.method} ${request.url})` : "";
    super(`${status.message || status.reason || `HTTP ${code}`}${where}`);
    this.status = status;
    this.code = code;
    this.reason = status.reason ?? "";
    this.method = request?.method;
    this.url = request?.url;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && statusErrorBrand in value;
  }
}

/** Reasons the apiserver uses, for answers that have none (client-go `reasonForError` fallbacks). */
const reasonsByCode: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  409: "Conflict",
  410: "Expired",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

/**
 * Builds the error for a non-2xx answer: the body's Status when it is one, else a Status made
 * from the code and an excerpt of the body.
 */
export function errorFromResponse(
  code: number,
  body: string,
  request: { method: string; url: string },
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
  const excerpt = body.length > 300 ? `${body.slice(0, 300)}…` : body;
  return new StatusError(
    {
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      code,
      reason: reasonsByCode[code] ?? "Unknown",
      message: `the server answered ${code}${excerpt.trim() ? `: ${excerpt.trim()}` : " with an empty body"}`,
    },
    request,
  );
}

/** True if `value` looks like a `metav1.Status`. */
export function isStatusObject(value: unknown): value is Status {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "Status";
}

/** The error's `Status` reason, `""` when it is not a StatusError (client-go `ReasonForError`). */
export function reasonForError(err: unknown): string {
  return err instanceof StatusError ? err.reason : "";
}

function has(err: unknown, reason: string, code?: number): boolean {
  if (!(err instanceof StatusError)) return false;
  if (err.reason === reason) return true;
  // Client-go falls back to the code when the reason is unknown or missing.
  return (
    code !== undefined &&
    err.code === code &&
    (err.reason === "" || err.reason === "Unknown" || !(err.reason in knownReasons))
  );
}

const knownReasons: Record<string, true> = Object.fromEntries(
  [
    "BadRequest",
    "Unauthorized",
    "Forbidden",
    "NotFound",
    "AlreadyExists",
    "Conflict",
    "Gone",
    "Invalid",
    "ServerTimeout",
    "Timeout",
    "TooManyRequests",
    "MethodNotAllowed",
    "NotAcceptable",
    "RequestEntityTooLarge",
    "UnsupportedMediaType",
    "InternalError",
    "Expired",
    "ServiceUnavailable",
  ].map((r) => [r, true]),
);

/** 404 NotFound. */
export const isNotFound = (err: unknown): boolean => has(err, "NotFound", 404);
/** 409 AlreadyExists (a create of an existing name). */
export const isAlreadyExists = (err: unknown): boolean => has(err, "AlreadyExists");
/** 409 Conflict (a stale resourceVersion). */
export const isConflict = (err: unknown): boolean => has(err, "Conflict", 409);
/** 422 Invalid: `err.status.details.causes` says which fields. */
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
/** 429 TooManyRequests. */
export const isTooManyRequests = (err: unknown): boolean => has(err, "TooManyRequests", 429);
/** 405 MethodNotAllowed. */
export const isMethodNotSupported = (err: unknown): boolean => has(err, "MethodNotAllowed", 405);
/** 406 NotAcceptable. */
export const isNotAcceptable = (err: unknown): boolean => has(err, "NotAcceptable", 406);
/** 500 InternalError. */
export const isInternalError = (err: unknown): boolean => has(err, "InternalError", 500);

const transportErrorBrand = Symbol.for("kubegen.TransportError");

/** Stable codes of errors that happen before or instead of an HTTP answer. */
export type TransportErrorCode =
  | "ECONNECTION" // could not connect, or the connection broke
  | "ETIMEOUT" // the per-request timeout passed
  | "EWATCHIDLE" // a watch saw no bytes for too long
  | "EDECODE" // the answer was not the JSON it should be
  | "ECREDENTIALS"; // credentials could not be obtained

/** A failure of the transport itself; `cause` keeps the underlying error. */
export class TransportError extends Error {
  override readonly name = "TransportError";
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
