import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PatchTypes } from "../../../runtime/core/patch.js";
import { HttpClient } from "../../../runtime/rest/http-client.js";
import { RESTClient } from "../../../runtime/rest/rest-client.js";

const http = HttpClient.forConfig({
  server: "http://127.0.0.1:1",
  namespace: "default",
  tls: {},
  auth: { type: "none" },
});
const apps = RESTClient.forHttpClient(http, { apiPath: "/apis", groupVersion: "apps/v1" });
const core = RESTClient.forHttpClient(http, { apiPath: "/api", groupVersion: "v1" });

describe("RESTClient request builder", () => {
  it("builds resource, name, subresource and query paths", () => {
    expect(
      apps.get().namespace("ns").resource("Deployments").name("web").subResource("scale").build(),
    ).toMatchObject({
      method: "GET",
      path: "/apis/apps/v1/namespaces/ns/deployments/web/scale",
    });
    const list = core
      .get()
      .resource("pods")
      .params({ labelSelector: "a=b", limit: 5 })
      .param("x", "1")
      .param("x", "2")
      .build();
    expect(list).toMatchObject({
      path: "/api/v1/pods",
      query: { labelSelector: "a=b", limit: 5, x: ["1", "2"] },
    });
    expect(core.get().absPath("/version").build().path).toBe("/version");
  });

  it("keeps parameters and headers named __proto__ as data", () => {
    const req = core
      .get()
      .resource("pods")
      .param("__proto__", "1")
      .param("__proto__", "2")
      .params(JSON.parse('{"constructor":"c"}') as object)
      .header("__proto__", "h")
      .build();
    expect(Object.getPrototypeOf(req.query)).toBe(Object.prototype);
    expect(JSON.stringify(req.query)).toBe('{"__proto__":["1","2"],"constructor":"c"}');
    expect(JSON.stringify(req.headers)).toBe('{"__proto__":"h"}');
  });

  it("sets the patch type as content type", () => {
    const req = apps
      .patch(PatchTypes.strategicMerge)
      .namespace("ns")
      .resource("deployments")
      .name("web")
      .body({ a: 1 })
      .build();
    expect(req).toMatchObject({
      method: "PATCH",
      contentType: "application/strategic-merge-patch+json",
      body: { a: 1 },
    });
  });

  it("sends timeout() to the server as a Go duration, as client-go's Timeout(d)", () => {
    expect(core.get().resource("pods").timeout(32_000).build().query).toEqual({ timeout: "32s" });
    expect(() => core.get().resource("pods").timeout(-1).build()).toThrow(
      /timeout must be a positive number/,
    );
  });

  it("reports options that cannot be query parameters as builder errors", async () => {
    const req = core
      .delete()
      .namespace("ns")
      .resource("pods")
      .name("p")
      .params({ preconditions: { uid: "u" } });
    expect(() => req.build()).toThrow(/option preconditions cannot be sent as a query parameter/);
    await expect(req.do()).rejects.toThrow(/invalid request/);
  });

  it("surfaces a watch's builder errors when the watch is consumed", async () => {
    const watch = core.get().namespace("a").namespace("b").resource("pods").watch();
    await expect(
      (async () => {
        for await (const _ of watch) {
          // never reached
        }
      })(),
    ).rejects.toThrow(/namespace already set/);
  });

  it("accumulates builder errors and reports them when sending", async () => {
    const req = core.get().namespace("a").namespace("b").resource("pods").name("../x");
    expect(() => req.build()).toThrow(/namespace already set to "a".*invalid name "\.\.\/x"/);
    await expect(req.do()).rejects.toThrow(/invalid request/);
    expect(() => core.post().namespace("").resource("pods").build()).toThrow(/empty namespace/);
  });
});

describe("RESTClient against a local server", () => {
  let server: Server;
  let url = "";
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/api/v1/namespaces/ns/configmaps") {
        res.writeHead(201, { "content-type": "application/json" });
        return res.end('{"kind":"ConfigMap"}');
      }
      res.writeHead(404, { "content-type": "application/json" });
      res.end('{"kind":"Status","status":"Failure","reason":"NotFound","code":404}');
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it("returns a Result with status, created flag and JSON body; rejects non-2xx with a StatusError", async () => {
    const rest = RESTClient.forConfig(
      { server: url, namespace: "default", tls: {}, auth: { type: "none" } },
      { apiPath: "/api", groupVersion: "v1" },
    );
    try {
      const result = await rest.post().namespace("ns").resource("configmaps").body({}).do();
      expect(result.statusCode).toBe(201);
      expect(result.wasCreated).toBe(true);
      expect(result.into<{ kind: string }>().kind).toBe("ConfigMap");
      await expect(rest.get().namespace("ns").resource("configmaps").name("x").do()).rejects.toMatchObject({
        code: 404,
        reason: "NotFound",
      });
    } finally {
      await rest.close();
    }
  });

  it("logs requests at -v=9 with the token masked", async () => {
    const lines: string[] = [];
    const rest = RESTClient.forConfig(
      { server: url, namespace: "default", tls: {}, auth: { type: "token", token: "very-secret-token" } },
      { apiPath: "/api", groupVersion: "v1" },
      { logger: { level: 9, write: (l) => lines.push(l) } },
    );
    try {
      await rest
        .get()
        .namespace("ns")
        .resource("configmaps")
        .name("x")
        .do()
        .catch(() => {});
      const text = lines.join("\n");
      expect(text).toMatch(
        /^curl -v -XGET .*-H 'authorization: Bearer <masked>'.*'http:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/ns\/configmaps\/x'$/m,
      );
      expect(text).toMatch(
        /^GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/ns\/configmaps\/x 404 .*in \d+ milliseconds$/m,
      );
      expect(text).toContain('Response Body: {"kind":"Status"');
      expect(text).not.toContain("very-secret-token");
    } finally {
      await rest.close();
    }
  });
});
