/**
 * TLS rules shared by the kubeconfig loader and the transport, so a hand-built `ClientConfig` is
 * held to what a kubeconfig is: client-go checks the same in `validateClusterInfo` and again in
 * its transport (`TLSConfigFor`), whichever way the config was made.
 */

/** Why `insecure-skip-tls-verify` and a CA cannot go together, for both callers' messages. */
export const insecureWithCaReason = "cannot be used with a certificate authority";

/**
 * True when verification is skipped while a CA is given: the CA would be silently ignored, and
 * the user who gave it surely meant the server to be verified.
 */
export function insecureWithCa(tls: { insecureSkipVerify?: boolean; hasCa: boolean }): boolean {
  return tls.insecureSkipVerify === true && tls.hasCa;
}
