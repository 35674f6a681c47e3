/**
 * Own-property access for JSON-like data. `JSON.parse` makes `__proto__`, `constructor` and
 * `prototype` ordinary own keys; plain `obj[key]` reads would find `Object.prototype` members
 * instead, and `obj.__proto__ = v` would change the object's prototype. These helpers treat every
 * key as data, so a key from a document, a path or a name can never reach a prototype.
 */

/** True when `key` is an own property of `object`. */
export function hasOwn(object: object, key: string): boolean {
  return Object.hasOwn(object, key);
}

/** The own property `key` of `object`, or undefined (inherited members never count). */
export function getOwn(object: object, key: string): unknown {
  return hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

/**
 * Sets `key` as an own, enumerable, writable data property, as `JSON.parse` would: `__proto__`
 * becomes a key, not a prototype change.
 */
export function setOwn(object: object, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
}
