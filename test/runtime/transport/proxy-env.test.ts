/**
 * Proxies from the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), by Go's rules: first the rules
 * alone, then through the transport with a local CONNECT proxy that counts its tunnels. Traffic
 * stays on loopback: the proxy maps the names it is asked for (`kube.proxied.invalid`, which the
 * client never resolves) to the 127.0.0.1 target, and `0.0.0.0` (not loopback by Go's rule, yet
 * reaching 127.0.0.1 listeners on Linux) stands for a target that a direct dial can reach.
 */
import { describe, expect, it } from "vitest";
import { parseIp, proxyFromEnvironment } from "../../../runtime/transport/proxy-env.js";
import { runCases } from "../../support/cases.js";
import { startConnectProxy } from "../../support/connect-proxy.js";
import { client, json, serve, serveTls, track, useServingPki } from "./local-server.js";

const P = "http://proxy.example:3128/";

describe("proxyFromEnvironment (Go's httpproxy rules)", () => {
  runCases<[string, NodeJS.ProcessEnv], string | undefined>(
    [
      ["HTTPS_PROXY for an https server", { given: ["https://k.example", { HTTPS_PROXY: P }], want: P }],
      [
        "https_proxy when HTTPS_PROXY is unset",
        { given: ["https://k.example", { https_proxy: P }], want: P },
      ],
      [
        "HTTPS_PROXY wins over https_proxy; an empty value counts as unset",
        {
          given: ["https://k.example", { HTTPS_PROXY: "", https_proxy: P, HTTP_PROXY: "http://other:1" }],
          want: P,
        },
      ],
      ["HTTP_PROXY never serves https", { given: ["https://k.example", { HTTP_PROXY: P }], want: undefined }],
      ["HTTP_PROXY for an http server", { given: ["http://k.example", { http_proxy: P }], want: P }],
      ["HTTPS_PROXY never serves http", { given: ["http://k.example", { HTTPS_PROXY: P }], want: undefined }],
      [
        "host:port is read as http://host:port",
        { given: ["https://k.example", { HTTPS_PROXY: "proxy.example:3128" }], want: P },
      ],
      [
        "an https proxy and user info are kept",
        {
          given: ["https://k.example", { HTTPS_PROXY: "https://u:p@proxy.example" }],
          want: "https://u:p@proxy.example/",
        },
      ],
      ["no proxy at all", { given: ["https://k.example", {}], want: undefined }],
      [
        "localhost is never proxied",
        { given: ["https://localhost:6443", { HTTPS_PROXY: P }], want: undefined },
      ],
      ["nor 127.0.0.0/8", { given: ["https://127.3.4.5:6443", { HTTPS_PROXY: P }], want: undefined }],
      ["nor ::1", { given: ["https://[::1]:6443", { HTTPS_PROXY: P }], want: undefined }],
      [
        "nor IPv4-mapped loopback",
        { given: ["https://[::ffff:127.0.0.1]:6443", { HTTPS_PROXY: P }], want: undefined },
      ],
      [
        "but a name under localhost is (Go checks the exact name)",
        { given: ["https://api.localhost", { HTTPS_PROXY: P }], want: P },
      ],
      ["0.0.0.0 is not loopback", { given: ["https://0.0.0.0:6443", { HTTPS_PROXY: P }], want: P }],
      [
        "NO_PROXY=* turns it off",
        { given: ["https://k.example", { HTTPS_PROXY: P, NO_PROXY: "*" }], want: undefined },
      ],
      [
        "no_proxy when NO_PROXY is unset",
        { given: ["https://k.example", { HTTPS_PROXY: P, no_proxy: "k.example" }], want: undefined },
      ],
      [
        "a domain matches itself and subdomains",
        {
          given: ["https://a.b.example.com", { HTTPS_PROXY: P, NO_PROXY: "x, example.com" }],
          want: undefined,
        },
      ],
      [
        "but not a name that merely ends the same",
        { given: ["https://notexample.com", { HTTPS_PROXY: P, NO_PROXY: "example.com" }], want: P },
      ],
      [
        "a leading dot matches subdomains only",
        { given: ["https://example.com", { HTTPS_PROXY: P, NO_PROXY: ".example.com" }], want: P },
      ],
      [
        "a leading dot: a subdomain",
        { given: ["https://a.example.com", { HTTPS_PROXY: P, NO_PROXY: ".example.com" }], want: undefined },
      ],
      [
        "*. is a leading dot",
        { given: ["https://example.com", { HTTPS_PROXY: P, NO_PROXY: "*.example.com" }], want: P },
      ],
      [
        "entries are case-insensitive and trimmed",
        {
          given: ["https://api.example.com", { HTTPS_PROXY: P, NO_PROXY: "  EXAMPLE.COM  " }],
          want: undefined,
        },
      ],
      [
        "host:port matches that port only (the https default is 443)",
        { given: ["https://k.example", { HTTPS_PROXY: P, NO_PROXY: "k.example:443" }], want: undefined },
      ],
      [
        "host:port with another port",
        { given: ["https://k.example:6443", { HTTPS_PROXY: P, NO_PROXY: "k.example:443" }], want: P },
      ],
      [
        "an IP",
        { given: ["https://10.1.2.3:6443", { HTTPS_PROXY: P, NO_PROXY: "10.1.2.3" }], want: undefined },
      ],
      [
        "an IP and port",
        { given: ["https://10.1.2.3:6443", { HTTPS_PROXY: P, NO_PROXY: "10.1.2.3:443" }], want: P },
      ],
      [
        "a CIDR",
        { given: ["https://10.1.2.3:6443", { HTTPS_PROXY: P, NO_PROXY: "10.0.0.0/8" }], want: undefined },
      ],
      [
        "outside the CIDR",
        { given: ["https://11.1.2.3", { HTTPS_PROXY: P, NO_PROXY: "10.0.0.0/8" }], want: P },
      ],
      [
        "an IPv6 CIDR",
        { given: ["https://[fd00::1]:6443", { HTTPS_PROXY: P, NO_PROXY: "fd00::/8" }], want: undefined },
      ],
      [
        "an IPv6 address with port",
        {
          given: ["https://[fd00::1]:6443", { HTTPS_PROXY: P, NO_PROXY: "[fd00::1]:6443" }],
          want: undefined,
        },
      ],
      [
        "an IP entry does not match a name",
        { given: ["https://k.example", { HTTPS_PROXY: P, NO_PROXY: "10.0.0.0/8,10.1.2.3" }], want: P },
      ],
      [
        "a value that is no URL, even with http:// before it, is ignored",
        { given: ["https://k.example", { HTTPS_PROXY: "[" }], want: undefined },
      ],
      [
        "CGI: HTTP_PROXY is not used for https servers anyway",
        { given: ["https://k.example", { HTTPS_PROXY: P, REQUEST_METHOD: "GET" }], want: P },
      ],
    ],
    ([target, env]) => proxyFromEnvironment(target, env),
  );

  it("refuses HTTP_PROXY under CGI (REQUEST_METHOD set)", () => {
    expect(() => proxyFromEnvironment("http://k.example", { HTTP_PROXY: P, REQUEST_METHOD: "GET" })).toThrow(
      "refusing to use HTTP_PROXY in a CGI environment (REQUEST_METHOD is set); see golang.org/s/cgihttpproxy",
    );
  });

  it("takes a socks5 proxy as Go does (the transport speaks it), and reads other schemes as hosts", () => {
    expect(
      proxyFromEnvironment("https://k.example", { https_proxy: "socks5://u:s3cr3t@proxy.example:1080" }),
    ).toBe("socks5://u:s3cr3t@proxy.example:1080");
    // Go's parseProxy: not http, https or socks5, so `http://` is put before it.
    expect(proxyFromEnvironment("https://k.example", { HTTPS_PROXY: "proxy.example:3128" })).toBe(
      "http://proxy.example:3128/",
    );
  });

  it("parses IPs as Go's 16-byte form", () => {
    const hex = (ip: string) => Buffer.from(parseIp(ip) ?? []).toString("hex");
    expect(hex("1.2.3.4")).toBe("00000000000000000000ffff01020304");
    expect(hex("::ffff:1.2.3.4")).toBe(hex("1.2.3.4"));
    expect(hex("::1")).toBe("00000000000000000000000000000001");
    expect(hex("fd00::1:2")).toBe("fd000000000000000000000000010002");
    expect(hex("1:2:3:4:5:6:7:8")).toBe("00010002000300040005000600070008");
    expect(hex("::")).toBe("0".repeat(32));
    for (const bad of ["01.2.3.4", "1.2.3", "example.com", "fe80::1%eth0", ""])
      expect(parseIp(bad)).toBeUndefined();
  });
});

describe("the transport with proxies from the environment", () => {
  const pem = useServingPki();

  async function connectProxy(): Promise<{ url: string; tunnels: string[] }> {
    const proxy = await startConnectProxy();
    track(proxy.server);
    return proxy;
  }

  const tlsServer = () =>
    serveTls({ cert: pem.cert, key: pem.key }, (_req, res) => json(res, 200, { ok: true }));
  const portOf = (url: string) => new URL(url).port;
  // The serving certificate names localhost: the name to verify, whatever host is dialled.
  const tls = () => ({ ca: { pem: pem.ca }, serverName: "localhost" });
  const get = (server: string, env: NodeJS.ProcessEnv, extra: { proxyUrl?: string } = {}) =>
    client(
      server,
      { tls: server.startsWith("https") ? tls() : {}, ...extra },
      { env, retry: { maxRetries: 0 } },
    ).json({ method: "GET", path: "/api" });

  it("HTTPS_PROXY carries an https server's requests through the proxy", async () => {
    const { url, seen } = await tlsServer();
    const proxy = await connectProxy();
    const server = `https://kube.proxied.invalid:${portOf(url)}`;
    expect(await get(server, { HTTPS_PROXY: proxy.url })).toEqual({ ok: true });
    expect(await get(server, { HTTPS_PROXY: proxy.url })).toEqual({ ok: true });
    expect(proxy.tunnels).toEqual([
      `kube.proxied.invalid:${portOf(url)}`,
      `kube.proxied.invalid:${portOf(url)}`,
    ]);
    expect(seen).toHaveLength(2);
  });

  it("http_proxy carries an http server's requests; HTTPS_PROXY does not", async () => {
    const { url, seen } = await serve((_req, res) => json(res, 200, { ok: true }));
    const proxy = await connectProxy();
    expect(await get(`http://kube.proxied.invalid:${portOf(url)}`, { http_proxy: proxy.url })).toEqual({
      ok: true,
    });
    expect(proxy.tunnels).toEqual([`kube.proxied.invalid:${portOf(url)}`]);
    expect(await get(`http://0.0.0.0:${portOf(url)}`, { HTTPS_PROXY: proxy.url })).toEqual({ ok: true });
    expect(proxy.tunnels).toHaveLength(1);
    expect(seen).toHaveLength(2);
  });

  it("NO_PROXY sends matching servers direct", async () => {
    const { url, seen } = await tlsServer();
    const proxy = await connectProxy();
    const server = `https://0.0.0.0:${portOf(url)}`;
    expect(await get(server, { HTTPS_PROXY: proxy.url })).toEqual({ ok: true });
    expect(proxy.tunnels).toEqual([`0.0.0.0:${portOf(url)}`]);
    for (const noProxy of ["0.0.0.0", `0.0.0.0:${portOf(url)}`, "0.0.0.0/8", "*", "example.com, 0.0.0.0"])
      expect(await get(server, { HTTPS_PROXY: proxy.url, NO_PROXY: noProxy })).toEqual({ ok: true });
    expect(await get(server, { HTTPS_PROXY: proxy.url, no_proxy: "0.0.0.0" })).toEqual({ ok: true });
    expect(proxy.tunnels).toHaveLength(1);
    expect(seen).toHaveLength(7);
  });

  it("never proxies loopback servers", async () => {
    const { url, seen } = await tlsServer();
    const proxy = await connectProxy();
    for (const host of ["127.0.0.1", "localhost"])
      expect(await get(`https://${host}:${portOf(url)}`, { HTTPS_PROXY: proxy.url })).toEqual({ ok: true });
    expect(proxy.tunnels).toEqual([]);
    expect(seen).toHaveLength(2);
  });

  it("a kubeconfig proxy-url wins over the environment, NO_PROXY included, as client-go", async () => {
    const { url } = await tlsServer();
    const proxy = await connectProxy();
    const other = await connectProxy();
    expect(
      await get(
        `https://127.0.0.1:${portOf(url)}`,
        { HTTPS_PROXY: other.url, NO_PROXY: "*" },
        { proxyUrl: proxy.url },
      ),
    ).toEqual({ ok: true });
    expect(proxy.tunnels).toEqual([`127.0.0.1:${portOf(url)}`]);
    expect(other.tunnels).toEqual([]);
  });

  it("reads process.env by default", async () => {
    const { url } = await tlsServer();
    const proxy = await connectProxy();
    const saved = process.env.HTTPS_PROXY;
    process.env.HTTPS_PROXY = proxy.url;
    try {
      const c = client(`https://kube.proxied.invalid:${portOf(url)}`, { tls: tls() });
      expect(await c.json({ method: "GET", path: "/api" })).toEqual({ ok: true });
    } finally {
      if (saved === undefined) delete process.env.HTTPS_PROXY;
      else process.env.HTTPS_PROXY = saved;
    }
    expect(proxy.tunnels).toEqual([`kube.proxied.invalid:${portOf(url)}`]);
  });
});
