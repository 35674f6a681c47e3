/**
 * The generator's one ordering: by UTF-16 code units, as `Array.prototype.sort` does by default.
 * `localeCompare` would depend on the machine's ICU data and locale, and the output must be the
 * same on every machine (ARCHITECTURE.md, "The generator, stage by stage": deterministic output).
 */

/** Compares two strings by code units: stable across locales, Node versions and machines. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
