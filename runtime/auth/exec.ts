/**
 * `ExecCredentialSource`: client-go's exec credential plugins (`client.authentication.k8s.io/v1`
 * and `/v1beta1`), the way kubeconfigs reach EKS, GKE, AKS and OIDC logins. It runs the command
 * with `KUBERNETES_EXEC_INFO` set, reads an `ExecCredential` from its stdout, and caches the token
 * and/or client certificate until `status.expirationTimestamp` (strictly after it, no skew, as
 * client-go) or until `invalidate()` (the transport calls it after a 401). Concurrent `get()`s
 * share one run of the plugin.
 *
 * The plugin's stderr goes to this process's stderr, as client-go's `cmd.Stderr = os.Stderr`:
 * plugins talk to the user there (prompts, device codes, warnings), and it may echo secrets, so it
 * never goes into an error. Errors name the plugin and say what went wrong (not on PATH, with its
 * `installHint`; its exit code; a timeout; output that is not an ExecCredential), never quoting
 * the output, which may hold the credential.
 *
 * @see https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins
 */
import { spawn } from "node:child_process";
import { setOwn } from "../core/own.js";
import type { CredentialSource, Credentials } from "./credentials.js";

/** The exec credential API versions client-go accepts (v1alpha1 was removed). */
export const execApiVersions = [
  "client.authentication.k8s.io/v1",
  "client.authentication.k8s.io/v1beta1",
] as const;

/** `client.authentication.k8s.io/v1` or `/v1beta1`. */
export type ExecApiVersion = (typeof execApiVersions)[number];

/** True for an exec credential API version client-go accepts. */
export function isExecApiVersion(value: string): value is ExecApiVersion {
  return (execApiVersions as readonly string[]).includes(value);
}

/**
 * When a plugin may talk to the user (`exec.interactiveMode`): `Never`; `IfAvailable`, when stdin
 * is a terminal; `Always`, failing when stdin is not a terminal.
 */
export const execInteractiveModes = ["Never", "IfAvailable", "Always"] as const;

/** One of {@link execInteractiveModes}. */
export type ExecInteractiveMode = (typeof execInteractiveModes)[number];

/** True for one of {@link execInteractiveModes}. */
export function isExecInteractiveMode(value: string): value is ExecInteractiveMode {
  return (execInteractiveModes as readonly string[]).includes(value);
}

/** A validated exec plugin configuration (a kubeconfig user's `exec` stanza). */
export interface ExecPluginConfig {
  apiVersion: ExecApiVersion;
  /** A name looked up on PATH, or a path (kubeconfig-relative paths are resolved by the loader). */
  command: string;
  args?: string[];
  /** Added to the process's environment. Values may be secrets: never logged. */
  env?: { name: string; value: string }[];
  /** Shown when the command is not found. */
  installHint?: string;
  /** Put the cluster's details in `KUBERNETES_EXEC_INFO` (`spec.cluster`). */
  provideClusterInfo?: boolean;
  /** Default `IfAvailable` (v1 kubeconfigs must say it; v1beta1 defaults to it). */
  interactiveMode?: ExecInteractiveMode;
}

/** `spec.cluster` of `KUBERNETES_EXEC_INFO`, with client-go's JSON names. */
export interface ExecClusterInfo {
  server: string;
  "tls-server-name"?: string;
  "insecure-skip-tls-verify"?: boolean;
  /** Base64 of the CA bundle (a CA file is inlined). */
  "certificate-authority-data"?: string;
  "proxy-url"?: string;
  "disable-compression"?: boolean;
  /** The cluster's `client.authentication.k8s.io/exec` extension. */
  config?: unknown;
}

/** Options of {@link ExecCredentialSource}. */
export interface ExecCredentialSourceOptions {
  /** The cluster, passed to the plugin when `provideClusterInfo` is set. */
  cluster?: ExecClusterInfo;
  /** Base environment (default `process.env`); `exec.env` is added to it. */
  env?: NodeJS.ProcessEnv;
  /** Whether stdin is a terminal (default `process.stdin.isTTY`). */
  stdinIsTTY?: boolean;
  /** Clock, for tests. */
  now?: () => number;
  /**
   * Milliseconds a run may take; past that the plugin is killed and the run fails with an
   * `ExecPluginError` whose code is `ETIMEOUT`. Default: none, as client-go (a login may wait for
   * the user).
   */
  timeout?: number;
  /**
   * Where the plugin's stderr goes. Default: this process's stderr, handed to the plugin as is
   * (so it sees the terminal, as under client-go).
   */
  stderr?: NodeJS.WritableStream;
}

/** Why an exec plugin failed. */
export type ExecPluginErrorCode =
  | "ENOTFOUND" // the command does not exist (or is not on PATH)
  | "ESPAWN" // it could not be started (not executable, ...)
  | "ETTY" // interactiveMode Always without a terminal
  | "EEXIT" // it exited non-zero or was killed
  | "ETIMEOUT" // it ran longer than the timeout and was killed
  | "EOUTPUT"; // its output is not a usable ExecCredential

/** An exec plugin failed: not found, exited non-zero, timed out, or printed something unusable. */
export class ExecPluginError extends Error {
  override readonly name = "ExecPluginError";
  readonly code: ExecPluginErrorCode;

  constructor(message: string, code: ExecPluginErrorCode) {
    super(message);
    this.code = code;
  }
}

interface ExecCredentialStatus {
  token?: unknown;
  clientCertificateData?: unknown;
  clientKeyData?: unknown;
  expirationTimestamp?: unknown;
}

/** Removes ANSI escape sequences, as client-go does with `installHint` before printing it. */
const ansiEscape = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[ -/]*[@-~]`, "g");
const stripAnsi = (s: string) => s.replace(ansiEscape, "");

/** Output kept per run: an ExecCredential is a few KiB. */
const maxStdout = 1 << 20;

/**
 * Credentials from an exec plugin, cached until they expire or a 401 invalidates them.
 *
 * @example
 * const source = new ExecCredentialSource({
 *   apiVersion: "client.authentication.k8s.io/v1",
 *   command: "aws",
 *   args: ["eks", "get-token", "--cluster-name", "prod"],
 *   interactiveMode: "Never",
 * });
 * const { token } = await source.get();
 */
export class ExecCredentialSource implements CredentialSource {
  readonly description: string;
  readonly #exec: ExecPluginConfig;
  readonly #options: ExecCredentialSourceOptions;
  readonly #now: () => number;
  #cached: Credentials | undefined;
  #running: Promise<Credentials> | undefined;

  constructor(exec: ExecPluginConfig, options: ExecCredentialSourceOptions = {}) {
    this.#exec = exec;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.description = `exec plugin ${JSON.stringify(exec.command)}`;
  }

  /**
   * The plugin's credentials: cached ones while valid, else those of a new run (shared by all
   * concurrent callers). An aborted `signal` rejects this call only; the run goes on for the others.
   *
   * @throws ExecPluginError when the plugin cannot run or its output is unusable
   */
  get(signal?: AbortSignal): Promise<Credentials> {
    signal?.throwIfAborted();
    const cached = this.#cached;
    // client-go re-runs strictly after the expiry, with no skew.
    if (cached && !(cached.expiresAt && this.#now() > cached.expiresAt.getTime()))
      return Promise.resolve(cached);
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    if (!signal) return this.#running;
    const running = this.#running;
    return new Promise<Credentials>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      running.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
  }

  /** Drops the cached credentials (after a 401): the next `get()` runs the plugin again. */
  invalidate(): void {
    this.#cached = undefined;
  }

  #interactive(): boolean {
    const tty = this.#options.stdinIsTTY ?? process.stdin.isTTY === true;
    switch (this.#exec.interactiveMode ?? "IfAvailable") {
      case "Never":
        return false;
      case "Always":
        if (!tty) {
          throw new ExecPluginError(
            `${this.description}: interactiveMode is Always, but stdin is not a terminal`,
            "ETTY",
          );
        }
        return true;
      default:
        return tty;
    }
  }

  /** The `KUBERNETES_EXEC_INFO` value: an ExecCredential with only `spec` set. */
  execInfo(interactive: boolean): string {
    const spec: { interactive: boolean; cluster?: ExecClusterInfo } = { interactive };
    if (this.#exec.provideClusterInfo && this.#options.cluster) spec.cluster = this.#options.cluster;
    return JSON.stringify({ apiVersion: this.#exec.apiVersion, kind: "ExecCredential", spec });
  }

  async #run(): Promise<Credentials> {
    const exec = this.#exec;
    const interactive = this.#interactive();
    const env: NodeJS.ProcessEnv = { ...(this.#options.env ?? process.env) };
    // A name is data, `__proto__` included: it becomes a variable, never the object's prototype.
    for (const { name, value } of exec.env ?? []) setOwn(env, name, value);
    env.KUBERNETES_EXEC_INFO = this.execInfo(interactive);

    const timeout = this.#options.timeout;
    const stderr = this.#options.stderr;
    const { code, signal, stdout } = await new Promise<{
      code: number | null;
      signal: NodeJS.Signals | null;
      stdout: string;
    }>((resolve, reject) => {
      // stdin only when interactive, stderr always the user's, as client-go.
      const child = spawn(exec.command, exec.args ?? [], {
        env,
        stdio: [interactive ? "inherit" : "ignore", "pipe", stderr ? "pipe" : "inherit"],
      });
      let out = "";
      let timer: NodeJS.Timeout | undefined;
      const settle = () => clearTimeout(timer);
      if (timeout !== undefined && timeout > 0) {
        timer = setTimeout(() => {
          // As Go's CommandContext: kill it, and do not wait for its pipes to close.
          child.kill("SIGKILL");
          reject(
            new ExecPluginError(
              `${this.description} timed out after ${timeout} ms and was stopped`,
              "ETIMEOUT",
            ),
          );
        }, timeout);
      }
      child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
        if (out.length < maxStdout) out += chunk;
      });
      if (stderr) child.stderr?.pipe(stderr, { end: false });
      child.on("error", (e: NodeJS.ErrnoException) => {
        settle();
        reject(this.#spawnError(e));
      });
      child.on("close", (c, s) => {
        settle();
        resolve({ code: c, signal: s, stdout: out });
      });
    });
    if (code !== 0) {
      // Not its stderr: the user has seen it already, and it may hold a secret.
      const how = code === null ? `was killed by ${signal}` : `exited with code ${code}`;
      throw new ExecPluginError(`${this.description} ${how} (its messages went to stderr)`, "EEXIT");
    }
    const credentials = this.#decode(stdout);
    this.#cached = credentials;
    return credentials;
  }

  #spawnError(e: NodeJS.ErrnoException): ExecPluginError {
    const exec = this.#exec;
    if (e.code === "ENOENT") {
      const hint = exec.installHint ? `\n\n${stripAnsi(exec.installHint).trim()}` : "";
      const where = exec.command.includes("/") ? "does not exist" : "was not found on PATH";
      return new ExecPluginError(
        `${this.description}: executable ${exec.command} ${where}${hint}`,
        "ENOTFOUND",
      );
    }
    if (e.code === "EACCES")
      return new ExecPluginError(`${this.description}: ${exec.command} is not executable`, "ESPAWN");
    return new ExecPluginError(`${this.description}: cannot run it: ${e.code ?? e.message}`, "ESPAWN");
  }

  #decode(stdout: string): Credentials {
    const fail = (what: string): never => {
      throw new ExecPluginError(`${this.description}: ${what}`, "EOUTPUT");
    };
    let parsed: unknown;
    try {
      parsed = JSON.parse(stdout);
    } catch {
      // The output is not quoted: it may hold a credential.
      fail("its output is not valid JSON (an ExecCredential was expected on stdout)");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      fail("its output is not a JSON object (an ExecCredential was expected on stdout)");
    const doc = parsed as { apiVersion?: unknown; kind?: unknown; status?: unknown };
    // Neither kind nor an unknown apiVersion is quoted: the output is the plugin's, secrets and all.
    if (doc.kind !== "ExecCredential") fail("its output is not an ExecCredential (wrong kind)");
    if (doc.apiVersion !== this.#exec.apiVersion) {
      const known = (execApiVersions as readonly unknown[]).includes(doc.apiVersion);
      fail(
        `its output has ${known ? `apiVersion ${doc.apiVersion}` : "an unknown apiVersion"}; the kubeconfig asks for ${this.#exec.apiVersion}`,
      );
    }
    if (typeof doc.status !== "object" || doc.status === null) fail("its ExecCredential has no status");
    const status = doc.status as ExecCredentialStatus;
    const str = (v: unknown, field: string): string | undefined => {
      if (v === undefined || v === null || v === "") return undefined;
      if (typeof v !== "string") fail(`status.${field} must be a string`);
      return v as string;
    };
    const token = str(status.token, "token");
    const cert = str(status.clientCertificateData, "clientCertificateData");
    const key = str(status.clientKeyData, "clientKeyData");
    if (!cert !== !key) fail("status.clientCertificateData and status.clientKeyData must be set together");
    if (!token && !cert) fail("its ExecCredential has neither status.token nor a client certificate");
    const credentials: Credentials = {};
    if (token) credentials.token = token;
    if (cert && key) credentials.clientCertificate = { cert, key };
    const expiry = str(status.expirationTimestamp, "expirationTimestamp");
    if (expiry) {
      const at = new Date(expiry);
      if (Number.isNaN(at.getTime())) fail("status.expirationTimestamp is not an RFC 3339 time");
      credentials.expiresAt = at;
    }
    return credentials;
  }
}
