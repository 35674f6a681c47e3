/**
 * The `Retry-After` header, read once for the retry layer and for the errors that carry it
 * (`Status.details.retryAfterSeconds`).
 */

/**
 * Seconds from a `Retry-After` header (integer seconds, as the apiserver sends), else undefined:
 * an HTTP date or anything else is not a delay the client acts on.
 *
 * @example
 * retryAfterSeconds("7") // 7
 * retryAfterSeconds(["3", "9"]) // 3
 */
export function retryAfterSeconds(value: string | readonly string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  return Number(text);
}
