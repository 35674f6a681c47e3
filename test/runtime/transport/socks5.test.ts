/**
 * socks5 proxies, from `proxyUrl` and from the environment, through a local SOCKS5 proxy: the
 * proxy sees the target and the URL's login, TLS to the server runs inside the tunnel with the
 * config's CA, and a scheme no proxy rule knows is refused by the transport as by the loader.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { proxyUrlProblem } from "../../../runtime/core/proxy-rules.js";
import { TransportError } from "../../../runtime/errors.js";
import { client, failure, json, serve, serveTls, useServingPki } from "./local-server.js";
import { serveSocks5 } from "./socks5-server.js";

const pem = useServingPki();

describe("a socks5 proxy", () => {
  it("from proxyUrl carries requests to an http server, logging in with the URL's user info", async () => {
    const { url, seen } = await serve((_req, res) => json(res, 200, { via: "socks5" }));
    const proxy = await serveSocks5({ login: true });
    const proxyUrl = proxy.url.replace("socks5://", "socks5://alice:s3cr3t@");
    expect(await client(url, { proxyUrl }).json({ method: "GET", path: "/x" })).toEqual({ via: "socks5" });
    expect(proxy.seen.logins).toEqual([{ user: "alice", password: "s3cr3t" }]);
    expect(proxy.seen.targets).toEqual([new URL(url).host]);
    expect(seen.map((s) => s.url)).toEqual(["/x"]);
    expect(seen[0]!.headers["proxy-authorization"]).toBeUndefined();
  });

  it("tunnels TLS to an https server, verified with the config's CA", async () => {
    const { url } = await serveTls({ cert: pem.cert, key: pem.key }, (_req, res) => json(res, 200, {}));
    const proxy = await serveSocks5();
    const trusted = client(url, { tls: { ca: { pem: pem.ca } }, proxyUrl: proxy.url });
    expect(await trusted.json({ method: "GET", path: "/secure" })).toEqual({});
    // Without the CA the server's certificate is not trusted, tunnel or not.
    const untrusted = client(url, { proxyUrl: proxy.url }, { retry: { maxRetries: 0 } });
    const err = await failure(() => untrusted.json({ method: "GET", path: "/secure" }));
    expect(err).toBeInstanceOf(TransportError);
    expect(proxy.seen.targets).toEqual([new URL(url).host, new URL(url).host]);
  });

  it("from HTTP_PROXY, for a server NO_PROXY does not list", async () => {
    const { url, seen } = await serve((req, res) => json(res, 200, { host: req.headers.host }));
    const proxy = await serveSocks5({ to: url });
    const env = { HTTP_PROXY: proxy.url, NO_PROXY: "other.example" };
    const http = client("http://kube.example:8080", {}, { env });
    expect(await http.json({ method: "GET", path: "/x" })).toEqual({ host: "kube.example:8080" });
    expect(proxy.seen.targets).toEqual(["kube.example:8080"]);
    expect(seen).toHaveLength(1);
  });
});

describe("the proxy rule shared with the loader", () => {
  it("refuses the scheme the kubeconfig loader refuses, with the same reason", async () => {
    const err = await failure(async () =>
      client("http://127.0.0.1:1", { proxyUrl: "ftp://u:s3cr3t@proxy:21" }),
    );
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe("ECONFIG");
    const reason = proxyUrlProblem("ftp://proxy:21");
    // The URL as the one redactor prints it: no user info (ftp's default port 21 drops out too).
    expect((err as TransportError).message).toBe(`proxy-url ftp://proxy/: ${reason}`);
    const loader = await readFile(
      join(import.meta.dirname, "../../fixtures/kubeconfig/bad-proxy-scheme/error.txt"),
      "utf8",
    );
    expect(loader.trim()).toBe(`clusters[0].cluster.proxy-url: ${reason}`);
    expect(() => client("http://127.0.0.1:1", { proxyUrl: "socks5://127.0.0.1:1" })).not.toThrow();
  });
});
