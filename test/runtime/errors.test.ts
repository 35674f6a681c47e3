/**
 * StatusError, the non-Status fallback, transport errors and client-go's apierrors predicates.
 */
import { describe, expect, it } from "vitest";
import {
  asStatusError,
  errorFromResponse,
  isAlreadyExists,
  isBadRequest,
  isConflict,
  isForbidden,
  isGone,
  isInternalError,
  isInvalid,
  isMethodNotSupported,
  isNotAcceptable,
  isNotFound,
  isResourceExpired,
  isServerTimeout,
  isServiceUnavailable,
  isStatusError,
  isTimeout,
  isTooManyRequests,
  isTransportError,
  isUnauthorized,
  reasonForError,
  type Status,
  StatusError,
  safeUrl,
  suggestsClientDelay,
  TransportError,
} from "../../runtime/errors.js";

const predicates = {
  isNotFound,
  isAlreadyExists,
  isConflict,
  isInvalid,
  isForbidden,
  isUnauthorized,
  isBadRequest,
  isGone,
  isResourceExpired,
  isTimeout,
  isServerTimeout,
  isTooManyRequests,
  isMethodNotSupported,
  isNotAcceptable,
  isInternalError,
  isServiceUnavailable,
};
type Name = keyof typeof predicates;

/** Which predicates hold for an error; every other one must be false. */
function holding(err: unknown): Name[] {
  return (Object.keys(predicates) as Name[]).filter((name) => predicates[name](err));
}

const status = (code: number, reason: string): StatusError =>
  new StatusError({ kind: "Status", status: "Failure", code, reason, message: `${reason} test` });

describe("apierrors predicates", () => {
  it.each<[number, string, Name[]]>([
    [404, "NotFound", ["isNotFound"]],
    [409, "AlreadyExists", ["isAlreadyExists"]],
    [409, "Conflict", ["isConflict"]],
    [422, "Invalid", ["isInvalid"]],
    [403, "Forbidden", ["isForbidden"]],
    [401, "Unauthorized", ["isUnauthorized"]],
    [400, "BadRequest", ["isBadRequest"]],
    [410, "Gone", ["isGone"]],
    [410, "Expired", ["isResourceExpired"]],
    [504, "Timeout", ["isTimeout"]],
    [500, "ServerTimeout", ["isServerTimeout"]],
    [429, "TooManyRequests", ["isTooManyRequests"]],
    [405, "MethodNotAllowed", ["isMethodNotSupported"]],
    [406, "NotAcceptable", ["isNotAcceptable"]],
    [500, "InternalError", ["isInternalError"]],
    [503, "ServiceUnavailable", ["isServiceUnavailable"]],
  ])("%i %s matches exactly its predicates", (code, reason, want) => {
    const err = status(code, reason);
    expect(holding(err)).toEqual(want);
    expect(reasonForError(err)).toBe(reason);
  });

  it("falls back to the code only when the reason is not a known one (client-go's rule)", () => {
    expect(holding(status(404, ""))).toEqual(["isNotFound"]);
    expect(holding(status(409, "SomethingNew"))).toEqual(["isConflict"]);
    // A known reason wins over the code: a 500 saying NotFound is NotFound, not InternalError.
    expect(holding(status(500, "NotFound"))).toEqual(["isNotFound"]);
    // AlreadyExists, Expired and ServerTimeout have no code fallback.
    expect(isAlreadyExists(status(409, ""))).toBe(false);
    expect(isResourceExpired(status(410, ""))).toBe(false);
    // client-go's IsTooManyRequests accepts any 429.
    expect(isTooManyRequests(status(429, "Conflict"))).toBe(true);
  });

  it("is false for anything that is not a StatusError", () => {
    for (const value of [
      new Error("NotFound"),
      undefined,
      null,
      "NotFound",
      { code: 404, reason: "NotFound" },
    ]) {
      expect(holding(value)).toEqual([]);
      expect(reasonForError(value)).toBe("");
    }
  });

  it("looks through cause chains, as Go's errors.As", () => {
    const inner = status(404, "NotFound");
    const wrapped = new Error("reconcile failed", { cause: new Error("get failed", { cause: inner }) });
    expect(isNotFound(wrapped)).toBe(true);
    expect(asStatusError(wrapped)).toBe(inner);
    expect(reasonForError(wrapped)).toBe("NotFound");
  });

  it("recognises errors from another copy of the package through Symbol.for brands", () => {
    const foreign = Object.assign(new Error("not found"), {
      [Symbol.for("kubegen.StatusError")]: true,
      reason: "NotFound",
      code: 404,
      status: { code: 404, reason: "NotFound" },
    });
    expect(foreign instanceof StatusError).toBe(true);
    expect(isStatusError(foreign)).toBe(true);
    expect(isNotFound(foreign)).toBe(true);
    const foreignTransport = Object.assign(new Error("x"), {
      [Symbol.for("kubegen.TransportError")]: true,
      code: "ETIMEOUT",
    });
    expect(isTransportError(foreignTransport, "ETIMEOUT")).toBe(true);
    expect(isTransportError(foreignTransport, "ETLS")).toBe(false);
    expect(isStatusError(new TransportError("ETIMEOUT", "x"))).toBe(false);
  });
});

describe("StatusError", () => {
  it("carries the Status: code, reason, message, details and causes", () => {
    const body: Status = {
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      code: 422,
      reason: "Invalid",
      message: 'ConfigMap "x" is invalid: data[a b]: Invalid value',
      details: {
        name: "x",
        kind: "ConfigMap",
        causes: [{ reason: "FieldValueInvalid", field: "data[a b]", message: "Invalid value" }],
      },
    };
    const err = errorFromResponse(422, JSON.stringify(body), {
      method: "POST",
      url: "https://127.0.0.1:6443/api/v1/namespaces/ns/configmaps",
    });
    expect(err).toBeInstanceOf(StatusError);
    expect(err.status).toEqual(body);
    expect(err.causes).toEqual(body.details!.causes);
    expect(err.message).toBe(
      'ConfigMap "x" is invalid: data[a b]: Invalid value (POST https://127.0.0.1:6443/api/v1/namespaces/ns/configmaps)',
    );
  });

  it("never shows credentials or the query of the URL", () => {
    const err = new StatusError(
      { code: 403, reason: "Forbidden", message: "no" },
      { method: "GET", url: "https://user:p4ss@host:6443/api/v1/secrets?token=abc#frag" },
    );
    expect(err.url).toBe("https://host:6443/api/v1/secrets");
    expect(err.message).not.toMatch(/p4ss|token=|abc|frag/);
    expect(safeUrl("not a url?token=abc")).toBe("not a url");
    // A password with "@", "#" or a space: whatever the parser makes of it, it is not shown.
    for (const url of [
      "https://admin:s3cr3t#1@host:6443/api",
      "https://admin:12#s3cr3t@host/api",
      "https://admin:pa@s3cr3t@host:99999/api",
      "https://admin:s3 cr3t@host name/api",
    ])
      expect(safeUrl(url)).not.toMatch(/s3|admin/);
    expect(safeUrl("https://host/api?labelSelector=a@b")).toBe("https://host/api");
  });
});

describe("non-Status answers", () => {
  const request = { method: "GET", url: "https://host/api/v1/pods" };

  it.each<[number, string, string, Name | undefined]>([
    [404, "GET", "NotFound", "isNotFound"],
    [409, "POST", "AlreadyExists", "isAlreadyExists"],
    [409, "PUT", "Conflict", "isConflict"],
    [422, "PATCH", "Invalid", "isInvalid"],
    [410, "GET", "Unknown", "isGone"],
    [429, "GET", "TooManyRequests", "isTooManyRequests"],
    [502, "GET", "InternalError", "isInternalError"],
    [503, "GET", "ServiceUnavailable", "isServiceUnavailable"],
    [504, "GET", "Timeout", "isTimeout"],
    [418, "GET", "Unknown", undefined],
  ])("%i on %s is %s", (code, method, reason, predicate) => {
    const err = errorFromResponse(code, "<html>proxy says no</html>", { ...request, method });
    expect(err.reason).toBe(reason);
    expect(err.code).toBe(code);
    expect(holding(err)).toEqual(predicate ? [predicate] : []);
    expect(err.message).toBe(
      `the server answered ${code}: <html>proxy says no</html> (${method} ${request.url})`,
    );
    expect(err.causes).toEqual([
      { reason: "UnexpectedServerResponse", message: "<html>proxy says no</html>" },
    ]);
  });

  it("keeps only an excerpt of a long body, says when it is empty, and reads Retry-After", () => {
    const long = errorFromResponse(500, "x".repeat(5000), request);
    expect(long.message.length).toBeLessThan(400);
    expect(long.message).toContain("…");
    expect(errorFromResponse(503, "", { ...request, retryAfter: "7" }).message).toContain(
      "with an empty body",
    );
    const delayed = errorFromResponse(503, "", { ...request, retryAfter: "7" });
    expect(delayed.retryAfterSeconds).toBe(7);
    expect(suggestsClientDelay(delayed)).toBe(7);
    expect(suggestsClientDelay(errorFromResponse(503, "", request))).toBeUndefined();
  });

  it("uses the answer's code when a Status body has none", () => {
    const err = errorFromResponse(409, JSON.stringify({ kind: "Status", reason: "Conflict" }), request);
    expect(err.code).toBe(409);
    expect(isConflict(err)).toBe(true);
  });
});
