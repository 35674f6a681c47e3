/** An ApiCaller that records requests and answers from a queue: for testing request building alone. */

import type { ApiRequest, CallOptions } from "../../../runtime/core/request.js";
import type { WatchEvent } from "../../../runtime/core/watch.js";
import type { ApiCaller } from "../../../runtime/rest/api-caller.js";

export class RecordingCaller implements ApiCaller {
  readonly requests: ApiRequest[] = [];
  readonly options: (CallOptions | undefined)[] = [];
  readonly answers: unknown[] = [];

  async json<T>(request: ApiRequest, options?: CallOptions): Promise<T> {
    this.requests.push(request);
    this.options.push(options);
    return (this.answers.length ? this.answers.shift() : { echo: request.body }) as T;
  }

  watch<T>(request: ApiRequest, options?: CallOptions): AsyncIterable<WatchEvent<T>> {
    this.requests.push(request);
    this.options.push(options);
    const events = (this.answers.shift() ?? []) as WatchEvent<T>[];
    return (async function* () {
      yield* events;
    })();
  }

  async stream(request: ApiRequest, options?: CallOptions): Promise<AsyncIterable<Uint8Array>> {
    this.requests.push(request);
    this.options.push(options);
    const chunks = (this.answers.shift() ?? []) as string[];
    return (async function* () {
      for (const c of chunks) yield new TextEncoder().encode(c);
    })();
  }

  /** The last request. */
  get last(): ApiRequest {
    const r = this.requests.at(-1);
    if (!r) throw new Error("no request recorded");
    return r;
  }
}
