/**
 * kubectl's override flags (client-go's `overrides.go`): what each replaces in the selected
 * cluster and user stanzas, and which kubeconfig fields it stands for in error messages.
 */
import { resolve } from "node:path";
import type { KubeconfigCluster, KubeconfigUser } from "./kubeconfig.js";

/**
 * Overrides, as kubectl's flags (client-go's `ConfigOverrides`). Empty values count as unset.
 * Paths are used as given (relative to the working directory).
 */
export interface ConfigOverrides {
  /** `--context`: the context to use instead of `current-context`. */
  context?: string;
  /** `--cluster`: the cluster to use instead of the context's. */
  cluster?: string;
  /** `--user`: the user to use instead of the context's. */
  user?: string;
  /** `--namespace`: wins over the context's namespace. */
  namespace?: string;
  /** `--server`: replaces the cluster's server and drops its `tls-server-name`. */
  server?: string;
  /** `--tls-server-name`. */
  tlsServerName?: string;
  /** `--insecure-skip-tls-verify`: drops the kubeconfig's CA settings. */
  insecureSkipTlsVerify?: boolean;
  /** `--certificate-authority`: a CA file; drops the kubeconfig's CA settings and insecure flag. */
  certificateAuthority?: string;
  /** `--client-certificate` (a file; replaces the user's certificate). */
  clientCertificate?: string;
  /** `--client-key` (a file; replaces the user's key). */
  clientKey?: string;
  /** `--token`: replaces the user's token and token file. */
  token?: string;
  /** `--username` / `--password`. */
  username?: string;
  password?: string;
  /** `--as`, `--as-uid`, `--as-group`: impersonation. */
  as?: string;
  asUid?: string;
  asGroups?: string[];
  /** `--proxy-url`. */
  proxyUrl?: string;
  /** `--disable-compression`. */
  disableCompression?: boolean;
  /** `--request-timeout`, in milliseconds. */
  timeout?: number;
}

/** Applies cluster overrides (`--server` drops `tls-server-name`; a CA or insecure override drops all CA settings). */
export function overrideCluster(
  c: KubeconfigCluster,
  o: ConfigOverrides,
  overridden: Set<string>,
): KubeconfigCluster {
  const out = { ...c };
  const mark = (...fields: string[]) => {
    for (const f of fields) overridden.add(f);
  };
  if (o.server) {
    out.server = o.server;
    delete out.tlsServerName;
    mark("server");
  }
  if (o.tlsServerName) {
    out.tlsServerName = o.tlsServerName;
    mark("tls-server-name");
  }
  if (o.insecureSkipTlsVerify || o.certificateAuthority) {
    delete out.certificateAuthority;
    delete out.certificateAuthorityData;
    delete out.insecureSkipTlsVerify;
    if (o.insecureSkipTlsVerify) out.insecureSkipTlsVerify = true;
    if (o.certificateAuthority) out.certificateAuthority = resolve(o.certificateAuthority);
    mark("certificate-authority", "insecure-skip-tls-verify");
  }
  if (o.proxyUrl) {
    out.proxyUrl = o.proxyUrl;
    mark("proxy-url");
  }
  if (o.disableCompression) out.disableCompression = true;
  return out;
}

/** Applies user overrides; an override replaces the matching kubeconfig fields (file and data). */
export function overrideUser(u: KubeconfigUser, o: ConfigOverrides, overridden: Set<string>): KubeconfigUser {
  const out = { ...u };
  if (o.clientCertificate) {
    out.clientCertificate = resolve(o.clientCertificate);
    delete out.clientCertificateData;
    overridden.add("client-certificate");
  }
  if (o.clientKey) {
    out.clientKey = resolve(o.clientKey);
    delete out.clientKeyData;
    overridden.add("client-key");
  }
  if (o.token) {
    out.token = o.token;
    delete out.tokenFile;
    overridden.add("token");
  }
  if (o.username) out.username = o.username;
  if (o.password) out.password = o.password;
  if (o.as) {
    out.as = o.as;
    overridden.add("as");
  }
  if (o.asUid) out.asUid = o.asUid;
  if (o.asGroups?.length) out.asGroups = o.asGroups;
  return out;
}

/** True when an override sets a credential or impersonation (a user stanza of its own). */
export const hasUserOverride = (o: ConfigOverrides) =>
  Boolean(o.clientCertificate || o.clientKey || o.token || o.username || o.password || o.as || o.asUid);
