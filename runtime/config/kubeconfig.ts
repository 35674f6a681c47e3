/**
 * Stage 1 of kubeconfig loading: one file's YAML text → a typed, shape-checked file model. Only
 * what client-go's decoding checks is checked here (a string where a string belongs, base64 that
 * decodes, names not repeated within a list); whether the selected context is usable is decided
 * later (`validate.ts`, as client-go's `validation.go`), so a broken entry nobody uses does not
 * stop the others from loading, as in client-go.
 *
 * Every error names the file, the line where one is known, and the field path:
 * `/home/me/.kube/config:14: users[0].user.token: must be a string`. Values never appear in
 * errors, since kubeconfigs hold tokens, passwords and keys.
 *
 * @see https://kubernetes.io/docs/reference/config-api/kubeconfig.v1/
 */
import { type Document, isAlias, LineCounter, parseDocument, visit } from "yaml";
import { getOwn, setOwn } from "../core/own.js";

/** A `clusters[].cluster` stanza (kubeconfig v1 `Cluster`). `*Data` fields hold the decoded text. */
export interface KubeconfigCluster {
  server?: string;
  tlsServerName?: string;
  insecureSkipTlsVerify?: boolean;
  /** Path of a PEM file, as written in the file (relative paths resolved by `load.ts`). */
  certificateAuthority?: string;
  /** Text decoded from `certificate-authority-data` (PEM once validated). */
  certificateAuthorityData?: string;
  proxyUrl?: string;
  disableCompression?: boolean;
  /** `extensions`, by name (e.g. `client.authentication.k8s.io/exec` for exec plugins). */
  extensions?: Record<string, unknown>;
}

/** A `users[].user.exec` stanza, as written (validated when the user is selected). */
export interface KubeconfigExec {
  apiVersion?: string;
  command?: string;
  args?: string[];
  env?: { name: string; value: string }[];
  installHint?: string;
  provideClusterInfo?: boolean;
  interactiveMode?: string;
}

/** A `users[].user` stanza (kubeconfig v1 `AuthInfo`). */
export interface KubeconfigUser {
  clientCertificate?: string;
  /** Text decoded from `client-certificate-data` (PEM once validated). */
  clientCertificateData?: string;
  clientKey?: string;
  /** Text decoded from `client-key-data` (PEM once validated). */
  clientKeyData?: string;
  token?: string;
  tokenFile?: string;
  as?: string;
  asUid?: string;
  asGroups?: string[];
  asUserExtra?: Record<string, string[]>;
  username?: string;
  password?: string;
  authProvider?: { name?: string; config?: Record<string, string> };
  exec?: KubeconfigExec;
  extensions?: Record<string, unknown>;
}

/** A `contexts[].context` stanza. */
export interface KubeconfigContext {
  cluster?: string;
  user?: string;
  namespace?: string;
  extensions?: Record<string, unknown>;
}

/** A named entry, with where it was defined (for relative paths and error messages). */
export interface Named<T> {
  name: string;
  value: T;
  /** The kubeconfig file that defined it. */
  file: string;
  /** Field path of the stanza in that file, e.g. `users[2].user`. */
  path: string;
}

/** One kubeconfig file, shape-checked. */
export interface KubeconfigFile {
  file: string;
  clusters: Named<KubeconfigCluster>[];
  users: Named<KubeconfigUser>[];
  contexts: Named<KubeconfigContext>[];
  currentContext?: string;
  extensions?: Record<string, unknown>;
}

/**
 * A kubeconfig problem. The message names the file and the field; `problems` lists each problem
 * when several were found at once (validation reports all it finds, as client-go's does).
 */
export class KubeconfigError extends Error {
  override readonly name = "KubeconfigError";
  readonly problems: string[];

  constructor(problems: string | string[], options?: ErrorOptions) {
    const list = typeof problems === "string" ? [problems] : problems;
    super(list.length === 1 ? list[0] : `invalid configuration:\n  - ${list.join("\n  - ")}`, options);
    this.problems = list;
  }
}

type Obj = Record<string, unknown>;
type Path = (string | number)[];

const showPath = (path: Path): string =>
  path.reduce<string>((s, p) => (typeof p === "number" ? `${s}[${p}]` : s ? `${s}.${p}` : p), "") ||
  "(document)";

/** Reads typed fields out of the parsed document; failures carry the file, line and field path. */
class Reader {
  constructor(
    readonly file: string,
    readonly doc: Document,
    readonly lines: LineCounter,
  ) {}

  fail(path: Path, message: string): never {
    // The line of the field, or of its closest ancestor present in the document.
    let line: number | undefined;
    for (let n = path.length; n >= 0 && line === undefined; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === "object" && node.range) line = this.lines.linePos(node.range[0]).line;
    }
    throw new KubeconfigError(`${this.file}${line ? `:${line}` : ""}: ${showPath(path)}: ${message}`);
  }

  object(value: unknown, path: Path): Obj {
    if (value === undefined || value === null) return {};
    if (typeof value !== "object" || Array.isArray(value)) this.fail(path, "must be a mapping");
    return value as Obj;
  }

  /** A string field; empty strings count as absent, as Go's zero value does. */
  string(obj: Obj, key: string, path: Path): string | undefined {
    const v = getOwn(obj, key);
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v !== "string") this.fail([...path, key], "must be a string");
    return v;
  }

  bool(obj: Obj, key: string, path: Path): boolean | undefined {
    const v = getOwn(obj, key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "boolean") this.fail([...path, key], "must be true or false");
    return v;
  }

  strings(obj: Obj, key: string, path: Path): string[] | undefined {
    const v = getOwn(obj, key);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) this.fail([...path, key], "must be a list of strings");
    v.forEach((s, i) => {
      if (typeof s !== "string") this.fail([...path, key, i], "must be a string");
    });
    return v as string[];
  }

  /**
   * A base64 `*-data` field, decoded. Bad base64 fails the file, as client-go's decoding does;
   * whether the text is PEM is checked only if the entry is used (`validate.ts`), as client-go
   * finds out only when it builds the TLS config.
   */
  data(obj: Obj, key: string, path: Path): string | undefined {
    const v = this.string(obj, key, path);
    if (v === undefined) return undefined;
    const compact = v.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0)
      this.fail([...path, key], "is not valid base64");
    return Buffer.from(compact, "base64").toString("utf8");
  }

  /** `extensions: [{name, extension}]` → a record by name. */
  extensions(obj: Obj, path: Path): Record<string, unknown> | undefined {
    const v = getOwn(obj, "extensions");
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) this.fail([...path, "extensions"], "must be a list");
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    v.forEach((item, i) => {
      const at = [...path, "extensions", i];
      const entry = this.object(item, at);
      const name = this.string(entry, "name", at);
      if (!name) this.fail([...at, "name"], "is required");
      // As client-go's conversion to its map form: a repeated name would lose an extension.
      if (seen.has(name)) this.fail([...at, "name"], `duplicate name ${JSON.stringify(name)}`);
      seen.add(name);
      // Names are data: an extension called `__proto__` is a key, not the record's prototype.
      setOwn(out, name, getOwn(entry, "extension"));
    });
    return out;
  }

  /** A named list (`clusters`, `users`, `contexts`): `[{name, <inner>: {...}}]`. */
  named(root: Obj, key: string, inner: string): { name: string; body: Obj; path: Path }[] {
    const v = getOwn(root, key);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail([key], "must be a list");
    const seen = new Set<string>();
    return v.map((item, i) => {
      const entry = this.object(item, [key, i]);
      const name = this.string(entry, "name", [key, i]);
      if (!name) this.fail([key, i, "name"], "is required");
      // client-go's conversion to its map form rejects duplicates within one file.
      if (seen.has(name)) this.fail([key, i, "name"], `duplicate name ${JSON.stringify(name)}`);
      seen.add(name);
      return { name, body: this.object(getOwn(entry, inner), [key, i, inner]), path: [key, i, inner] };
    });
  }
}

function readExec(r: Reader, body: Obj, path: Path): KubeconfigExec {
  const envList = getOwn(body, "env");
  let env: { name: string; value: string }[] | undefined;
  if (envList !== undefined && envList !== null) {
    if (!Array.isArray(envList)) r.fail([...path, "env"], "must be a list");
    env = envList.map((e, i) => {
      const item = r.object(e, [...path, "env", i]);
      return {
        name: r.string(item, "name", [...path, "env", i]) ?? "",
        value: r.string(item, "value", [...path, "env", i]) ?? "",
      };
    });
  }
  return {
    apiVersion: r.string(body, "apiVersion", path),
    command: r.string(body, "command", path),
    args: r.strings(body, "args", path),
    env,
    installHint: r.string(body, "installHint", path),
    provideClusterInfo: r.bool(body, "provideClusterInfo", path),
    interactiveMode: r.string(body, "interactiveMode", path),
  };
}

function readCluster(r: Reader, body: Obj, path: Path): KubeconfigCluster {
  return {
    server: r.string(body, "server", path),
    tlsServerName: r.string(body, "tls-server-name", path),
    insecureSkipTlsVerify: r.bool(body, "insecure-skip-tls-verify", path),
    certificateAuthority: r.string(body, "certificate-authority", path),
    certificateAuthorityData: r.data(body, "certificate-authority-data", path),
    proxyUrl: r.string(body, "proxy-url", path),
    disableCompression: r.bool(body, "disable-compression", path),
    extensions: r.extensions(body, path),
  };
}

function readContext(r: Reader, body: Obj, path: Path): KubeconfigContext {
  return {
    cluster: r.string(body, "cluster", path),
    user: r.string(body, "user", path),
    namespace: r.string(body, "namespace", path),
    extensions: r.extensions(body, path),
  };
}

function readUser(r: Reader, body: Obj, path: Path): KubeconfigUser {
  const user: KubeconfigUser = {
    clientCertificate: r.string(body, "client-certificate", path),
    clientCertificateData: r.data(body, "client-certificate-data", path),
    clientKey: r.string(body, "client-key", path),
    clientKeyData: r.data(body, "client-key-data", path),
    token: r.string(body, "token", path),
    tokenFile: r.string(body, "tokenFile", path),
    as: r.string(body, "as", path),
    asUid: r.string(body, "as-uid", path),
    asGroups: r.strings(body, "as-groups", path),
    username: r.string(body, "username", path),
    password: r.string(body, "password", path),
    extensions: r.extensions(body, path),
  };
  const extraBody = getOwn(body, "as-user-extra");
  if (extraBody !== undefined && extraBody !== null) {
    const extra = r.object(extraBody, [...path, "as-user-extra"]);
    const asUserExtra: Record<string, string[]> = {};
    for (const key of Object.keys(extra))
      setOwn(asUserExtra, key, r.strings(extra, key, [...path, "as-user-extra"]) ?? []);
    user.asUserExtra = asUserExtra;
  }
  const authProvider = getOwn(body, "auth-provider");
  if (authProvider !== undefined && authProvider !== null) {
    const at = [...path, "auth-provider"];
    const ap = r.object(authProvider, at);
    const config = r.object(getOwn(ap, "config"), [...at, "config"]);
    const values: Record<string, string> = {};
    for (const key of Object.keys(config)) {
      const v = r.string(config, key, [...at, "config"]);
      if (v !== undefined) setOwn(values, key, v);
    }
    user.authProvider = { name: r.string(ap, "name", at), config: values };
  }
  const exec = getOwn(body, "exec");
  if (exec !== undefined && exec !== null)
    user.exec = readExec(r, r.object(exec, [...path, "exec"]), [...path, "exec"]);
  return user;
}

/** Drops keys whose value is `undefined`, so models compare and print cleanly. */
function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

/**
 * Aliases a document may expand, counted as the `yaml` package counts them (its `maxAliasCount`):
 * a real kubeconfig has few or none, and a "billion laughs" document of nested aliases, a few
 * hundred bytes that expand to gigabytes, stops here instead of taking the memory.
 */
export const maxKubeconfigAliases = 100;

/** The document as plain data; alias problems name the file and line, never a value. */
function toJS(doc: Document, file: string, lines: LineCounter): unknown {
  try {
    return doc.toJS({ maxAliasCount: maxKubeconfigAliases });
  } catch (err) {
    // yaml's messages quote the alias's name; say only where it is.
    let unresolved: number | undefined;
    visit(doc, {
      Alias(_, node) {
        if (!isAlias(node) || node.resolve(doc) !== undefined) return;
        unresolved = node.range?.[0];
        return visit.BREAK;
      },
    });
    const at = (offset: number | undefined) => (offset === undefined ? "" : `:${lines.linePos(offset).line}`);
    if (unresolved !== undefined || /unresolved alias/i.test(String(err))) {
      throw new KubeconfigError(
        `${file}${at(unresolved)}: YAML alias error: an alias names no anchor before it`,
      );
    }
    if (/alias/i.test(String(err))) {
      throw new KubeconfigError(
        `${file}: YAML aliases expand too much (more than ${maxKubeconfigAliases}): refused as a resource exhaustion ("billion laughs") attack`,
      );
    }
    // No cause: its message may quote the document.
    throw new KubeconfigError(`${file}: the YAML cannot be read as data (${(err as Error).name})`);
  }
}

/**
 * Parses one kubeconfig file's text into the file model. Relative paths are kept as written.
 *
 * @param file the file's path, used in error messages (and by `load.ts` to resolve relative paths)
 * @throws KubeconfigError on a YAML syntax error (with its line), an alias error or an alias bomb,
 *   or a wrongly typed field
 * @example
 * const model = parseKubeconfig(await readFile(path, "utf8"), path);
 * model.contexts.map((c) => c.name);
 */
export function parseKubeconfig(text: string, file: string): KubeconfigFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const error = doc.errors[0];
  if (error) {
    // Only the message's first line: yaml's longer form quotes the source, which may hold a secret.
    const line = lines.linePos(error.pos[0]).line;
    throw new KubeconfigError(
      `${file}${line ? `:${line}` : ""}: YAML syntax error: ${error.message.split("\n")[0]}`,
    );
  }
  const r = new Reader(file, doc, lines);
  const root = r.object(toJS(doc, file, lines), []);
  // Each named list's entries, with where they were defined.
  const entries = <T extends object>(
    key: string,
    inner: string,
    read: (r: Reader, body: Obj, path: Path) => T,
  ) =>
    r.named(root, key, inner).map(({ name, body, path }) => ({
      name,
      file,
      path: showPath(path),
      value: compact(read(r, body, path)),
    }));

  const clusters = entries("clusters", "cluster", readCluster);
  const users = entries("users", "user", readUser);
  const contexts = entries("contexts", "context", readContext);
  return compact<KubeconfigFile>({
    file,
    clusters,
    users,
    contexts,
    currentContext: r.string(root, "current-context", []),
    extensions: r.extensions(root, []),
  });
}

/**
 * Decodes a kubeconfig file's bytes: UTF-8 (a BOM is dropped) or UTF-16 with a byte-order mark,
 * as some Windows editors write it.
 */
export function decodeKubeconfigBytes(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString("utf16le");
  if (buf[0] === 0xfe && buf[1] === 0xff) {
    const swapped = Buffer.from(buf.subarray(2, buf.length - (buf.length % 2)));
    swapped.swap16();
    return swapped.toString("utf16le");
  }
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.subarray(3).toString("utf8");
  return buf.toString("utf8");
}

/**
 * Names a field for an error message: `file: users[0].user.token`, or `the token override` when
 * the value came from an override rather than the file.
 */
export function describeField(
  entry: Named<unknown>,
  field?: string,
  overridden?: ReadonlySet<string>,
): string {
  if (field && overridden?.has(field)) return `the ${field} override`;
  if (!entry.file) return field ? `the ${field} override` : "the overrides";
  return `${entry.file}: ${entry.path}${field ? `.${field}` : ""}`;
}
