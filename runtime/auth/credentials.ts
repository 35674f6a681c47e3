/**
 * What an auth source gives the transport. Defined here, with the sources (token files, exec
 * plugins), so that `auth` needs nothing from `config`; `config` refers to these types.
 */

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
