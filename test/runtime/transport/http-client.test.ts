/**
 * The HTTP layer against small local servers, for what a real apiserver will not do on demand:
 * 429 + Retry-After, connection resets, slow answers, gzip, proxies, rotating credentials, idle
 * watches. Each test asserts the sequence of requests the server saw.
 */
import { getEventListeners } from "node:events";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { CredentialSource, Credentials } from "../../../runtime/config/types.js";
import { isGone, StatusError, TransportError } from "../../../runtime/errors.js";
import { streamingThreshold } from "../../../runtime/rest/json-body.js";
import { startConnectProxy } from "../../support/connect-proxy.js";
import { client, json, serve, track, transportUnderTest } from "./local-server.js";

describe("retries", () => {
  it("retries a 429 with Retry-After after that many seconds, for any verb, replaying the body", async () => {
    const { url, seen } = await serve((_req, res, _b, n) => {
      if (n === 1)
        return json(
          res,
          429,
          { kind: "Status", code: 429, reason: "TooManyRequests" },
          { "retry-after": "1" },
        );
      if (n === 2) return json(res, 503, { kind: "Status", code: 503 }, { "retry-after": "0" });
      json(res, 201, { ok: true });
    });
    const result = await client(url).json({ method: "POST", path: "/api/v1/things", body: { a: 1 } });
    expect(result).toEqual({ ok: true });
    expect(seen.map((s) => `${s.method} ${s.body}`)).toEqual(Array(3).fill('POST {"a":1}'));
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it("does not retry a 5xx without Retry-After", async () => {
    const { url, seen } = await serve((_req, res) =>
      json(res, 503, { kind: "Status", code: 503, reason: "ServiceUnavailable" }),
    );
    const err = await client(url)
      .json({ method: "GET", path: "/x" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).code).toBe(503);
    expect(seen).toHaveLength(1);
  });

  it("gives up after maxRetries", async () => {
    const { url, seen } = await serve((_req, res) =>
      json(res, 429, { kind: "Status", code: 429 }, { "retry-after": "0" }),
    );
    await expect(
      client(url, {}, { retry: { maxRetries: 3 } }).json({ method: "GET", path: "/x" }),
    ).rejects.toMatchObject({ code: 429 });
    expect(seen).toHaveLength(4);
  });

  it("retries a GET whose connection was reset, after 1 s; not a POST", async () => {
    const { url, seen } = await serve((req, res, _b, n) => {
      if (n === 1 || req.method === "POST") return req.socket.destroy();
      json(res, 200, { ok: n });
    });
    expect(await client(url).json({ method: "GET", path: "/x" })).toEqual({ ok: 2 });
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(950);
    const err = await client(url)
      .json({ method: "POST", path: "/x", body: {} })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe("ECONNECTION");
    expect(seen.filter((s) => s.method === "POST")).toHaveLength(1);
  });
});

describe("timeouts and cancellation", () => {
  it("times out a slow call, but never cuts a watch", async () => {
    const { url } = await serve((req, res) => {
      if (req.url?.includes("watch=true")) {
        res.writeHead(200, { "content-type": "application/json" });
        let i = 0;
        const timer = setInterval(() => {
          res.write(`${JSON.stringify({ type: "ADDED", object: { i } })}\n`);
          if (++i === 4) {
            clearInterval(timer);
            res.end();
          }
        }, 100);
        return;
      }
      setTimeout(() => json(res, 200, {}), 500);
    });
    const c = client(url, { timeout: 150 });
    const err = await c.json({ method: "GET", path: "/slow" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe("ETIMEOUT");
    const events: unknown[] = [];
    for await (const e of c.watch({ method: "GET", path: "/w", query: { watch: true } }))
      events.push(e.object);
    expect(events).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }, { i: 3 }]);
  });

  it("ends a watch that receives nothing for the idle timeout", async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("");
    });
    const c = client(url, {}, { watchIdleTimeout: 200 });
    const err = await (async () => {
      for await (const _ of c.watch({ method: "GET", path: "/w" })) {
        // no events expected
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe("EWATCHIDLE");
  });

  it("aborts a call through its signal", async () => {
    const { url } = await serve((_req, res) => setTimeout(() => json(res, 200, {}), 1000));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("stop")), 50);
    await expect(
      client(url).json({ method: "GET", path: "/x" }, { signal: controller.signal }),
    ).rejects.toThrow("stop");
  });

  it("shares one signal among many calls without piling listeners on it, and still aborts them all", async () => {
    const { url } = await serve((_req, res) => setTimeout(() => json(res, 200, {}), 200));
    const http = client(url);
    const shared = new AbortController();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    try {
      const done = await Promise.all(
        Array.from({ length: 25 }, () => http.json({ method: "GET", path: "/x" }, { signal: shared.signal })),
      );
      expect(done).toHaveLength(25);
      const pending = Array.from({ length: 25 }, () =>
        http.json({ method: "GET", path: "/x" }, { signal: shared.signal }).catch((e: Error) => e.message),
      );
      expect(getEventListeners(shared.signal, "abort").length).toBeLessThanOrEqual(1);
      shared.abort(new Error("stop all"));
      expect(await Promise.all(pending)).toEqual(Array(25).fill("stop all"));
      await new Promise((r) => setImmediate(r));
      expect(warnings).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("surfaces a watch ERROR event as a StatusError", async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200);
      res.end(
        `${JSON.stringify({ type: "ERROR", object: { kind: "Status", code: 410, reason: "Gone", message: "too old resource version" } })}\n`,
      );
    });
    const err = await (async () => {
      for await (const _ of client(url).watch({ method: "GET", path: "/w" })) {
        // the first event is the error
      }
    })().catch((e: unknown) => e);
    expect(isGone(err)).toBe(true);
    expect((err as StatusError).message).toContain("too old resource version");
  });
});

describe("watch decoding", () => {
  const added = (name: string) => `${JSON.stringify({ type: "ADDED", object: { metadata: { name } } })}\n`;

  it("yields the events before a malformed line, then fails with EDECODE naming the line, not its text", async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200);
      // The watch stays open and quiet after the bad line: the error must not wait for more.
      res.write(`${added("a")}${added("b")}{"token":"s3cr3t"\n${added("c")}`);
    });
    const seen: string[] = [];
    const started = Date.now();
    const err = await (async () => {
      for await (const e of client(url, {}, { watchIdleTimeout: 10_000 }).watch<{
        metadata: { name: string };
      }>({
        method: "GET",
        path: "/w",
      }))
        seen.push(e.object.metadata.name);
    })().catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(seen).toEqual(["a", "b"]);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe("EDECODE");
    expect((err as TransportError).message).toBe(`GET ${url}/w: watch stream: line 3 is not JSON (17 bytes)`);
  });

  it("ends a watch whose line outgrows watchMaxLineBytes", async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200);
      res.write(added("a"));
      // Never a newline: without a limit this would be buffered for ever.
      const timer = setInterval(() => res.write("x".repeat(1024)), 5);
      res.on("close", () => clearInterval(timer));
    });
    const seen: string[] = [];
    const err = await (async () => {
      for await (const e of client(url, {}, { watchMaxLineBytes: 16 * 1024 }).watch<{
        metadata: { name: string };
      }>({ method: "GET", path: "/w" }))
        seen.push(e.object.metadata.name);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(["a"]);
    expect((err as TransportError).code).toBe("EDECODE");
    expect((err as TransportError).message).toContain("line 2 is longer than the limit of 16384 bytes");
  });
});

describe("headers and bodies", () => {
  it("decodes gzip, and asks for it only when compression is on", async () => {
    const { url, seen } = await serve((req, res) => {
      const body = JSON.stringify({ items: Array.from({ length: 50 }, (_, i) => ({ i })) });
      if (req.headers["accept-encoding"]?.includes("gzip")) {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        return res.end(gzipSync(body));
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body);
    });
    const a = await client(url).json<{ items: unknown[] }>({ method: "GET", path: "/x" });
    const b = await client(url, { disableCompression: true }).json<{ items: unknown[] }>({
      method: "GET",
      path: "/x",
    });
    expect(a.items).toHaveLength(50);
    expect(b).toEqual(a);
    // fetch would ask for gzip by itself: the fetch transport asks for identity instead.
    const plain = transportUnderTest.kind === "fetch" ? "identity" : undefined;
    expect(seen.map((s) => s.headers["accept-encoding"])).toEqual(["gzip", plain]);
  });

  it("reads a 13 MB list as it arrives, plain and gzipped, to what JSON.parse gives", async () => {
    const items = Array.from({ length: 60_000 }, (_, i) => ({
      metadata: { name: `pod-${i}`, annotations: { note: 'a "}],{\\"metadata\\":" look-alike ✓' } },
      spec: { containers: [{ name: "app", args: ["--level", String(i)] }] },
      status: { conditions: [{ type: "Ready", reason: i % 7 ? "Running" : "Failure" }] },
    }));
    const body = JSON.stringify({
      kind: "PodList",
      apiVersion: "v1",
      metadata: { resourceVersion: "9" },
      items,
    });
    expect(body.length).toBeGreaterThan(streamingThreshold);
    const { url } = await serve((req, res) => {
      const zipped = req.headers["accept-encoding"]?.includes("gzip");
      res.writeHead(200, {
        "content-type": "application/json",
        ...(zipped ? { "content-encoding": "gzip" } : {}),
      });
      res.end(zipped ? gzipSync(body) : body);
    });
    const want = JSON.parse(body);
    for (const disableCompression of [false, true]) {
      const list = await client(url, { disableCompression }).json<typeof want>({
        method: "GET",
        path: "/api/v1/pods",
      });
      expect(JSON.stringify(list)).toBe(JSON.stringify(want));
    }
  });

  it("tells a failed Status from a success by its kind, not by the word Failure in a list", async () => {
    const { url } = await serve((req, res) => {
      if (req.url === "/list")
        return json(res, 200, { kind: "EventList", items: [{ reason: "Failure", message: '"Failure"' }] });
      json(res, 200, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "Conflict", code: 409 });
    });
    const http = client(url);
    expect(await http.json({ method: "GET", path: "/list" })).toEqual({
      kind: "EventList",
      items: [{ reason: "Failure", message: '"Failure"' }],
    });
    const err = await http.json({ method: "GET", path: "/status" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).code).toBe(409);
    expect((err as StatusError).reason).toBe("Conflict");
  });

  it("says a successful answer that is not JSON is not JSON, and an empty one is empty", async () => {
    const { url } = await serve((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(req.url === "/empty" ? "" : "<html>oops</html>");
    });
    const http = client(url);
    const bad = await http.json({ method: "GET", path: "/html" }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(TransportError);
    expect((bad as TransportError).code).toBe("EDECODE");
    expect((bad as Error).message).toMatch(/the answer is not JSON: <html>oops<\/html>/);
    const empty = await http.json({ method: "GET", path: "/empty" }).catch((e: unknown) => e);
    expect((empty as Error).message).toMatch(/0-length response/);
  });

  it("sends the user agent, the token, and impersonation headers (groups repeated)", async () => {
    const { url, seen } = await serve((_req, res) => json(res, 200, {}));
    const impersonate = { user: "jane", uid: "42", groups: ["a", "b"], extra: { "reason/x y": ["debug"] } };
    const request = { method: "GET", path: "/x" } as const;
    if (transportUnderTest.kind === "fetch") {
      // fetch would join the two groups into one header, which the apiserver reads as one group.
      await expect(client(url, { impersonate }).json(request)).rejects.toMatchObject({
        code: "ECONFIG",
        message: expect.stringMatching(/^impersonate-group more than once .* use the undici transport$/),
      });
      expect(seen).toEqual([]);
      impersonate.groups = ["a"];
    }
    await client(url, { auth: { type: "token", token: "abc" }, impersonate }).json(request);
    const s = seen[0]!;
    expect(s.headers["user-agent"]).toMatch(/^kubegen\/\d+\.\d+\.\d+ \(linux\/\w+\) node\/v\d+/);
    expect(s.headers.authorization).toBe("Bearer abc");
    expect(s.headers["impersonate-user"]).toBe("jane");
    expect(s.headers["impersonate-uid"]).toBe("42");
    const groups = s.rawHeaders.filter(
      (_, i) => i % 2 === 0 && s.rawHeaders[i]!.toLowerCase() === "impersonate-group",
    ).length;
    expect(groups).toBe(impersonate.groups.length);
    // Node lowercases header names; the apiserver matches them case-insensitively.
    expect(s.headers["impersonate-extra-reason%2fx%20y"]).toBe("debug");
  });

  it("hands each Warning header to the warning handler", async () => {
    const { url } = await serve((_req, res) => {
      res.setHeader("warning", ['299 - "v1beta1 is deprecated"', '299 - "unknown field \\"spec.x\\""']);
      json(res, 200, {});
    });
    const warnings: string[] = [];
    await client(url, {}, { warningHandler: (w) => warnings.push(w) }).json({ method: "GET", path: "/x" });
    expect(warnings).toEqual(["v1beta1 is deprecated", 'unknown field "spec.x"']);
  });

  it("turns a non-Status error body into a StatusError that keeps code, method, URL and an excerpt", async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html>bad gateway</html>");
    });
    const err = (await client(url, { auth: { type: "token", token: "s3cret" } })
      .json({ method: "GET", path: "/api/v1/pods" })
      .catch((e: unknown) => e)) as StatusError;
    expect(err.code).toBe(502);
    expect(err.message).toContain("<html>bad gateway</html>");
    expect(err.message).toContain(`GET ${url}/api/v1/pods`);
    expect(err.message).not.toContain("s3cret");
  });
});

describe("credential sources", () => {
  it("invalidates after a 401 and retries once with fresh credentials", async () => {
    const { url, seen } = await serve((req, res) =>
      req.headers.authorization === "Bearer fresh"
        ? json(res, 200, { ok: true })
        : json(res, 401, { kind: "Status", code: 401 }),
    );
    let invalidations = 0;
    let token = "stale";
    const source: CredentialSource = {
      description: "test source",
      async get(): Promise<Credentials> {
        return { token };
      },
      invalidate() {
        invalidations++;
        token = "fresh";
      },
    };
    expect(
      await client(url, { auth: { type: "source", source } }).json({ method: "GET", path: "/x" }),
    ).toEqual({ ok: true });
    expect(seen.map((s) => s.headers.authorization)).toEqual(["Bearer stale", "Bearer fresh"]);
    expect(invalidations).toBe(1);
  });

  it("reports a credential source failure without sending the request", async () => {
    const { url, seen } = await serve((_req, res) => json(res, 200, {}));
    const source: CredentialSource = {
      description: 'exec plugin "broken"',
      get: () => Promise.reject(new Error("plugin exited 1")),
      invalidate() {},
    };
    await expect(
      client(url, { auth: { type: "source", source } }).json({ method: "GET", path: "/x" }),
    ).rejects.toThrow(/could not get credentials from exec plugin "broken": plugin exited 1/);
    expect(seen).toHaveLength(0);
  });
});

describe("proxy", () => {
  it("tunnels through an http proxy given by proxyUrl", async () => {
    const { url, seen } = await serve((_req, res) => json(res, 200, { via: "proxy" }));
    const proxy = await startConnectProxy();
    track(proxy.server);
    const { url: proxyUrl, tunnels: connects } = proxy;
    if (transportUnderTest.kind === "fetch") {
      // Node's global fetch takes no proxy per request: the fetch transport says so at once.
      expect(() => client(url, { proxyUrl })).toThrow(/proxy: the fetch transport cannot do this/);
      expect(connects).toEqual([]);
      return;
    }
    expect(await client(url, { proxyUrl }).json({ method: "GET", path: "/x" })).toEqual({ via: "proxy" });
    expect(connects).toEqual([new URL(url).host]);
    expect(seen).toHaveLength(1);
  });
});
