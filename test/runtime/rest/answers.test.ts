/**
 * The helpers `HttpClient` and `RESTClient` share for what they say about an answer: where the
 * request went, and the JSON decoding of its body. No I/O: the client is never sent anything.
 */
import { describe, expect, it } from "vitest";
import { TransportError } from "../../../runtime/errors.js";
import { decodeJson, HttpClient } from "../../../runtime/rest/http-client.js";
import { Result } from "../../../runtime/rest/rest-client.js";
import { type Cases, runCases } from "../../support/cases.js";

const where = "GET https://host:6443/api/v1/pods";

/** The decoded value, or the error's code and message. */
function decoded(body: string): unknown {
  try {
    return decodeJson(body, where);
  } catch (err) {
    if (!(err instanceof TransportError)) throw err;
    return { code: err.code, message: err.message };
  }
}

describe("decodeJson", () => {
  const cases: Cases<string, unknown> = [
    ["a JSON body", { given: '{"kind":"PodList","items":[]}', want: { kind: "PodList", items: [] } }],
    ["an empty body", { given: "", want: { code: "EDECODE", message: `${where}: 0-length response` } }],
    [
      "a body that is not JSON, quoted up to 200 characters",
      {
        given: `<html>${"x".repeat(300)}`,
        want: { code: "EDECODE", message: `${where}: the answer is not JSON: <html>${"x".repeat(194)}` },
      },
    ],
  ];
  runCases(cases, decoded);

  it("is what Result.into() decodes with", () => {
    const result = new Result(200, {}, "", where);
    expect(() => result.into()).toThrow(`${where}: 0-length response`);
    expect(new Result(200, {}, "[1]", where).into()).toEqual([1]);
  });
});

describe("HttpClient.where", () => {
  const http = (server: string) =>
    new HttpClient({ server, namespace: "default", tls: {}, auth: { type: "none" } }, undefined as never);
  const cases: Cases<{ server: string; method: "GET" | "DELETE"; path: string }, string> = [
    [
      "method, server and path",
      {
        given: { server: "https://127.0.0.1:6443", method: "GET", path: "/api/v1/pods" },
        want: "GET https://127.0.0.1:6443/api/v1/pods",
      },
    ],
    [
      "the server's path prefix kept, its user info and query left out",
      {
        given: { server: "https://u:p@host/prefix/?x=1", method: "DELETE", path: "/api/v1/nodes/n" },
        want: "DELETE https://host/prefix/api/v1/nodes/n",
      },
    ],
  ];
  runCases(cases, ({ server, method, path }) => http(server).where({ method, path }));
});
