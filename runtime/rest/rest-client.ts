/**
 * `RESTClient`: client-go's `rest.Interface` with its fluent request builder, for calls the typed
 * clients do not cover (other API paths, subresources, raw bodies). Builder errors (an invalid name,
 * a namespace set twice) accumulate and surface when the request is sent, as in client-go.
 *
 * @example
 * const rest = RESTClient.forConfig(config, { apiPath: "/api", groupVersion: "v1" });
 * const pods = await rest.get().namespace("default").resource("pods").params({ limit: 10 }).do();
 * console.log(pods.into<PodList>().items.length);
 */
import type { ClientConfig } from "../config/types.js";
import { goDuration, toQuery } from "../core/options.js";
import { getOwn, setOwn } from "../core/own.js";
import { type PatchType, PatchTypes } from "../core/patch.js";
import { type ApiRequest, type CallOptions, checkPathSegment, type QueryValue } from "../core/request.js";
import type { WatchEvent } from "../core/watch.js";
import { decodeJson, HttpClient, type HttpClientOptions } from "./http-client.js";

/** Where a `RESTClient`'s resource paths start. */
export interface RESTClientOptions {
  /** `/api` for the core group, `/apis` for the others (default). */
  apiPath?: string;
  /** `apps/v1`, or `v1` for the core group; empty for requests that set `absPath`. */
  groupVersion?: string;
}

/** The answer of `Request.do()`: status, headers, warnings and the body. */
export class Result {
  constructor(
    /** HTTP status code (2xx: other answers reject with a `StatusError`). */
    readonly statusCode: number,
    /** Response headers, lower-case names. */
    readonly headers: Record<string, string | string[] | undefined>,
    /** The body as text. */
    readonly body: string,
    /** `METHOD url` of the request, for messages. */
    readonly url: string,
    /** Texts of the answer's `Warning` headers. */
    readonly warnings: string[] = [],
  ) {}

  /** The `Content-Type` of the answer. */
  get contentType(): string | undefined {
    const value = this.headers["content-type"];
    return Array.isArray(value) ? value[0] : value;
  }

  /** The body as text. */
  raw(): string {
    return this.body;
  }

  /** The body parsed as JSON; an empty body is an error, as client-go's "0-length response". */
  into<T>(): T {
    return decodeJson<T>(this.body, this.url);
  }

  /** True for 201 Created. */
  get wasCreated(): boolean {
    return this.statusCode === 201;
  }
}

/**
 * A client for one API path and group-version, as client-go's `rest.RESTClient`. Clients made with
 * `forHttpClient` share that HTTP layer, its connection pool and its rate limiter.
 */
export class RESTClient {
  /** The HTTP layer this client sends through. */
  readonly http: HttpClient;
  /** `/api/v1`, `/apis/apps/v1`...: the prefix of every resource path. */
  readonly base: string;

  /** Prefer `forConfig` or `forHttpClient`. */
  constructor(http: HttpClient, options: RESTClientOptions = {}) {
    this.http = http;
    const apiPath = (options.apiPath ?? "/apis").replace(/\/+$/, "");
    this.base = options.groupVersion ? `${apiPath}/${options.groupVersion}` : apiPath;
  }

  /** A client with its own HTTP layer. */
  static forConfig(
    config: ClientConfig,
    options: RESTClientOptions = {},
    http: HttpClientOptions = {},
  ): RESTClient {
    return new RESTClient(HttpClient.forConfig(config, http), options);
  }

  /** A client sharing an existing HTTP layer (a clientset's `http`). */
  static forHttpClient(http: HttpClient, options: RESTClientOptions = {}): RESTClient {
    return new RESTClient(http, options);
  }

  /** A request with any method. */
  verb(method: ApiRequest["method"]): Request {
    return new Request(this, method);
  }
  /** A GET request. */
  get(): Request {
    return this.verb("GET");
  }
  /** A POST request. */
  post(): Request {
    return this.verb("POST");
  }
  /** A PUT request. */
  put(): Request {
    return this.verb("PUT");
  }
  /** A PATCH with the given patch type as its Content-Type. */
  patch(type: PatchType = PatchTypes.merge): Request {
    return this.verb("PATCH").contentType(type);
  }
  /** A DELETE request; delete options go in the body (`deleteOptionsBody`). */
  delete(): Request {
    return this.verb("DELETE");
  }

  /** Closes the HTTP layer (and so every client sharing it). */
  close(): Promise<void> {
    return this.http.close();
  }
}

/**
 * One request being built, as client-go's `rest.Request`: setters chain, mistakes accumulate and
 * are reported by `build()`, `do()`, `stream()` or `watch()`.
 */
export class Request {
  readonly #client: RESTClient;
  readonly #method: ApiRequest["method"];
  readonly #errors: string[] = [];
  readonly #query: Record<string, QueryValue> = {};
  readonly #headers: Record<string, string> = {};
  #namespace: string | undefined;
  #namespaceSet = false;
  #resource: string | undefined;
  #name: string | undefined;
  #subresource: string[] = [];
  #absPath: string | undefined;
  #body: unknown;
  #contentType: string | undefined;
  #options: CallOptions = {};

  constructor(client: RESTClient, method: ApiRequest["method"]) {
    this.#client = client;
    this.#method = method;
  }

  #segment(kind: string, value: string): string | undefined {
    try {
      return checkPathSegment(kind, value);
    } catch (err) {
      this.#errors.push((err as Error).message);
      return undefined;
    }
  }

  /** The namespace (setting it twice is an error); `""` means all namespaces for a list. */
  namespace(namespace: string): this {
    if (this.#namespaceSet) this.#errors.push(`namespace already set to ${JSON.stringify(this.#namespace)}`);
    this.#namespaceSet = true;
    this.#namespace = namespace ? this.#segment("namespace", namespace) : undefined;
    return this;
  }
  /** Sets the namespace only for namespaced resources. */
  namespaceIfScoped(namespace: string, scoped: boolean): this {
    return scoped ? this.namespace(namespace) : this;
  }
  /** The resource (plural, lower-cased as client-go does). */
  resource(resource: string): this {
    if (this.#resource !== undefined)
      this.#errors.push(`resource already set to ${JSON.stringify(this.#resource)}`);
    this.#resource = this.#segment("resource", resource.toLowerCase());
    return this;
  }
  /** The object's name. */
  name(name: string): this {
    if (this.#name !== undefined) this.#errors.push(`name already set to ${JSON.stringify(this.#name)}`);
    this.#name = this.#segment("name", name);
    return this;
  }
  /** Subresource path segments after the name (`status`, `scale`, `log`...). */
  subResource(...parts: string[]): this {
    for (const p of parts) {
      const s = this.#segment("subresource", p);
      if (s) this.#subresource.push(s);
    }
    return this;
  }
  /** A path that replaces the resource path (e.g. `/version`, `/openapi/v3`). */
  absPath(...segments: string[]): this {
    this.#absPath = `/${segments
      .map((s) => s.replace(/^\/+|\/+$/g, ""))
      .filter(Boolean)
      .join("/")}`;
    return this;
  }
  /** Adds a query parameter; repeated calls with one name add values, as client-go's `Param`. */
  param(name: string, value: string): this {
    const old = getOwn(this.#query, name) as QueryValue | undefined;
    setOwn(
      this.#query,
      name,
      old === undefined ? value : [...(Array.isArray(old) ? old : [String(old)]), value],
    );
    return this;
  }
  /**
   * Adds option objects (`ListOptions`, `GetOptions`, `PatchOptions`...) as query parameters, with
   * the apiserver's names. A value that cannot be a query parameter is a builder error.
   */
  params(options: object): this {
    try {
      for (const [key, value] of Object.entries(toQuery(options))) setOwn(this.#query, key, value);
    } catch (err) {
      this.#errors.push((err as Error).message);
    }
    return this;
  }
  /** The body: an object (sent as JSON), a string or bytes. */
  body(body: unknown): this {
    this.#body = body;
    return this;
  }
  /** Sets a request header (replacing one of the same name). */
  header(name: string, value: string): this {
    setOwn(this.#headers, name.toLowerCase(), value);
    return this;
  }
  /** The body's Content-Type (default `application/json`). */
  contentType(type: string): this {
    this.#contentType = type;
    return this;
  }
  /**
   * Request timeout in milliseconds, as client-go's `Timeout(d)`: sent to the server as the
   * `timeout` query parameter (`timeout=30s`), and for `do()` also a client-side deadline.
   * `watch()` and `stream()` get only the server-side one, so the client never cuts them.
   */
  timeout(ms: number): this {
    if (!(ms > 0) || !Number.isFinite(ms)) {
      this.#errors.push(`timeout must be a positive number of milliseconds, got ${ms}`);
      return this;
    }
    this.#options.timeout = ms;
    this.#query.timeout = goDuration(ms);
    return this;
  }
  /** Cancels the request (and closes a watch or stream) when the signal aborts. */
  signal(signal: AbortSignal): this {
    this.#options.signal = signal;
    return this;
  }

  /** The request as data; throws the builder's errors. */
  build(): ApiRequest {
    if (
      (this.#method === "POST" && this.#namespaceSet && !this.#namespace) ||
      (this.#name && this.#namespaceSet && !this.#namespace)
    ) {
      this.#errors.push("an empty namespace may not be set for this request");
    }
    if (this.#errors.length) throw new TypeError(`invalid request: ${this.#errors.join("; ")}`);
    let path = this.#absPath ?? this.#client.base;
    if (this.#absPath === undefined) {
      if (this.#namespace) path += `/namespaces/${this.#namespace}`;
      if (this.#resource) path += `/${this.#resource}`;
      if (this.#name) path += `/${this.#name}`;
      for (const s of this.#subresource) path += `/${s}`;
    }
    return {
      method: this.#method,
      path,
      query: this.#query,
      headers: this.#headers,
      ...(this.#body !== undefined ? { body: this.#body } : {}),
      ...(this.#contentType ? { contentType: this.#contentType } : {}),
    };
  }

  /** Sends the request; a non-2xx answer rejects with a `StatusError`. */
  async do(): Promise<Result> {
    const request = this.build();
    const http = this.#client.http;
    const res = await http.response(request, this.#options);
    const error = http.errorFor(request, res);
    if (error) throw error;
    return new Result(res.statusCode, res.headers, res.body, http.where(request), res.warnings);
  }

  /** Opens a byte stream (pod logs with `follow`); rejects with the builder's errors. */
  async stream(): Promise<AsyncIterable<Uint8Array>> {
    return this.#client.http.stream(this.build(), { signal: this.#options.signal });
  }

  /**
   * Opens a watch (`watch=true` is added): typed events as they arrive; `ERROR` events throw a
   * `StatusError`; breaking out of the loop closes the connection.
   *
   * @example
   * for await (const e of rest.get().namespace("ns").resource("configmaps").watch<ConfigMap>()) {
   *   console.log(e.type, e.object.metadata?.name);
   * }
   */
  watch<T>(): AsyncIterable<WatchEvent<T>> {
    this.#query.watch = true;
    const http = this.#client.http;
    const signal = this.#options.signal;
    // Built on first iteration, so builder errors surface where the watch is consumed.
    const build = () => this.build();
    return (async function* () {
      yield* http.watch<T>(build(), { signal });
    })();
  }
}
