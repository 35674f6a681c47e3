/**
 * Proxies from the environment, by the rules client-go gets from Go's `http.ProxyFromEnvironment`
 * (`golang.org/x/net/http/httpproxy`), used when the kubeconfig has no `proxy-url`:
 *
 * - `HTTPS_PROXY` for `https://` servers, `HTTP_PROXY` for `http://` ones (the upper-case name
 *   first, then the lower-case one; an empty value counts as unset). One never stands in for the
 *   other. A value without an http, https or socks5 scheme (`core/proxy-rules.ts`, the rule
 *   `proxy-url` follows too) is read as `http://<value>`, as Go reads it; a value that is not a
 *   URL even then is ignored.
 * - `localhost` and loopback addresses (127.0.0.0/8, ::1) are never proxied.
 * - `NO_PROXY` (then `no_proxy`): comma-separated; `*` alone turns proxying off; `1.2.3.4` and
 *   `1.2.3.4:80` match that IP (and port); `10.0.0.0/8` and `fd00::/8` match addresses inside;
 *   `example.com` matches it and its subdomains, `.example.com` and `*.example.com` only its
 *   subdomains; `host:port` entries match that port only. Entries are case-insensitive.
 * - Go refuses `HTTP_PROXY` when `REQUEST_METHOD` is set (a CGI program, whose `HTTP_PROXY` a
 *   client's `Proxy:` header could set); so does this, for `http://` servers.
 */
import { isIP } from "node:net";
import { domainToASCII } from "node:url";
import { proxySchemeOf } from "../core/proxy-rules.js";
import { TransportError } from "../errors.js";

/** The value of the first of `names` that is set and not empty, with the name it came from. */
function getEnvAny(env: NodeJS.ProcessEnv, ...names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value) return { name, value };
  }
  return undefined;
}

/** Go's `parseProxy`: a URL with an http, https or socks5 scheme, else `http://` + the value. */
function parseProxy(value: string): URL | undefined {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url && proxySchemeOf(url)) return url;
  try {
    return new URL(`http://${value}`);
  } catch {
    return undefined;
  }
}

/** An IP address as 16 bytes (IPv4 as IPv4-mapped IPv6, as Go's `net.IP`), or undefined. */
export function parseIp(text: string): Uint8Array | undefined {
  const kind = isIP(text);
  if (kind === 4) {
    const out = new Uint8Array(16);
    out[10] = 0xff;
    out[11] = 0xff;
    text.split(".").forEach((part, i) => {
      out[12 + i] = Number(part);
    });
    return out;
  }
  if (kind !== 6 || text.includes("%")) return undefined;
  // An IPv4 tail ("::ffff:1.2.3.4") becomes two groups; then "::" stands for the missing zeros.
  let hex = text;
  if (text.includes(".")) {
    const colon = text.lastIndexOf(":");
    const v4 = parseIp(text.slice(colon + 1));
    if (!v4) return undefined;
    const word = (i: number) => ((v4[i]! << 8) | v4[i + 1]!).toString(16);
    hex = `${text.slice(0, colon + 1)}${word(12)}:${word(14)}`;
  }
  let groups: string[];
  if (hex.includes("::")) {
    const [left = "", right = ""] = hex.split("::");
    const l = left ? left.split(":") : [];
    const r = right ? right.split(":") : [];
    groups = [...l, ...Array<string>(8 - l.length - r.length).fill("0"), ...r];
  } else groups = hex.split(":");
  if (groups.length !== 8) return undefined;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = Number.parseInt(g, 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  });
  return out;
}

const isV4 = (ip: Uint8Array) =>
  ip.subarray(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff;

/** Go's `IP.IsLoopback`: 127.0.0.0/8 or ::1. */
function isLoopback(ip: Uint8Array): boolean {
  if (isV4(ip)) return ip[12] === 127;
  return ip.subarray(0, 15).every((b) => b === 0) && ip[15] === 1;
}

const sameIp = (a: Uint8Array, b: Uint8Array) => a.every((byte, i) => byte === b[i]);

/** Go's `net.ParseCIDR`: `ip/bits`, the network and its prefix in bits of the 16-byte form. */
function parseCidr(text: string): { net: Uint8Array; bits: number } | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(lenText)) return undefined;
  const v4 = isIP(text.slice(0, slash)) === 4;
  const len = Number(lenText);
  if (len > (v4 ? 32 : 128)) return undefined;
  return { net: ip, bits: v4 ? 96 + len : len };
}

function inCidr(ip: Uint8Array, cidr: { net: Uint8Array; bits: number }): boolean {
  for (let bit = 0; bit < cidr.bits; bit++) {
    const mask = 0x80 >> (bit % 8);
    if ((ip[bit >> 3]! & mask) !== (cidr.net[bit >> 3]! & mask)) return false;
  }
  return true;
}

/** Go's `net.SplitHostPort`, or undefined where it fails. */
function splitHostPort(text: string): { host: string; port: string } | undefined {
  if (text.startsWith("[")) {
    const end = text.indexOf("]");
    if (end < 0 || text[end + 1] !== ":") return undefined;
    const host = text.slice(1, end);
    const port = text.slice(end + 2);
    return port.includes(":") || host.includes("[") ? undefined : { host, port };
  }
  const colon = text.lastIndexOf(":");
  if (colon < 0) return undefined;
  const host = text.slice(0, colon);
  if (host.includes(":")) return undefined;
  return { host, port: text.slice(colon + 1) };
}

type Matcher =
  | { kind: "all" }
  | { kind: "cidr"; cidr: { net: Uint8Array; bits: number } }
  | { kind: "ip"; ip: Uint8Array; port: string }
  | { kind: "domain"; host: string; port: string; matchHost: boolean };

/** Go's `config.init` for `NO_PROXY`: ip matchers and domain matchers. Bad entries are skipped. */
function parseNoProxy(value: string): { ip: Matcher[]; domain: Matcher[] } {
  const ip: Matcher[] = [];
  const domain: Matcher[] = [];
  for (const raw of value.split(",")) {
    const p = raw.trim().toLowerCase();
    if (!p) continue;
    if (p === "*") return { ip: [{ kind: "all" }], domain: [{ kind: "all" }] };
    const cidr = parseCidr(p);
    if (cidr) {
      ip.push({ kind: "cidr", cidr });
      continue;
    }
    let host = p;
    let port = "";
    const split = splitHostPort(p);
    if (split) {
      if (!split.host) continue;
      ({ host, port } = split);
    }
    const addr = parseIp(host);
    if (addr) {
      ip.push({ kind: "ip", ip: addr, port });
      continue;
    }
    if (!host) continue;
    if (host.startsWith("*.")) host = host.slice(1);
    const matchHost = !host.startsWith(".");
    if (matchHost) host = `.${host}`;
    domain.push({ kind: "domain", host: domainToASCII(host) || host, port, matchHost });
  }
  return { ip, domain };
}

function matches(m: Matcher, host: string, port: string, ip: Uint8Array | undefined): boolean {
  switch (m.kind) {
    case "all":
      return true;
    case "cidr":
      return ip !== undefined && inCidr(ip, m.cidr);
    case "ip":
      return ip !== undefined && sameIp(m.ip, ip) && (m.port === "" || m.port === port);
    case "domain":
      return (
        (host.endsWith(m.host) || (m.matchHost && host === m.host.slice(1))) &&
        (m.port === "" || m.port === port)
      );
  }
}

/** Go's `useProxy` for a target host and port. */
function useProxy(host: string, port: string, noProxy: string): boolean {
  if (host === "localhost") return false;
  const ip = parseIp(host);
  if (ip && isLoopback(ip)) return false;
  const lower = host.trim().toLowerCase();
  const { ip: ipMatchers, domain } = parseNoProxy(noProxy);
  if (ip && ipMatchers.some((m) => matches(m, lower, port, ip))) return false;
  return !domain.some((m) => matches(m, lower, port, ip));
}

/**
 * The proxy the environment gives for requests to `target` (a server URL), or undefined for a
 * direct connection.
 *
 * @throws {TransportError} `ECONFIG` for `HTTP_PROXY` under CGI (`REQUEST_METHOD` set), as Go
 * @example
 * proxyFromEnvironment("https://10.0.0.1:6443", { HTTPS_PROXY: "proxy:3128", NO_PROXY: "10.0.0.0/8" }) // undefined
 */
export function proxyFromEnvironment(
  target: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return undefined;
  }
  const https = url.protocol === "https:";
  if (!https && url.protocol !== "http:") return undefined;
  const setting = https
    ? getEnvAny(env, "HTTPS_PROXY", "https_proxy")
    : getEnvAny(env, "HTTP_PROXY", "http_proxy");
  if (!setting) return undefined;
  const proxy = parseProxy(setting.value);
  if (!proxy) return undefined;
  if (!https && env.REQUEST_METHOD) {
    throw new TransportError(
      "ECONFIG",
      `refusing to use ${setting.name} in a CGI environment (REQUEST_METHOD is set); see golang.org/s/cgihttpproxy`,
    );
  }
  // WHATWG hostnames are lower-case and IDNA-encoded already; IPv6 keeps its brackets here.
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = url.port || (https ? "443" : "80");
  if (!useProxy(host, port, getEnvAny(env, "NO_PROXY", "no_proxy")?.value ?? "")) return undefined;
  return proxy.href;
}
