/**
 * The generic resource client: every verb, written once. A generated resource is only a descriptor
 * (runtime/core/resource.ts) and its types; `ResourceClient` does the rest, as client-go's
 * `gentype.Client` does. Requests are built by `runtime/core/resource-requests.ts`; the subresource
 * methods come from the base class (subresources.ts), and the typed views that expose only what a
 * resource allows are in typed-view.ts.
 */

import type { ApplyConfiguration, KubeList, KubeObject } from "../core/object.js";
import type {
  ApplyOptions,
  CreateOptions,
  DeleteOptions,
  GetOptions,
  ListOptions,
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
import type { CallOptions } from "../core/request.js";
import type { WatchEvent } from "../core/watch.js";
import type { Status } from "../errors.js";
import { SubresourceClient } from "./subresources.js";

/**
 * A client for one resource, in one namespace (or all namespaces, or cluster-scoped).
 * Use the typed view from a clientset (`clientset.appsV1.deployments("ns")`) rather than this class.
 * `SMP` says whether strategic merge patches are offered (the descriptor's `strategicMergePatch`).
 *
 * @example
 * const deployments = clientset.appsV1.deployments("default");
 * const d = await deployments.get("web");
 */
export class ResourceClient<
  T extends KubeObject,
  L extends KubeList<T> = KubeList<T>,
  SMP extends boolean = boolean,
> extends SubresourceClient<T, SMP> {
  /** Gets the object called `name`. */
  get(name: string, options: GetOptions & CallOptions = {}): Promise<T> {
    return this.send<T>({ verb: "get", name, options }, options);
  }

  /** Lists objects (one page when `limit` is set; follow `metadata.continue`, or use `pages()`). */
  list(options: ListOptions & CallOptions = {}): Promise<L> {
    return this.send<L>({ verb: "list", options }, options);
  }

  /**
   * Lists page by page, following `continue` tokens, as client-go's `tools/pager`.
   *
   * @example
   * for await (const page of pods.pages({ limit: 500 })) console.log(page.items.length);
   */
  async *pages(options: ListOptions & CallOptions = {}): AsyncGenerator<L, void, undefined> {
    let next: string | undefined = options.continue;
    do {
      const page: L = await this.list({ ...options, continue: next });
      yield page;
      next = page.metadata?.continue || undefined;
    } while (next);
  }

  /**
   * Every object, across pages: an async iterator over the items.
   *
   * @example
   * for await (const pod of pods.items({ limit: 500 })) console.log(pod.metadata?.name);
   */
  async *items(options: ListOptions & CallOptions = {}): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages(options)) yield* page.items;
  }

  /**
   * Watches for changes. The connection closes when the loop stops or `signal` aborts; an `ERROR`
   * event is thrown as a `StatusError` (410 Gone means: list again).
   */
  watch(options: ListOptions & CallOptions = {}): AsyncIterable<WatchEvent<T>> {
    return this.caller.watch<T>(this.request({ verb: "watch", options }), options);
  }

  /** Creates `object` (in its own namespace when the client has none). */
  create(object: T, options: CreateOptions & CallOptions = {}): Promise<T> {
    return this.send<T>({ verb: "create", object, options }, options);
  }

  /** Replaces `object`; its `metadata.resourceVersion` makes the write conditional (409 on conflict). */
  update(object: T, options: UpdateOptions & CallOptions = {}): Promise<T> {
    return this.send<T>({ verb: "update", object, options }, options);
  }

  /** Reads the `status` subresource. */
  getStatus(name: string, options: GetOptions & CallOptions = {}): Promise<T> {
    return this.send<T>({ verb: "get", name, subresource: "status", options }, options);
  }

  /** Replaces the status of `object` (the `status` subresource); other fields are ignored. */
  updateStatus(object: T, options: UpdateOptions & CallOptions = {}): Promise<T> {
    return this.send<T>({ verb: "update", object, subresource: "status", options }, options);
  }

  /**
   * Patches the object called `name`. The body's type follows the patch type: a `MergePatch<T>`
   * (the default; `null` deletes a field), a list of `JsonPatchOperation`s for `PatchTypes.json`,
   * or a `StrategicMergePatch<T>` for `PatchTypes.strategicMerge` where the resource accepts it.
   * Server-side apply is `apply()`.
   *
   * @example
   * await configMaps.patch("settings", { data: { mode: "fast", legacy: null } });
   * await configMaps.patch("settings", [{ op: "remove", path: "/data/mode" }], PatchTypes.json);
   */
  patch(
    name: string,
    patch: MergePatch<T>,
    type?: typeof PatchTypes.merge,
    options?: PatchOptions & CallOptions,
  ): Promise<T>;
  patch(
    name: string,
    patch: readonly JsonPatchOperation[],
    type: typeof PatchTypes.json,
    options?: PatchOptions & CallOptions,
  ): Promise<T>;
  patch(
    name: string,
    patch: StrategicMergePatch<T>,
    type: StrategicMergeType<SMP>,
    options?: PatchOptions & CallOptions,
  ): Promise<T>;
  patch(
    name: string,
    patch: unknown,
    type: PatchType = PatchTypes.merge,
    options: PatchOptions & CallOptions = {},
  ): Promise<T> {
    return this.send<T>({ verb: "patch", name, patch, patchType: type, options }, options);
  }

  /** Patches the `status` subresource of the object called `name`; the body types are `patch()`'s. */
  patchStatus(
    name: string,
    patch: MergePatch<T>,
    type?: typeof PatchTypes.merge,
    options?: PatchOptions & CallOptions,
  ): Promise<T>;
  patchStatus(
    name: string,
    patch: readonly JsonPatchOperation[],
    type: typeof PatchTypes.json,
    options?: PatchOptions & CallOptions,
  ): Promise<T>;
  patchStatus(
    name: string,
    patch: StrategicMergePatch<T>,
    type: StrategicMergeType<SMP>,
    options?: PatchOptions & CallOptions,
  ): Promise<T>;
  patchStatus(
    name: string,
    patch: unknown,
    type: PatchType = PatchTypes.merge,
    options: PatchOptions & CallOptions = {},
  ): Promise<T> {
    return this.send<T>(
      { verb: "patch", name, subresource: "status", patch, patchType: type, options },
      options,
    );
  }

  /**
   * Server-side apply: the server merges `configuration` into the object, owned by `fieldManager`.
   *
   * @example
   * await deployments.apply({ metadata: { name: "web" }, spec: { replicas: 3 } }, { fieldManager: "my-tool" });
   */
  apply(configuration: ApplyConfiguration<T>, options: ApplyOptions & CallOptions): Promise<T> {
    return this.send<T>({ verb: "apply", object: configuration as KubeObject, options }, options);
  }

  /** Server-side apply of the `status` subresource. */
  applyStatus(configuration: ApplyConfiguration<T>, options: ApplyOptions & CallOptions): Promise<T> {
    const object = configuration as KubeObject;
    return this.send<T>({ verb: "apply", object, subresource: "status", options }, options);
  }

  /**
   * Deletes the object called `name`. Resolves to the object when its deletion waits on finalizers,
   * else to the server's `Status`.
   */
  delete(name: string, options: DeleteOptions & CallOptions = {}): Promise<T | Status> {
    return this.send<T | Status>({ verb: "delete", name, options }, options);
  }

  /** Deletes every object the list options select. */
  deleteCollection(options: DeleteOptions & ListOptions & CallOptions = {}): Promise<L | Status> {
    return this.send<L | Status>({ verb: "deleteCollection", options }, options);
  }
}
