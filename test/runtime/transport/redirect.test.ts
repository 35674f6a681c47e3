/**
 * The redirect layer against local servers: a same-server redirect is followed with the
 * credentials (as the apiserver's 301 for a stale OpenAPI `?hash=`), a redirect to another host is
 * refused without a request to it and without secrets in the error, loops stop after 10, a 303
 * turns a write into a GET of the answer, and a 307 sends the same method and body again.
 */
import { describe, expect, it } from "vitest";
import { TransportError } from "../../../runtime/errors.js";
import { client, failure, json, serve } from "./local-server.js";

const token = "s3cr3t-token";
const withToken = { auth: { type: "token" as const, token } };

describe("redirects", () => {
  it("follows a same-server 301 with the credentials, as for a stale OpenAPI hash", async () => {
    const { url, seen } = await serve((req, res) => {
      if (req.url === "/openapi/v3/apis/apps/v1?hash=OLD") {
        res.writeHead(301, { location: "/openapi/v3/apis/apps/v1?hash=NEW" });
        res.end();
      } else json(res, 200, { openapi: "3.0.0", url: req.url });
    });
    const doc = await client(url, withToken).json<{ url: string }>({
      method: "GET",
      path: "/openapi/v3/apis/apps/v1",
      query: { hash: "OLD" },
    });
    expect(doc.url).toBe("/openapi/v3/apis/apps/v1?hash=NEW");
    expect(seen.map((s) => `${s.method} ${s.url} ${s.headers.authorization}`)).toEqual([
      `GET /openapi/v3/apis/apps/v1?hash=OLD Bearer ${token}`,
      `GET /openapi/v3/apis/apps/v1?hash=NEW Bearer ${token}`,
    ]);
  });

  it("follows an absolute Location on the same scheme, host and port, and 302 and 308 alike", async () => {
    const { url, seen } = await serve((req, res) => {
      if (req.url === "/a") res.writeHead(302, { location: `${url}/b` }).end();
      else if (req.url === "/b") res.writeHead(308, { location: "c" }).end();
      else json(res, 200, { at: req.url });
    });
    expect(await client(url).json({ method: "GET", path: "/a" })).toEqual({ at: "/c" });
    expect(seen.map((s) => s.url)).toEqual(["/a", "/b", "/c"]);
  });

  it("refuses a redirect to another host: no request there, and no secret in the error", async () => {
    const other = await serve((_req, res) => json(res, 200, {}));
    const otherHost = new URL(other.url).host;
    const { url, seen } = await serve((_req, res) => {
      res.writeHead(302, { location: `http://user:hunter2@${otherHost}/steal?token=abc` });
      res.end("moved");
    });
    const err = await failure(() => client(url, withToken).json({ method: "GET", path: "/api/v1/pods" }));
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe("EREDIRECT");
    expect((err as TransportError).message).toBe(
      `GET ${url}/api/v1/pods: the server answered 302, a redirect to another host (http://${otherHost}); ` +
        "not followed, so the credentials stay with the server",
    );
    expect((err as TransportError).message).not.toMatch(/hunter2|abc|s3cr3t/);
    expect(seen).toHaveLength(1);
    expect(other.seen).toHaveLength(0);
  });

  it("refuses a change of scheme or port on the same host name", async () => {
    const { url } = await serve((req, res) => {
      const port = new URL(url).port;
      const target = req.url === "/scheme" ? `https://127.0.0.1:${port}/x` : `http://127.0.0.1:1/x`;
      res.writeHead(307, { location: target }).end();
    });
    for (const path of ["/scheme", "/port"]) {
      const err = await failure(() => client(url).json({ method: "GET", path }));
      expect((err as TransportError).code).toBe("EREDIRECT");
    }
  });

  it("stops a redirect loop after 10 redirects", async () => {
    const { url, seen } = await serve((_req, res, _body, n) => {
      res.writeHead(301, { location: `/loop/${n}` }).end();
    });
    const err = await failure(() => client(url).json({ method: "GET", path: "/loop/0" }));
    expect((err as TransportError).code).toBe("EREDIRECT");
    expect((err as TransportError).message).toBe(`GET ${url}/loop/10: stopped after 10 redirects`);
    // The first request and ten redirects.
    expect(seen).toHaveLength(11);
  });

  it("takes its limit from the options", async () => {
    const { url, seen } = await serve((_req, res) => res.writeHead(301, { location: "/again" }).end());
    const err = await failure(() =>
      client(url, {}, { redirect: { maxRedirects: 2 } }).json({ method: "GET", path: "/" }),
    );
    expect((err as TransportError).message).toMatch(/stopped after 2 redirects$/);
    expect(seen).toHaveLength(3);
  });

  it("follows a 303 as a GET without the body; a GET stays a GET", async () => {
    const { url, seen } = await serve((req, res) => {
      if (req.url === "/submit" || req.url === "/get") res.writeHead(303, { location: "/result" }).end();
      else json(res, 200, { method: req.method });
    });
    const http = client(url);
    expect(await http.json({ method: "POST", path: "/submit", body: { a: 1 } })).toEqual({ method: "GET" });
    expect(await http.json({ method: "GET", path: "/get" })).toEqual({ method: "GET" });
    expect(seen.map((s) => `${s.method} ${s.url} ${s.body} ${s.headers["content-type"] ?? "-"}`)).toEqual([
      'POST /submit {"a":1} application/json',
      "GET /result  -",
      "GET /get  -",
      "GET /result  -",
    ]);
  });

  it("sends the same method and body again after a 307", async () => {
    const { url, seen } = await serve((req, res, body) => {
      if (req.url === "/old") res.writeHead(307, { location: "/new" }).end();
      else json(res, 200, { method: req.method, body });
    });
    const answer = await client(url).json({
      method: "PATCH",
      path: "/old",
      body: { spec: { replicas: 2 } },
      contentType: "application/merge-patch+json",
    });
    expect(answer).toEqual({ method: "PATCH", body: '{"spec":{"replicas":2}}' });
    expect(seen[1]?.headers["content-type"]).toBe("application/merge-patch+json");
  });

  it("hands a 3xx without Location on as the answer", async () => {
    const { url, seen } = await serve((_req, res) => json(res, 300, { kind: "Status", code: 300 }));
    const res = await client(url).response({ method: "GET", path: "/choices" });
    expect(res.statusCode).toBe(300);
    expect(seen).toHaveLength(1);
  });
});
