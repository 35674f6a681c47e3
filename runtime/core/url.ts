/**
 * URLs fit for messages. A server URL may carry user info (`https://user:password@host`), and one
 * that fails to parse is exactly the one printed in an error, so redaction must not rely on a
 * parser: a password may hold `@`, `#`, `/`, `?` or spaces, which end the authority for a parser.
 */

/**
 * `text` with everything between the scheme and the last `@` removed (the part that may be user
 * info), and without query or fragment. Works on any string, parseable or not; it may remove
 * more than the user info, never less.
 *
 * @example
 * redactUrl("https://admin:p@ss#w0rd@host:6443/x?y") // "https://host:6443/x"
 */
export function redactUrl(text: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0] ?? "";
  const at = text.lastIndexOf("@");
  return scheme + text.slice(Math.max(scheme.length, at + 1)).replace(/[?#].*$/s, "");
}

/** True when {@link redactUrl} removed something that may be user info. */
export function hasUserInfo(text: string): boolean {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0] ?? "";
  return text.lastIndexOf("@") >= scheme.length;
}
