/**
 * An in-memory list-and-watch source for unit tests of the reflector and informer: a history of
 * changes with increasing resourceVersions, compaction (410 on old versions), streaming lists
 * (or their refusal, as a server without them answers), and connections the test can cut.
 * The same behaviour is shown against the real apiserver in test/e2e/.
 */
import type { KubeList, KubeObject } from "../../runtime/core/object.js";
import type { ListOptions } from "../../runtime/core/options.js";
import type { CallOptions } from "../../runtime/core/request.js";
import type { WatchEvent } from "../../runtime/core/watch.js";
import { StatusError, TransportError } from "../../runtime/errors.js";

interface Change<T> {
  rv: number;
  type: "ADDED" | "MODIFIED" | "DELETED";
  obj: T;
}

const keyOf = (o: KubeObject) => `${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;

export class MemoryApi<T extends KubeObject> {
  rv = 1;
  readonly objects = new Map<string, T>();
  readonly history: Change<T>[] = [];
  /** Versions at or below this are compacted: watching from them is 410 Gone. */
  compactedRv = 0;
  streaming = true;
  readonly calls: { verb: "list" | "watch"; options: ListOptions }[] = [];
  #wakers = new Set<() => void>();
  #cuts = new Set<(err: Error) => void>();

  #record(type: Change<T>["type"], obj: T): T {
    this.rv += 1;
    const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv) } } as T;
    if (type === "DELETED") this.objects.delete(keyOf(obj));
    else this.objects.set(keyOf(obj), stored);
    this.history.push({ rv: this.rv, type, obj: stored });
    for (const wake of [...this.#wakers]) wake();
    return stored;
  }

  create(obj: T): T {
    return this.#record("ADDED", obj);
  }
  update(obj: T): T {
    return this.#record("MODIFIED", obj);
  }
  remove(obj: T): T {
    return this.#record("DELETED", this.objects.get(keyOf(obj)) ?? obj);
  }
  /** Forgets the history up to now: watches from older versions get 410. */
  compact(): void {
    this.compactedRv = this.rv;
  }
  /** Breaks every open watch with a connection error. */
  cutAll(): void {
    for (const cut of [...this.#cuts]) cut(new TransportError("ECONNECTION", "connection cut by the test"));
  }

  async list(options: ListOptions & CallOptions): Promise<KubeList<T>> {
    this.calls.push({ verb: "list", options: { ...options, signal: undefined } as ListOptions });
    return { metadata: { resourceVersion: String(this.rv) }, items: [...this.objects.values()] };
  }

  watch(options: ListOptions & CallOptions): AsyncIterable<WatchEvent<T>> {
    this.calls.push({ verb: "watch", options: { ...options, signal: undefined } as ListOptions });
    const api = this;
    return {
      async *[Symbol.asyncIterator]() {
        let from = Number(options.resourceVersion || api.rv);
        if (options.sendInitialEvents) {
          if (!api.streaming)
            throw new StatusError({
              kind: "Status",
              status: "Failure",
              code: 422,
              reason: "Invalid",
              message: "sendInitialEvents is forbidden",
            });
          // The state at one version, then the changes after it.
          from = api.rv;
          const initial = [...api.objects.values()];
          for (const obj of initial) yield { type: "ADDED", object: obj };
          yield {
            type: "BOOKMARK",
            object: {
              metadata: {
                resourceVersion: String(from),
                annotations: { "k8s.io/initial-events-end": "true" },
              },
            } as unknown as T,
          };
        }
        if (from < api.compactedRv)
          throw new StatusError({
            kind: "Status",
            status: "Failure",
            code: 410,
            reason: "Gone",
            message: "too old resource version",
          });
        let cut: Error | undefined;
        const onCut = (err: Error) => {
          cut = err;
          for (const wake of [...api.#wakers]) wake();
        };
        api.#cuts.add(onCut);
        try {
          for (;;) {
            if (options.signal?.aborted) return;
            if (cut) throw cut;
            const next = api.history.find((c) => c.rv > from);
            if (next) {
              from = next.rv;
              yield { type: next.type, object: next.obj };
              continue;
            }
            await new Promise<void>((resolve) => {
              const wake = () => {
                api.#wakers.delete(wake);
                options.signal?.removeEventListener("abort", wake);
                resolve();
              };
              api.#wakers.add(wake);
              options.signal?.addEventListener("abort", wake, { once: true });
            });
          }
        } finally {
          api.#cuts.delete(onCut);
        }
      },
    };
  }
}
