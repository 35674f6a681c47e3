/**
 * Client certificates that arrive with credentials (an exec plugin may return one instead of a
 * token) need their own TLS connections. The auth layer tags the request with the certificate;
 * this base dispatcher sends it through a pool built for that certificate, and sends untagged
 * requests through the configuration's own pool.
 */
import { createHash } from "node:crypto";
import { Dispatcher } from "undici";

/** The request option the auth layer sets: PEM certificate and key. */
export const clientCertificateOption = Symbol.for("kubegen.clientCertificate");

/** Dispatch options that may carry a client certificate for the pool to use. */
export interface TaggedOptions extends Dispatcher.DispatchOptions {
  [clientCertificateOption]?: { cert: string; key: string };
}

type PoolFactory = (clientCertificate?: { cert: string; key: string }) => Dispatcher;

/**
 * The base dispatcher: untagged requests go to the configuration's pool, tagged ones to a pool
 * made (by `factory`) for their certificate.
 *
 * @example
 * new ClientCertificateDispatcher((cert) => new Agent({ connect: { ...tls, ...cert } }))
 */
export class ClientCertificateDispatcher extends Dispatcher {
  private readonly factory: PoolFactory;
  private readonly fallback: Dispatcher;
  // Plain (not #private) fields: undici's compose() wraps this object in a Proxy.
  /** Pools by certificate; only the newest few are kept, older ones close once idle. */
  private readonly byCertificate = new Map<string, Dispatcher>();
  /** The configured certificate when it comes from files that may be rotated. */
  private readonly configured: (() => { cert: string; key: string }) | undefined;

  /**
   * @param factory makes a pool, for a certificate or (without one) for the configuration alone.
   * @param configured the configuration's own certificate when it must be re-read (files); its
   *   requests then go through per-certificate pools too, so a rotated file gets new connections.
   */
  constructor(factory: PoolFactory, configured?: () => { cert: string; key: string }) {
    super();
    this.factory = factory;
    this.fallback = factory();
    this.configured = configured;
  }

  override dispatch(options: TaggedOptions, handler: Dispatcher.DispatchHandler): boolean {
    const certificate = options[clientCertificateOption] ?? this.configured?.();
    if (!certificate) return this.fallback.dispatch(options, handler);
    const key = createHash("sha256").update(certificate.cert).update(certificate.key).digest("hex");
    let pool = this.byCertificate.get(key);
    if (!pool) {
      pool = this.factory(certificate);
      this.byCertificate.set(key, pool);
      // A rotated certificate replaces the old one: keep two, let the oldest finish and close.
      while (this.byCertificate.size > 2) {
        const [oldest, old] = this.byCertificate.entries().next().value as [string, Dispatcher];
        this.byCertificate.delete(oldest);
        void old.close().catch(() => {});
      }
    }
    return pool.dispatch(options, handler);
  }

  override async close(): Promise<void> {
    await Promise.all([this.fallback, ...this.byCertificate.values()].map((d) => d.close()));
  }

  override async destroy(): Promise<void> {
    await Promise.all([this.fallback, ...this.byCertificate.values()].map((d) => d.destroy()));
  }
}
