/**
 * The resolved client configuration: what every producer (kubeconfig, in-cluster, hand-built)
 * yields and what the transport consumes. The counterpart of client-go's `rest.Config`.
 *
 * Secrets (tokens, passwords, keys) live only in these objects and in request headers; nothing
 * here is ever logged or put in an error message.
 */

/** PEM text or the path of a PEM file (re-read when it changes). */
export type PemSource = { pem: string } | { file: string };

/** Credentials an auth source yields for one request. */
export interface Credentials {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** PEM client certificate and key for mutual TLS (exec plugins may return these). */
  clientCertificate?: { cert: string; key: string };
  /** When these credentials stop being valid; absent means "until the server says 401". */
  expiresAt?: Date;
}

/**
 * Something that yields credentials, possibly by reading a file or running a plugin. The transport
 * calls `get()` before each request and `invalidate()` after a 401, as client-go does for exec
 * plugins and rotating token files.
 */
export interface CredentialSource {
  /** A short, secret-free description for errors and logs, e.g. `exec plugin "aws"`. */
  readonly description: string;
  get(signal?: AbortSignal): Promise<Credentials>;
  /** Forget cached credentials: the next `get()` fetches fresh ones. */
  invalidate(): void;
}

export interface ImpersonationConfig {
  user?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface TlsConfig {
  /** CA bundle to trust; absent means the system roots. */
  ca?: PemSource;
  /** Client certificate and key (mutual TLS). */
  clientCertificate?: { cert: PemSource; key: PemSource };
  insecureSkipVerify?: boolean;
  /** SNI and the name to verify the server certificate against. */
  serverName?: string;
}

export type AuthConfig =
  | { type: "none" }
  | { type: "token"; token: string }
  | { type: "basic"; username: string; password: string }
  /** Bearer token and/or client certificate from a source: token file, exec plugin, ... */
  | { type: "source"; source: CredentialSource };

export interface ClientConfig {
  /** Base URL of the apiserver; a path is kept as a prefix (`https://host:6443/prefix`). */
  server: string;
  tls: TlsConfig;
  auth: AuthConfig;
  impersonate?: ImpersonationConfig;
  /** `http://`, `https://` (or `socks5://`) proxy for every request. */
  proxyUrl?: string;
  /** Do not ask for gzip-compressed responses. */
  disableCompression?: boolean;
  /** Namespace of the selected context (else `default`), for clients to default to. */
  namespace: string;
  /** Client-side rate limit: queries per second (default 5; negative disables). */
  qps?: number;
  /** Client-side rate limit: burst (default 10). */
  burst?: number;
  /** Per-request timeout in milliseconds (0 or absent: none). Never applied to watches or streams. */
  timeout?: number;
  /** Overrides the default `kubegen/<version> (<os>/<arch>) node/<version>`. */
  userAgent?: string;
}
