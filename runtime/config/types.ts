/**
 * The resolved client configuration: what every producer (kubeconfig, in-cluster, hand-built)
 * yields and what the transport consumes. The counterpart of client-go's `rest.Config`.
 *
 * Secrets (tokens, passwords, keys) live only in these objects and in request headers; nothing
 * here is ever logged or put in an error message.
 */

/** PEM text or the path of a PEM file (re-read when it changes). */
export type PemSource = { pem: string } | { file: string };

import type { CredentialSource } from "../auth/credentials.js";

export type { CredentialSource, Credentials } from "../auth/credentials.js";

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
  /** `http://`, `https://` or `socks5://` proxy for every request (`core/proxy-rules.ts`). */
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
