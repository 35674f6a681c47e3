/**
 * TLS settings for undici's connector from a `TlsConfig`: CA, client certificate, server name,
 * and insecure mode (TLS 1.2 at least, as client-go). PEM files are read here, so a missing file
 * fails when the client is built, not at the first request.
 */
import { readFileSync, statSync } from "node:fs";
import type { PemSource, TlsConfig } from "../config/types.js";
import { insecureWithCa, insecureWithCaReason } from "../core/tls-rules.js";
import { TransportError } from "../errors.js";

/**
 * The PEM text of a source, reading the file if it is one.
 *
 * @throws {TransportError} `ECONFIG` naming the file (never its contents) when it cannot be read.
 */
export function readPem(source: PemSource, what: string): string {
  if ("pem" in source) return source.pem;
  try {
    return readFileSync(source.file, "utf8");
  } catch (err) {
    throw new TransportError(
      "ECONFIG",
      `cannot read ${what} file ${source.file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      { cause: err },
    );
  }
}

/** Connector options for `new Agent({ connect })`. */
export interface ConnectOptions {
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
  rejectUnauthorized?: boolean;
  minVersion?: "TLSv1.2" | "TLSv1.3";
}

/**
 * Checks a `TlsConfig` as the kubeconfig loader checks a cluster stanza, so a hand-built config
 * cannot do what a kubeconfig may not.
 *
 * @throws {TransportError} `ECONFIG` for `insecureSkipVerify` together with a CA
 */
export function checkTlsConfig(tls: TlsConfig): void {
  if (insecureWithCa({ insecureSkipVerify: tls.insecureSkipVerify, hasCa: tls.ca !== undefined }))
    throw new TransportError("ECONFIG", `tls.insecureSkipVerify ${insecureWithCaReason} (tls.ca)`);
}

/**
 * Connector options for a `TlsConfig`.
 *
 * @throws {TransportError} `ECONFIG` for a PEM file that cannot be read, or a config that
 *   `checkTlsConfig` refuses
 */
export function connectOptions(tls: TlsConfig): ConnectOptions {
  checkTlsConfig(tls);
  const options: ConnectOptions = { minVersion: "TLSv1.2" };
  if (tls.ca) options.ca = readPem(tls.ca, "certificate authority");
  if (tls.clientCertificate) {
    options.cert = readPem(tls.clientCertificate.cert, "client certificate");
    options.key = readPem(tls.clientCertificate.key, "client key");
  }
  if (tls.serverName) options.servername = tls.serverName;
  if (tls.insecureSkipVerify) options.rejectUnauthorized = false;
  return options;
}

/** A certificate and key in PEM. */
export interface CertificatePair {
  cert: string;
  key: string;
}

/**
 * The configured client certificate, re-read from its files when they change, as client-go's
 * `ReloadTLSFiles` (checked at most once per second). Undefined when the certificate is not
 * configured or is given as data (then nothing can change). A failed re-read keeps the last good
 * pair, since a rotating tool may be half-way through writing the files.
 *
 * @example
 * const current = reloadingClientCertificate(config.tls); // current?.() before each request
 */
export function reloadingClientCertificate(
  tls: TlsConfig,
  now: () => number = Date.now,
): (() => CertificatePair) | undefined {
  const pair = tls.clientCertificate;
  if (!pair || ("pem" in pair.cert && "pem" in pair.key)) return undefined;
  const files = [pair.cert, pair.key].flatMap((s) => ("file" in s ? [s.file] : []));
  const stamp = () =>
    files
      .map((f) => {
        try {
          const st = statSync(f);
          return `${st.mtimeMs}:${st.size}:${st.ino}`;
        } catch {
          return "missing";
        }
      })
      .join("|");
  let current: CertificatePair = {
    cert: readPem(pair.cert, "client certificate"),
    key: readPem(pair.key, "client key"),
  };
  let seen = stamp();
  let checkedAt = now();
  return () => {
    if (now() - checkedAt < 1000) return current;
    checkedAt = now();
    const latest = stamp();
    if (latest === seen) return current;
    try {
      current = { cert: readPem(pair.cert, "client certificate"), key: readPem(pair.key, "client key") };
      seen = latest;
    } catch {
      // Keep the last good pair; the next check tries again.
    }
    return current;
  };
}
