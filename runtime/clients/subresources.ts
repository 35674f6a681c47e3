/**
 * The subresources of the generic resource client: scale, logs, eviction, token and binding,
 * with their types, and the generic subresource methods for every other one. `SubresourceClient`
 * is `ResourceClient`'s base class (the verbs are in resource-client.ts), as kube-rs keeps its
 * `Api`'s subresource methods apart from the core ones. Requests are built by
 * `runtime/core/resource-requests.ts`; this file only sends them.
 */

import { readLines } from "../core/lines.js";
import type { ApplyConfiguration, KubeObject, Scale } from "../core/object.js";
import type {
  ApplyOptions,
  CreateOptions,
  DeleteOptions,
  GetOptions,
  PatchOptions,
  UpdateOptions,
} from "../core/options.js";
import {
  type JsonPatchOperation,
  type MergePatch,
  type PatchType,
  PatchTypes,
  type StrategicMergePatch,
  type StrategicMergeType,
} from "../core/patch.js";
import {
  type PortMapping,
  parsePortMapping,
  portForwardProtocols,
  portForwardQuery,
} from "../core/port-forward.js";
import {
  type AttachOptions,
  attachQuery,
  type ExecOptions,
  execQuery,
  remoteCommandProtocols,
} from "../core/remote-command.js";
import type { ApiRequest, CallOptions } from "../core/request.js";
import type { ResourceDescriptor } from "../core/resource.js";
import { buildRequest, type ResourceCall, scopeNamespace } from "../core/resource-requests.js";
import type { Status } from "../errors.js";
import type { ApiCaller } from "../rest/api-caller.js";
import { copyFromContainer, copyToContainer } from "./cp.js";
import { PortForwarder, type PortForwardOptions, PortForwardStream } from "./port-forward.js";
import { RemoteCommand, readAll } from "./remote-command.js";

/** Options of a pod log request (`/log`), with the apiserver's query names. */
export interface PodLogOptions {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  sinceSeconds?: number;
  sinceTime?: string;
  timestamps?: boolean;
  tailLines?: number;
  limitBytes?: number;
  insecureSkipTLSVerifyBackend?: boolean;
  stream?: "All" | "Stdout" | "Stderr";
}

/** `authentication.k8s.io/v1` TokenRequest, as far as `createToken` needs it. */
export interface TokenRequest extends KubeObject {
  spec: {
    audiences?: string[];
    expirationSeconds?: number;
    boundObjectRef?: { kind?: string; name?: string; uid?: string };
  };
  status?: { token: string; expirationTimestamp: string };
}

/**
 * The subresource half of a resource client, and what both halves share: the resource, the
 * namespace and the caller. Use `ResourceClient` (or a clientset's typed view), not this class.
 */
export class SubresourceClient<T extends KubeObject, SMP extends boolean = boolean> {
  readonly resource: ResourceDescriptor;
  /** `undefined` means all namespaces (lists and watches) or a cluster-scoped resource. */
  readonly namespaceName: string | undefined;
  protected readonly caller: ApiCaller;

  constructor(caller: ApiCaller, resource: ResourceDescriptor, namespace?: string) {
    this.namespaceName = scopeNamespace(resource, namespace);
    this.caller = caller;
    this.resource = resource;
  }

  /** Builds the call's request and sends it, parsing the JSON answer. */
  protected send<R>(call: ResourceCall, options: CallOptions): Promise<R> {
    return this.caller.json<R>(this.request(call), { signal: options.signal, timeout: options.timeout });
  }

  /** The call's request, in this client's namespace. */
  protected request(call: ResourceCall): ApiRequest {
    return buildRequest(this.resource, this.namespaceName, call);
  }

  /** Reads the `scale` subresource. */
  getScale(name: string, options: GetOptions & CallOptions = {}): Promise<Scale> {
    return this.send<Scale>({ verb: "get", name, subresource: "scale", options }, options);
  }

  /** Replaces the `scale` subresource of the object called `name`. */
  updateScale(name: string, scale: Scale, options: UpdateOptions & CallOptions = {}): Promise<Scale> {
    return this.send<Scale>({ verb: "updateScale", name, scale, options }, options);
  }

  /** Patches the `scale` subresource (`{ spec: { replicas: 3 } }`); the body types are `patch()`'s. */
  patchScale(
    name: string,
    patch: MergePatch<Scale>,
    type?: typeof PatchTypes.merge,
    options?: PatchOptions & CallOptions,
  ): Promise<Scale>;
  patchScale(
    name: string,
    patch: readonly JsonPatchOperation[],
    type: typeof PatchTypes.json,
    options?: PatchOptions & CallOptions,
  ): Promise<Scale>;
  patchScale(
    name: string,
    patch: StrategicMergePatch<Scale>,
    type: StrategicMergeType<SMP>,
    options?: PatchOptions & CallOptions,
  ): Promise<Scale>;
  patchScale(
    name: string,
    patch: unknown,
    type: PatchType = PatchTypes.merge,
    options: PatchOptions & CallOptions = {},
  ): Promise<Scale> {
    return this.send<Scale>(
      { verb: "patch", name, subresource: "scale", patch, patchType: type, options },
      options,
    );
  }

  /** Server-side apply of the `scale` subresource. */
  applyScale(
    name: string,
    configuration: ApplyConfiguration<Scale>,
    options: ApplyOptions & CallOptions,
  ): Promise<Scale> {
    return this.send<Scale>({ verb: "applyScale", name, configuration, options }, options);
  }

  /** The logs of a pod's container, whole. */
  async getLogs(name: string, options: PodLogOptions & CallOptions = {}): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.streamLogs(name, { ...options, follow: false }))
      chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString("utf8");
  }

  /**
   * The logs of a pod's container as a byte stream; with `follow: true` it stays open until the
   * container ends or `signal` aborts.
   */
  streamLogs(name: string, options: PodLogOptions & CallOptions = {}): Promise<AsyncIterable<Uint8Array>> {
    const { signal, timeout } = options;
    return this.caller.stream(this.request({ verb: "logs", name, options }), { signal, timeout });
  }

  /**
   * The logs of a pod's container line by line (without line ends); with `follow: true` it goes on
   * until the container ends or `signal` aborts. With `timestamps: true` each line starts with its
   * RFC 3339 time and a space.
   *
   * @example
   * for await (const line of pods.logLines("web-0", { follow: true, tailLines: 10, signal })) console.log(line);
   */
  async *logLines(
    name: string,
    options: PodLogOptions & CallOptions = {},
  ): AsyncGenerator<string, void, undefined> {
    yield* readLines(await this.streamLogs(name, options));
  }

  /**
   * Starts a command in a pod's container over a WebSocket (`v5.channel.k8s.io`, else
   * `v4.channel.k8s.io`), as `kubectl exec`: stdout and stderr stream as they come, stdin can be
   * written and ended, a terminal resized; `exitCode` settles when the command ends.
   *
   * @example
   * const cmd = await pods.execStream("web-0", ["sh", "-c", "cat > /tmp/x"], { stdin: true });
   * cmd.write("hello"); cmd.end();
   * console.log(await cmd.exitCode);
   */
  async execStream(
    name: string,
    command: readonly string[],
    options: ExecOptions & CallOptions = {},
  ): Promise<RemoteCommand> {
    const { signal, timeout, ...exec } = options;
    const base = this.request({ verb: "get", name, subresource: "exec", options: {} });
    const request = { ...base, query: execQuery(command, exec) };
    if (!this.caller.websocket) throw new TypeError("exec: this client's transport cannot open WebSockets");
    const socket = await this.caller.websocket(request, remoteCommandProtocols, { signal, timeout });
    return new RemoteCommand(socket, `${request.path}`);
  }

  /**
   * Attaches to the main process of a pod's container (`attach` subresource, as `kubectl attach`),
   * over the same WebSocket protocol as `execStream`: its output as it comes, stdin to write (and
   * end, with `v5.channel.k8s.io`), a terminal to resize; `exitCode` settles when it ends.
   *
   * @example
   * const proc = await pods.attach("web-0", { stdin: true, tty: true });
   * proc.resize({ width: 120, height: 40 });
   */
  async attach(name: string, options: AttachOptions & CallOptions = {}): Promise<RemoteCommand> {
    const { signal, timeout, ...attach } = options;
    const base = this.request({ verb: "get", name, subresource: "attach", options: {} });
    const request = { ...base, query: attachQuery(attach) };
    if (!this.caller.websocket) throw new TypeError("attach: this client's transport cannot open WebSockets");
    const socket = await this.caller.websocket(request, remoteCommandProtocols, { signal, timeout });
    return new RemoteCommand(socket, `${request.path}`);
  }

  /**
   * Opens one connection to a pod's port (`portforward` subresource, one WebSocket): the bytes
   * from the pod as `data`, `write` to send, `done` to see how it ended.
   */
  async portForwardStream(name: string, port: number, options: CallOptions = {}): Promise<PortForwardStream> {
    const base = this.request({ verb: "get", name, subresource: "portforward", options: {} });
    const request = { ...base, query: portForwardQuery([port]) };
    if (!this.caller.websocket)
      throw new TypeError("port-forward: this client's transport cannot open WebSockets");
    const socket = await this.caller.websocket(request, portForwardProtocols, {
      signal: options.signal,
      timeout: options.timeout,
    });
    return new PortForwardStream(socket, port, request.path);
  }

  /**
   * Forwards local ports to a pod's ports, as `kubectl port-forward`: listens on 127.0.0.1 (each
   * `"[local:]remote"`; local 0 or empty means a free port, see `ports`), and forwards every
   * connection, each over a WebSocket of its own. A connection the pod's side refuses is closed
   * and reported to `onError`; `close()` or the signal stops it all.
   *
   * @example
   * const forward = await pods.portForward("web-0", [":8080"], { signal });
   * console.log(`listening on 127.0.0.1:${forward.ports[0].local}`);
   */
  async portForward(
    name: string,
    ports: readonly (string | number | PortMapping)[],
    options: PortForwardOptions = {},
  ): Promise<PortForwarder> {
    const mappings = ports.map(parsePortMapping);
    return PortForwarder.listen(
      (port, { signal }) => this.portForwardStream(name, port, { signal }),
      mappings,
      options,
    );
  }

  /**
   * Runs a command in a pod's container and waits for it: its stdout and stderr as text and its
   * exit code (a non-zero code is an answer, not an error; a command that cannot start is).
   *
   * @example
   * const { stdout, exitCode } = await pods.exec("web-0", ["cat", "/etc/hostname"]);
   */
  async exec(
    name: string,
    command: readonly string[],
    options: Omit<ExecOptions, "stdin" | "tty"> & CallOptions & { stdin?: string | Uint8Array } = {},
  ): Promise<{ stdout: string; stderr: string; exitCode: number }> {
    const { stdin, ...rest } = options;
    const cmd = await this.execStream(name, command, { ...rest, stdin: stdin !== undefined });
    if (stdin !== undefined) {
      cmd.write(stdin);
      if (cmd.protocol === "v5.channel.k8s.io") cmd.end();
    }
    const [stdout, stderr] = await Promise.all([readAll(cmd.stdout), readAll(cmd.stderr)]);
    return { stdout, stderr, exitCode: await cmd.exitCode };
  }

  /**
   * Copies a file or folder out of a pod's container, as `kubectl cp pod:path local`: `podPath`
   * becomes `localPath`. Runs `tar cf -` in the container (it must have `tar`); an archive entry
   * that would land outside `localPath` (absolute, `..`, links leading out or written through)
   * fails the copy with a `CopyError`.
   *
   * @example
   * await pods.copyFromPod("web-0", "/var/log/app", "./app-logs", { container: "app" });
   */
  copyFromPod(
    name: string,
    podPath: string,
    localPath: string,
    options: { container?: string } & CallOptions = {},
  ): Promise<{ entries: number }> {
    const { container, signal } = options;
    return copyFromContainer(
      (command, o) => this.execStream(name, command, { container, stdin: o.stdin, signal: o.signal }),
      podPath,
      localPath,
      { signal },
    );
  }

  /**
   * Copies a local file or folder into a pod's container, as `kubectl cp local pod:path`:
   * `localPath` becomes `podPath`, whose folder must exist. Runs `tar xf -` in the container.
   *
   * @example
   * await pods.copyToPod("web-0", "./config", "/etc/app/config");
   */
  copyToPod(
    name: string,
    localPath: string,
    podPath: string,
    options: { container?: string } & CallOptions = {},
  ): Promise<{ entries: number }> {
    const { container, signal } = options;
    return copyToContainer(
      (command, o) => this.execStream(name, command, { container, stdin: o.stdin, signal: o.signal }),
      localPath,
      podPath,
      { signal },
    );
  }

  /**
   * Evicts a pod through the `eviction` subresource, honouring PodDisruptionBudgets (a 429 means a
   * budget forbids it now).
   */
  evict(
    name: string,
    deleteOptions: DeleteOptions = {},
    options: CreateOptions & CallOptions = {},
  ): Promise<Status> {
    return this.send<Status>({ verb: "evict", name, deleteOptions, options }, options);
  }

  /**
   * Requests a token for a service account (`token` subresource, `authentication.k8s.io/v1`
   * TokenRequest).
   */
  createToken(
    name: string,
    request: TokenRequest,
    options: CreateOptions & CallOptions = {},
  ): Promise<TokenRequest> {
    return this.send<TokenRequest>({ verb: "createToken", name, request, options }, options);
  }

  /** Binds a pod to a node (`binding` subresource), as a scheduler does. */
  bind(
    name: string,
    binding: KubeObject & { target: { kind?: string; name?: string } },
    options: CreateOptions & CallOptions = {},
  ): Promise<Status> {
    return this.send<Status>({ verb: "bind", name, binding, options }, options);
  }

  /** Reads any subresource of the object called `name`. */
  getSubresource<R>(name: string, subresource: string, options: GetOptions & CallOptions = {}): Promise<R> {
    return this.send<R>({ verb: "get", name, subresource, options }, options);
  }

  /** Creates (POST) to any subresource of the object called `name`. */
  createSubresource<R>(
    name: string,
    subresource: string,
    body: unknown,
    options: CreateOptions & CallOptions = {},
  ): Promise<R> {
    return this.send<R>({ verb: "createSubresource", name, subresource, body, options }, options);
  }

  /** Replaces (PUT) any subresource of `object` (`ephemeralcontainers`, `resize`, `approval`, `finalize`...). */
  updateSubresource(object: T, subresource: string, options: UpdateOptions & CallOptions = {}): Promise<T> {
    return this.send<T>({ verb: "update", object, subresource, options }, options);
  }

  /** Patches any subresource of the object called `name`, with any patch type and an unchecked body. */
  patchSubresource<R = T>(
    name: string,
    subresource: string,
    patch: unknown,
    type: PatchType = PatchTypes.merge,
    options: PatchOptions & CallOptions = {},
  ): Promise<R> {
    return this.send<R>({ verb: "patch", name, subresource, patch, patchType: type, options }, options);
  }
}
