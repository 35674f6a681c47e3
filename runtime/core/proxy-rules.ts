/**
 * The proxy rule shared by the kubeconfig loader (`proxy-url`), the transport (a hand-built
 * `ClientConfig`'s `proxyUrl`) and the environment (`HTTPS_PROXY`, `HTTP_PROXY`): a proxy URL's
 * scheme is http, https or socks5, as client-go's `parseProxyURL` says, and the transport speaks
 * all three. Nothing that one accepts is refused by another.
 */

/** The schemes a proxy URL may have. */
export const proxySchemes = ["http", "https", "socks5"] as const;

/** One of {@link proxySchemes}. */
export type ProxyScheme = (typeof proxySchemes)[number];

/** The scheme of a proxy URL (`socks5` for `socks5://host:1080`), or undefined for any other. */
export function proxySchemeOf(url: URL): ProxyScheme | undefined {
  const scheme = url.protocol.slice(0, -1);
  return proxySchemes.find((s) => s === scheme);
}

/**
 * What is wrong with a proxy URL, or undefined when it can be used. The text never quotes the
 * value, whose user info may hold a password.
 *
 * @example
 * proxyUrlProblem("ftp://proxy:21") // "the scheme must be http, https or socks5, not ftp"
 */
export function proxyUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not a URL";
  }
  if (proxySchemeOf(url)) return undefined;
  return `the scheme must be ${proxySchemes.slice(0, -1).join(", ")} or ${proxySchemes.at(-1)}, not ${url.protocol.slice(0, -1)}`;
}
