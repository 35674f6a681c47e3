/**
 * Listing in pages, as client-go's `tools/pager`: `limit`/`continue` paging, one full list when a
 * continue token has expired, and a page buffer that fetches ahead while items are handled.
 */

import type { KubeList } from "../core/object.js";
import type { ListOptions } from "../core/options.js";
import type { CallOptions } from "../core/request.js";
import { isResourceExpired } from "../errors.js";

/** One list call: `ResourceClient.list` fits (bind it, or pass `(o) => client.list(o)`). */
export type ListPageFunction<L> = (options: ListOptions & CallOptions) => Promise<L>;

/** client-go's `defaultPageSize`. */
export const defaultPageSize = 500;
/** client-go's `defaultPageBufferSize`. */
export const defaultPageBufferSize = 10;

/** Options of a {@link ListPager}; the defaults are client-go's. */
export interface ListPagerOptions {
  /** The `limit` used when a call sets none (default 500; 0 lists in one request). */
  pageSize?: number;
  /** Pages fetched ahead by `eachListItem` while the current one is handled (default 10; 0: none). */
  pageBufferSize?: number;
  /** On 410 Expired for a continuation page, `list()` lists once in full (default true). */
  fullListIfExpired?: boolean;
  /** Called when `list()` falls back to a full list, with the Expired error. */
  onFullListFallback?: (err: unknown) => void;
}

/** What `ListPager.list()` returns. */
export interface PagedListResult<L> {
  list: L;
  /** True when more than one page was requested (client-go's `paginatedResult`). */
  paginated: boolean;
  /** True when a continue token expired and the list was read again in one request. */
  fullListFallback: boolean;
}

/**
 * Pages over a list function.
 *
 * @example
 * const pager = new ListPager((o) => pods.list(o));
 * const { list } = await pager.list();
 * for await (const pod of pager.eachListItem({ labelSelector: "app=web" })) handle(pod);
 */
export class ListPager<T, L extends KubeList<T> = KubeList<T>> {
  readonly #fn: ListPageFunction<L>;
  readonly #pageSize: number;
  readonly #bufferSize: number;
  readonly #fullListIfExpired: boolean;
  readonly #onFallback: ((err: unknown) => void) | undefined;

  constructor(fn: ListPageFunction<L>, options: ListPagerOptions = {}) {
    this.#fn = fn;
    this.#pageSize = options.pageSize ?? defaultPageSize;
    this.#bufferSize = options.pageBufferSize ?? defaultPageBufferSize;
    this.#fullListIfExpired = options.fullListIfExpired ?? true;
    this.#onFallback = options.onFullListFallback;
  }

  /**
   * Every item in one list, read page by page. When a continuation page fails with 410 Expired
   * (and `fullListIfExpired`), the pages read so far are dropped and one unpaginated list is made
   * at the caller's `resourceVersion`/`resourceVersionMatch`, as client-go does.
   */
  async list(options: ListOptions & CallOptions = {}): Promise<PagedListResult<L>> {
    let paginated = false;
    let merged: L | undefined;
    for await (const page of this.#pages(options)) {
      if (page === expired) {
        const full = await this.#fn({ ...options, limit: undefined, continue: undefined });
        return { list: full, paginated, fullListFallback: true };
      }
      if (merged) {
        paginated = true;
        merged.items.push(...page.items);
        merged.metadata = page.metadata;
      } else merged = { ...page, items: [...page.items] };
    }
    return { list: merged!, paginated, fullListFallback: false };
  }

  /**
   * The pages one after another. An expired continue token is thrown (items already handed out
   * cannot be taken back), as client-go's `EachListItem` returns it: list again from the start.
   */
  async *pages(options: ListOptions & CallOptions = {}): AsyncGenerator<L, void, undefined> {
    for await (const page of this.#pages(options, false)) if (page !== expired) yield page;
  }

  /**
   * Every item across pages; up to `pageBufferSize` pages are fetched ahead while the caller
   * works. Stopping the loop stops the fetching. An expired token is thrown as in `pages()`.
   */
  async *eachListItem(options: ListOptions & CallOptions = {}): AsyncGenerator<T, void, undefined> {
    if (this.#bufferSize <= 0) {
      for await (const page of this.pages(options)) yield* page.items;
      return;
    }
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    const queue: L[] = [];
    let done = false;
    let failure: { err: unknown } | undefined;
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    const waitFor = () => new Promise<void>((r) => (wake = r));
    const producer = (async () => {
      try {
        for await (const page of this.pages({ ...options, signal })) {
          queue.push(page);
          notify();
          while (queue.length >= this.#bufferSize && !stop.signal.aborted) await waitFor();
          if (stop.signal.aborted) return;
        }
      } catch (err) {
        if (!stop.signal.aborted) failure = { err };
      } finally {
        done = true;
        notify();
      }
    })();
    try {
      for (;;) {
        const page = queue.shift();
        if (page) {
          notify();
          yield* page.items;
        } else if (failure) throw failure.err;
        else if (done) return;
        else await waitFor();
      }
    } finally {
      stop.abort();
      notify();
      await producer;
    }
  }

  async *#pages(
    options: ListOptions & CallOptions,
    fallback = this.#fullListIfExpired,
  ): AsyncGenerator<L | typeof expired, void, undefined> {
    let request: ListOptions & CallOptions = {
      ...options,
      limit: options.limit || this.#pageSize || undefined,
    };
    for (;;) {
      let page: L;
      try {
        page = await this.#fn(request);
      } catch (err) {
        if (!fallback || !request.continue || !isResourceExpired(err)) throw err;
        this.#onFallback?.(err);
        yield expired;
        return;
      }
      yield page;
      const next = page.metadata?.continue;
      if (!next) return;
      // A continuation carries its own snapshot: resourceVersion and its match must be unset.
      request = { ...request, continue: next, resourceVersion: undefined, resourceVersionMatch: undefined };
    }
  }
}

const expired: unique symbol = Symbol("expired");
