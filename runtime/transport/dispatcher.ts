/**
 * `buildDispatcher(config)`: the one place where the transport's layers are chosen and ordered,
 * as client-go's `HTTPWrappersForConfig`.
 *
 * undici's `compose(a, b, c)` wraps so that the LAST interceptor sees a request FIRST:
 *
 *   request → warnings → user-agent → impersonation → auth → rate-limit → retry → logging → Agent
 *
 * Auth sits outside retry, so a retried request keeps its credentials; retries happen below the
 * rate limiter, as client-go retries inside one throttled request. gzip answers are decoded by
 * `HttpClient`, which asks for them.
 */
import { arch, platform } from "node:os";
import { Agent, type Dispatcher, ProxyAgent } from "undici";
import type { ClientConfig } from "../config/types.js";
import { ClientCertificateDispatcher } from "./client-certificate.js";
import { auth } from "./interceptors/auth.js";
import { impersonation, userAgent } from "./interceptors/headers.js";
import { logging, type RequestLogger } from "./interceptors/logging.js";
import { rateLimit, TokenBucket } from "./interceptors/rate-limit.js";
import { type RetryOptions, retry } from "./interceptors/retry.js";
import { deduplicatingStderrWarnings, type WarningHandler, warnings } from "./interceptors/warnings.js";
import { connectOptions } from "./tls.js";

export const version = "0.1.0";

/** `kubegen/<version> (<os>/<arch>) node/<version>` */
export function defaultUserAgent(): string {
  return `kubegen/${version} (${platform()}/${arch()}) node/${process.version}`;
}

export interface TransportOptions {
  /** Receives the apiserver's warnings; default: each distinct one once to stderr. */
  warningHandler?: WarningHandler;
  retry?: RetryOptions;
  /** Logs requests at kubectl's verbosities 6 to 9, secrets masked. */
  logger?: RequestLogger;
  /** Replaces the base dispatcher (tests, custom pools). Layers still wrap it. */
  baseDispatcher?: Dispatcher;
}

/**
 * The base pool: one keep-alive Agent (or ProxyAgent) per configuration, plus one per client
 * certificate that credentials bring (see `client-certificate.ts`).
 */
export function baseDispatcher(config: ClientConfig): Dispatcher {
  const base = connectOptions(config.tls);
  if (config.proxyUrl) {
    const proxy = new URL(config.proxyUrl);
    if (proxy.protocol !== "http:" && proxy.protocol !== "https:") {
      throw new Error(
        `proxy-url ${proxy.protocol}//${proxy.host}: only http and https proxies are supported`,
      );
    }
  }
  return new ClientCertificateDispatcher((certificate) => {
    const connect = certificate ? { ...base, cert: certificate.cert, key: certificate.key } : base;
    if (config.proxyUrl) {
      return new ProxyAgent({
        uri: config.proxyUrl,
        requestTls: connect,
        proxyTls: base.ca ? { ca: base.ca } : {},
      });
    }
    return new Agent({ connect, keepAliveTimeout: 30_000 });
  });
}

/** Builds the dispatcher every request of a client goes through. */
export function buildDispatcher(config: ClientConfig, options: TransportOptions = {}): Dispatcher {
  const base = options.baseDispatcher ?? baseDispatcher(config);
  const qps = config.qps ?? 5;
  const layers: Dispatcher.DispatcherComposeInterceptor[] = [];
  // Innermost: logs each attempt as sent, after auth and retries decided its headers.
  if (options.logger) layers.push(logging(options.logger));
  layers.push(retry(options.retry));
  if (qps > 0) layers.push(rateLimit(new TokenBucket(qps, config.burst ?? 10)));
  layers.push(auth(config.auth));
  if (config.impersonate) layers.push(impersonation(config.impersonate));
  layers.push(userAgent(config.userAgent ?? defaultUserAgent()));
  layers.push(warnings(options.warningHandler ?? deduplicatingStderrWarnings()));
  return base.compose(layers);
}
