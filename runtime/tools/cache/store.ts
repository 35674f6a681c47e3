/**
 * The informer's cache: objects by key, with secondary indexes, as client-go's `cache.Indexer`
 * (`tools/cache/thread_safe_store.go`). JavaScript runs one thing at a time, so every method here
 * is atomic: a reader never sees half of an update, nor half of a `replace`.
 */

import type { KubeObject } from "../../core/object.js";

/** The values an object is indexed under (an object may have several, or none). */
export type IndexFunc<T> = (obj: T) => readonly string[];

/** Index functions by index name. */
export type Indexers<T> = Record<string, IndexFunc<T>>;

/** The name of the namespace index every informer has (client-go's `cache.NamespaceIndex`). */
export const namespaceIndex = "namespace";

/** Indexes an object by its namespace (`""` for a cluster-scoped one), as client-go's `MetaNamespaceIndexFunc`. */
export function metaNamespaceIndexFunc(obj: KubeObject): readonly string[] {
  return [obj.metadata?.namespace ?? ""];
}

/**
 * An object's key in the cache: `namespace/name`, or `name` for a cluster-scoped object (client-go's
 * `MetaNamespaceKeyFunc`). An object without a name has no key: that is an error.
 */
export function metaNamespaceKey(obj: KubeObject | DeletedFinalStateUnknown<KubeObject>): string {
  if (obj instanceof DeletedFinalStateUnknown) return obj.key;
  const name = obj.metadata?.name;
  if (!name) throw new TypeError("cache: an object without metadata.name has no key");
  const namespace = obj.metadata?.namespace;
  return namespace ? `${namespace}/${name}` : name;
}

/** Splits a key made by {@link metaNamespaceKey}. */
export function splitMetaNamespaceKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf("/");
  if (slash < 0) return { name: key };
  if (key.indexOf("/", slash + 1) >= 0) throw new RangeError(`cache: ${JSON.stringify(key)} is not a key`);
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/**
 * What a delete handler gets when the informer learned of a deletion only by relisting (the watch
 * missed it, e.g. across a 410): the key, and the last state the cache held, which may be stale.
 * client-go's `cache.DeletedFinalStateUnknown`.
 */
export class DeletedFinalStateUnknown<T> {
  constructor(
    readonly key: string,
    readonly obj: T,
  ) {}
}

/**
 * Objects by key with indexes. `get`, `list` and `byIndex` return the stored objects themselves:
 * they are shared with every other reader, so treat them as read-only (copy before changing one).
 *
 * @example
 * const store = new Indexer<Pod>({ byNode: (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []) });
 * store.add(pod);
 * store.byIndex("byNode", "node-1");
 */
export class Indexer<T extends KubeObject> {
  readonly #items = new Map<string, T>();
  readonly #indexers = new Map<string, IndexFunc<T>>();
  // index name → index value → keys
  readonly #indices = new Map<string, Map<string, Set<string>>>();
  readonly #keyOf: (obj: T) => string;

  constructor(indexers: Indexers<T> = {}, keyFunc: (obj: T) => string = metaNamespaceKey) {
    this.#keyOf = keyFunc;
    this.addIndexers(indexers);
  }

  /** The key of an object (or of a tombstone). */
  keyOf(obj: T | DeletedFinalStateUnknown<T>): string {
    return obj instanceof DeletedFinalStateUnknown ? obj.key : this.#keyOf(obj);
  }

  /** How many objects the cache holds. */
  get size(): number {
    return this.#items.size;
  }

  /** Adds or replaces an object (by its key). */
  add(obj: T): void {
    const key = this.#keyOf(obj);
    const old = this.#items.get(key);
    this.#items.set(key, obj);
    this.#reindex(key, old, obj);
  }

  /** The same as {@link add}: the cache keeps the newest state of each key. */
  update(obj: T): void {
    this.add(obj);
  }

  /** Removes an object (by its key); unknown keys are ignored. */
  delete(obj: T | DeletedFinalStateUnknown<T>): void {
    this.deleteKey(this.keyOf(obj));
  }

  /** Removes the object under `key`, returning it (or `undefined` if there was none). */
  deleteKey(key: string): T | undefined {
    const old = this.#items.get(key);
    if (old === undefined) return undefined;
    this.#items.delete(key);
    this.#reindex(key, old, undefined);
    return old;
  }

  /** Replaces the whole content at once. */
  replace(objects: Iterable<T>): void {
    this.#items.clear();
    for (const index of this.#indices.values()) index.clear();
    for (const obj of objects) this.add(obj);
  }

  /** The object under `key`. */
  getByKey(key: string): T | undefined {
    return this.#items.get(key);
  }

  /** The stored object with the same key as `obj`. */
  get(obj: T): T | undefined {
    return this.#items.get(this.#keyOf(obj));
  }

  /** Whether an object is stored under `key`. */
  has(key: string): boolean {
    return this.#items.has(key);
  }

  /** Every object, in no particular order. */
  list(): T[] {
    return [...this.#items.values()];
  }

  /** Every key. */
  listKeys(): string[] {
    return [...this.#items.keys()];
  }

  /** Every (key, object) pair. */
  entries(): IterableIterator<[string, T]> {
    return this.#items.entries();
  }

  /** The names of the indexes. */
  indexNames(): string[] {
    return [...this.#indexers.keys()];
  }

  /**
   * Adds indexes, indexing what is stored already. A name in use is an error, as client-go's
   * `AddIndexers` (an index cannot change under its readers).
   */
  addIndexers(indexers: Indexers<T>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.#indexers.has(name))
        throw new RangeError(`cache: index ${JSON.stringify(name)} exists already`);
      this.#indexers.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.#indices.set(name, index);
      for (const [key, obj] of this.#items) for (const value of fn(obj)) addTo(index, value, key);
    }
  }

  /** The objects indexed under `value` in index `indexName`. */
  byIndex(indexName: string, value: string): T[] {
    const out: T[] = [];
    for (const key of this.indexKeys(indexName, value)) {
      const obj = this.#items.get(key);
      if (obj !== undefined) out.push(obj);
    }
    return out;
  }

  /** The keys indexed under `value` in index `indexName`. */
  indexKeys(indexName: string, value: string): string[] {
    const keys = this.#index(indexName).get(value);
    return keys ? [...keys] : [];
  }

  /** The objects that share at least one value of index `indexName` with `obj`. */
  index(indexName: string, obj: T): T[] {
    const fn = this.#indexers.get(indexName);
    if (!fn) throw new RangeError(`cache: no index named ${JSON.stringify(indexName)}`);
    const keys = new Set<string>();
    for (const value of fn(obj)) for (const key of this.indexKeys(indexName, value)) keys.add(key);
    const out: T[] = [];
    for (const key of keys) {
      const found = this.#items.get(key);
      if (found !== undefined) out.push(found);
    }
    return out;
  }

  /** Every value index `indexName` has objects under. */
  listIndexFuncValues(indexName: string): string[] {
    return [...this.#index(indexName).keys()];
  }

  #index(name: string): Map<string, Set<string>> {
    const index = this.#indices.get(name);
    if (!index) throw new RangeError(`cache: no index named ${JSON.stringify(name)}`);
    return index;
  }

  #reindex(key: string, old: T | undefined, obj: T | undefined): void {
    for (const [name, fn] of this.#indexers) {
      const index = this.#indices.get(name) as Map<string, Set<string>>;
      const before = old === undefined ? [] : fn(old);
      const after = obj === undefined ? [] : fn(obj);
      // The common case (an update that keeps its index values) touches nothing.
      if (before.length === after.length && before.every((v, i) => v === after[i])) continue;
      for (const value of before) {
        const keys = index.get(value);
        if (!keys) continue;
        keys.delete(key);
        if (keys.size === 0) index.delete(value);
      }
      for (const value of after) addTo(index, value, key);
    }
  }
}

function addTo(index: Map<string, Set<string>>, value: string, key: string): void {
  let keys = index.get(value);
  if (!keys) {
    keys = new Set();
    index.set(value, keys);
  }
  keys.add(key);
}
