/**
 * The fetch transport (`runtime/transport/fetch-dispatcher.ts`) under the same layers: every test
 * of `http-client.test.ts` (retries, timeouts, the idle watchdog, watch decoding, gzip, headers,
 * warnings, credential refresh) and of `redirect.test.ts` runs again here with
 * `transport: "fetch"`, on Node's global fetch. Bun and Deno run it against the real apiserver in `test/runtimes/`.
 */
import { describe, expect, it } from "vitest";
import { HttpClient } from "../../../runtime/rest/http-client.js";
import { client, json, serve, transportUnderTest } from "./local-server.js";

transportUnderTest.kind = "fetch";
await import("./http-client.test.js");
await import("./redirect.test.js");

describe("the fetch transport itself", () => {
  it("is the one the client reports, and the default stays undici where undici works", async () => {
    const { url } = await serve((_req, res) => json(res, 200, {}));
    expect(client(url).transport).toBe("fetch");
    const plain = HttpClient.forConfig({
      server: url,
      namespace: "default",
      tls: {},
      auth: { type: "none" },
    });
    expect(plain.transport).toBe("undici");
    await plain.close();
  });

  it("refuses TLS settings Node's global fetch cannot take, naming them", () => {
    expect(() =>
      client("https://127.0.0.1:1", {
        tls: {
          ca: { pem: "x" },
          serverName: "kubernetes",
          clientCertificate: { cert: { pem: "c" }, key: { pem: "k" } },
        },
      }),
    ).toThrow(
      /certificate-authority, client-certificate, tls-server-name: the fetch transport cannot do this on this runtime's global fetch; use the undici transport/,
    );
  });

  it("refuses WebSockets (exec, attach, port-forward, cp) with a clear error", async () => {
    const { url, seen } = await serve((_req, res) => json(res, 200, {}));
    await expect(
      client(url).websocket({ method: "GET", path: "/exec" }, ["v5.channel.k8s.io"]),
    ).rejects.toThrow(/WebSockets \(exec, attach, port-forward, cp\) need the undici transport/);
    expect(seen).toEqual([]);
  });

  it("composes a caller's layer on top, which sees every request", async () => {
    const { url, seen } = await serve((_req, res) => json(res, 200, { ok: true }));
    const paths: string[] = [];
    const traced = client(url).withDispatcher((d) =>
      d.compose((dispatch) => (opts, handler) => {
        paths.push(String(opts.path));
        return dispatch(opts, handler);
      }),
    );
    expect(await traced.json({ method: "GET", path: "/traced" })).toEqual({ ok: true });
    expect(traced.transport).toBe("fetch");
    expect(paths).toEqual(["/traced"]);
    expect(seen.map((s) => s.url)).toEqual(["/traced"]);
  });

  it("streams a large body with backpressure, and a byte stream chunk by chunk", async () => {
    const big = "x".repeat(8 * 1024 * 1024);
    const { url } = await serve((req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      if (req.url === "/big") return res.end(big);
      void (async () => {
        for (const line of ["one\n", "two\n", "three\n"]) {
          res.write(line);
          await new Promise((r) => setTimeout(r, 50));
        }
        res.end();
      })();
    });
    const http = client(url);
    const res = await http.response({ method: "GET", path: "/big" });
    expect(res.body.length).toBe(big.length);
    const chunks: string[] = [];
    for await (const chunk of await http.stream({ method: "GET", path: "/log" }))
      chunks.push(Buffer.from(chunk).toString());
    expect(chunks.join("")).toBe("one\ntwo\nthree\n");
    expect(chunks.length).toBeGreaterThanOrEqual(2);
  });

  it("ends a watch in flight on destroy(), and takes no request after close()", async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write(`${JSON.stringify({ type: "ADDED", object: { n: 1 } })}\n`);
    });
    const http = client(url);
    const events: unknown[] = [];
    const watching = (async () => {
      for await (const event of http.watch({ method: "GET", path: "/w", query: { watch: "true" } }))
        events.push(event);
    })();
    while (events.length === 0) await new Promise((r) => setTimeout(r, 10));
    await http.destroy();
    await expect(watching).rejects.toMatchObject({
      code: "ECONNECTION",
      message: "the client was destroyed",
    });
    expect(events).toEqual([{ type: "ADDED", object: { n: 1 } }]);

    const closed = client(url);
    await closed.close();
    await expect(closed.json({ method: "GET", path: "/x" })).rejects.toMatchObject({ code: "ECONNECTION" });
  });
});
