/**
 * TLS settings for undici's connector from a `TlsConfig`: CA, client certificate, server name,
 * and insecure mode. PEM files are read here, so a missing file fails before the first request.
 */
import { readFileSync } from "node:fs";
import type { PemSource, TlsConfig } from "../config/types.js";

export function readPem(source: PemSource, what: string): string {
  if ("pem" in source) return source.pem;
  try {
    return readFileSync(source.file, "utf8");
  } catch (err) {
    throw new Error(`cannot read ${what} file ${source.file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
}

/** Connector options for `new Agent({ connect })`. */
export interface ConnectOptions {
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
  rejectUnauthorized?: boolean;
}

export function connectOptions(tls: TlsConfig): ConnectOptions {
  const options: ConnectOptions = {};
  if (tls.ca) options.ca = readPem(tls.ca, "certificate authority");
  if (tls.clientCertificate) {
    options.cert = readPem(tls.clientCertificate.cert, "client certificate");
    options.key = readPem(tls.clientCertificate.key, "client key");
  }
  if (tls.serverName) options.servername = tls.serverName;
  if (tls.insecureSkipVerify) options.rejectUnauthorized = false;
  return options;
}
