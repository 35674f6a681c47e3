/**
 * Exec credential plugins (`client.authentication.k8s.io/v1` and `/v1beta1`): runs the configured
 * command, passes `KUBERNETES_EXEC_INFO`, and reads an ExecCredential from its stdout. The
 * credential is cached until its `expirationTimestamp`, or until a 401 invalidates it; concurrent
 * callers share one run.
 *
 * @see https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins
 */
import { spawn } from "node:child_process";
import type { ExecConfig } from "../config/kubeconfig.js";
import type { CredentialSource, Credentials } from "../config/types.js";

/** What `provideClusterInfo` hands the plugin as `spec.cluster`. */
export interface ExecClusterInfo {
  server: string;
  "tls-server-name"?: string;
  "insecure-skip-tls-verify"?: boolean;
  "certificate-authority-data"?: string;
  "proxy-url"?: string;
  "disable-compression"?: boolean;
  config?: unknown;
}

interface ExecCredentialStatus {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expirationTimestamp?: string;
}

export class ExecCredentialSource implements CredentialSource {
  readonly description: string;
  readonly #exec: ExecConfig;
  readonly #cluster: ExecClusterInfo | undefined;
  readonly #now: () => number;
  #cached: Credentials | undefined;
  #running: Promise<Credentials> | undefined;

  constructor(exec: ExecConfig, options: { cluster?: ExecClusterInfo; now?: () => number } = {}) {
    this.#exec = exec;
    this.#cluster = exec.provideClusterInfo ? options.cluster : undefined;
    this.#now = options.now ?? Date.now;
    this.description = `exec plugin ${JSON.stringify(exec.command)}`;
  }

  get(): Promise<Credentials> {
    const cached = this.#cached;
    if (cached && (!cached.expiresAt || this.#now() <= cached.expiresAt.getTime()))
      return Promise.resolve(cached);
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  invalidate(): void {
    this.#cached = undefined;
  }

  #interactive(): boolean {
    const tty = process.stdin.isTTY === true;
    switch (this.#exec.interactiveMode) {
      case "Never":
        return false;
      case "Always":
        if (!tty)
          throw new Error(
            `${this.description} needs an interactive terminal (interactiveMode: Always), and stdin is not one`,
          );
        return true;
      default:
        return tty;
    }
  }

  async #run(): Promise<Credentials> {
    const exec = this.#exec;
    const interactive = this.#interactive();
    const info = {
      apiVersion: exec.apiVersion,
      kind: "ExecCredential",
      spec: { interactive, ...(this.#cluster ? { cluster: this.#cluster } : {}) },
    };
    const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: JSON.stringify(info) };
    for (const { name, value } of exec.env ?? []) env[name] = value;
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve, reject) => {
      const child = spawn(exec.command, exec.args ?? [], {
        env,
        stdio: [interactive ? "inherit" : "ignore", "pipe", interactive ? "inherit" : "pipe"],
      });
      let out = "";
      let err = "";
      child.stdout?.on("data", (c: Buffer) => {
        out += c.toString("utf8");
      });
      child.stderr?.on("data", (c: Buffer) => {
        err = (err + c.toString("utf8")).slice(-4000);
      });
      child.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code === "ENOENT") {
          const hint = exec.installHint ? `\n${exec.installHint.trim()}` : "";
          reject(new Error(`${this.description}: executable ${exec.command} not found${hint}`));
        } else reject(new Error(`${this.description}: ${e.message}`));
      });
      child.on("close", (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    if (code !== 0) {
      throw new Error(
        `${this.description} exited with code ${code}${stderr.trim() ? `: ${stderr.trim()}` : ""}`,
      );
    }
    let parsed: { apiVersion?: unknown; kind?: unknown; status?: ExecCredentialStatus };
    try {
      parsed = JSON.parse(stdout) as typeof parsed;
    } catch {
      throw new Error(
        `${this.description} printed something that is not JSON (an ExecCredential was expected)`,
      );
    }
    if (parsed.kind !== "ExecCredential" || parsed.apiVersion !== exec.apiVersion) {
      throw new Error(
        `${this.description} printed ${String(parsed.apiVersion)} ${String(parsed.kind)}; expected ${exec.apiVersion} ExecCredential`,
      );
    }
    const status = parsed.status ?? {};
    if (!!status.clientCertificateData !== !!status.clientKeyData) {
      throw new Error(
        `${this.description}: status.clientCertificateData and status.clientKeyData must come together`,
      );
    }
    if (!status.token && !status.clientCertificateData) {
      throw new Error(
        `${this.description}: the ExecCredential has neither status.token nor a client certificate`,
      );
    }
    const credentials: Credentials = {};
    if (status.token) credentials.token = status.token;
    if (status.clientCertificateData && status.clientKeyData) {
      credentials.clientCertificate = { cert: status.clientCertificateData, key: status.clientKeyData };
    }
    if (status.expirationTimestamp) {
      const at = new Date(status.expirationTimestamp);
      if (Number.isNaN(at.getTime()))
        throw new Error(`${this.description}: status.expirationTimestamp is not a time`);
      credentials.expiresAt = at;
    }
    this.#cached = credentials;
    return credentials;
  }
}
