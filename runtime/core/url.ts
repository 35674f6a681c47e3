/**
 * URLs fit for messages: the one redactor every error and log line uses. A server URL may carry
 * user info (`https://user:password@host`), and one that fails to parse is exactly the one printed
 * in an error, so redaction cannot rely on a parser alone: a password may hold `@`, `#`, `/`, `?`
 * or spaces, which end the authority for a parser.
 */

const schemePattern = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * `text` without user info, query or fragment. A `scheme://` URL that parses is printed from its
 * parts (scheme, host, path); any other text (or one with an `@` after its authority, where a `#`,
 * `/` or `?` in a password cut the authority short) loses everything between the scheme and the
 * last `@`. It may
 * remove more than the user info, never less.
 *
 * @example
 * redactUrl("https://u:p@host/api/v1/pods?token=x") // "https://host/api/v1/pods"
 * redactUrl("https://admin:p@ss#w0rd@host:6443/x?y") // "https://host:6443/x"
 */
export function redactUrl(text: string): string {
  // Only `scheme://` text is parsed: a parser reads `user:pass@host` as a scheme and a path.
  if (schemePattern.test(text)) {
    try {
      const url = new URL(text);
      // An `@` in the path or fragment (`https://admin:12/ab@host`: a `/` in a password cut it
      // short) means the parser may have taken part of a password for the host.
      const afterAuthority = url.pathname + url.hash;
      if (!afterAuthority.includes("@")) return `${url.protocol}//${url.host}${url.pathname}`;
    } catch {
      // Not a URL: redacted as text below.
    }
  }
  const scheme = schemePattern.exec(text)?.[0] ?? "";
  const at = text.lastIndexOf("@");
  return scheme + text.slice(Math.max(scheme.length, at + 1)).replace(/[?#].*$/s, "");
}

/** True when the text redaction of {@link redactUrl} removes something that may be user info. */
export function hasUserInfo(text: string): boolean {
  const scheme = schemePattern.exec(text)?.[0] ?? "";
  return text.lastIndexOf("@") >= scheme.length;
}
