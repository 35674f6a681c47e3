/**
 * Informer factories, as informer-gen's `SharedInformerFactory` and client-go's
 * `dynamicinformer`: one informer (one list and one watch) per resource however many consumers ask
 * for it, all scoped alike, started and synced together.
 */

import type { DynamicClient } from "../../clients/dynamic.js";
import type { AnyGroups, ClientsetClass, ClientsetOf, GroupVersionDefinition } from "../../clients/group.js";
import type { MetadataClient, PartialObjectMetadata } from "../../clients/metadata.js";
import { ResourceClient } from "../../clients/resource-client.js";
import type { Unstructured } from "../../clients/unstructured.js";
import type { GroupVersionResource } from "../../core/group-version.js";
import type { KubeList, KubeObject } from "../../core/object.js";
import { apiVersionOf, type ResourceDescriptor, type TypedResource, type Verb } from "../../core/resource.js";
import type { ApiCaller } from "../../rest/api-caller.js";
import { SharedIndexInformer, type SharedIndexInformerOptions } from "./informer.js";
import { Lister } from "./lister.js";
import type { ListerWatcher } from "./reflector.js";
import type { Indexers } from "./store.js";

/** Options every informer of a factory shares (client-go's `WithNamespace`, `WithTweakListOptions`, `WithTransform`). */
export interface InformerFactoryOptions
  extends Omit<SharedIndexInformerOptions<KubeObject>, "indexers" | "transform"> {
  /** Watch one namespace only (namespaced resources); default: all. */
  namespace?: string;
  /** Applied to every object of every informer before it is cached (e.g. drop managedFields). */
  transform?: (obj: KubeObject) => KubeObject;
}

/** A resource's shared informer and the lister over its cache. */
export interface ResourceInformer<T extends KubeObject> {
  readonly informer: SharedIndexInformer<T>;
  readonly lister: Lister<T>;
}

/** Options of one resource's informer, used when the factory creates it. */
export interface ResourceInformerOptions<T> {
  /** Indexes besides `namespace` (more can be added later with `informer.addIndexers`). */
  indexers?: Indexers<T>;
}

/** The key `waitForCacheSync` reports a resource under: `apps/v1/deployments`, `v1/pods`. */
export function informerKey(resource: Pick<ResourceDescriptor, "group" | "version" | "plural">): string {
  return `${apiVersionOf(resource)}/${resource.plural}`;
}

interface Entry {
  informer: SharedIndexInformer<KubeObject>;
  lister: Lister<KubeObject>;
  running?: Promise<void>;
}

/**
 * The informers of one HTTP layer. `forResource` creates a resource's informer on first request and
 * returns the same one after; `start` runs every informer created so far, and any created later
 * starts at once.
 *
 * @example
 * const factory = new SharedInformerFactory(clientset.http, { namespace: "default" });
 * const deployments = factory.forResource(appsV1.deployments);
 * factory.start(signal);
 * await factory.waitForCacheSync(signal);
 */
export class SharedInformerFactory {
  readonly #options: InformerFactoryOptions;
  readonly #sourceFor: (resource: ResourceDescriptor) => ListerWatcher<KubeObject>;
  readonly #entries = new Map<string, Entry>();
  readonly #stop = new AbortController();
  #signal: AbortSignal | undefined;
  #running: AbortFanOut | undefined;

  constructor(caller: ApiCaller, options?: InformerFactoryOptions);
  /** @internal A factory over any source of list and watch calls (the dynamic factory's). */
  constructor(
    sourceFor: (resource: ResourceDescriptor) => ListerWatcher<KubeObject>,
    options?: InformerFactoryOptions,
  );
  constructor(
    caller: ApiCaller | ((resource: ResourceDescriptor) => ListerWatcher<KubeObject>),
    options: InformerFactoryOptions = {},
  ) {
    this.#options = options;
    this.#sourceFor =
      typeof caller === "function"
        ? caller
        : (resource) =>
            new ResourceClient<KubeObject, KubeList<KubeObject>>(
              caller,
              resource,
              resource.namespaced ? options.namespace : undefined,
            );
  }

  /** The shared informer and lister of `resource` (it must allow `list` and `watch`). */
  forResource<T extends KubeObject>(
    resource: TypedResource<T, unknown> | ResourceDescriptor,
    options: ResourceInformerOptions<T> = {},
  ): ResourceInformer<T> {
    const key = informerKey(resource);
    let entry = this.#entries.get(key);
    if (!entry) {
      for (const verb of ["list", "watch"] as const)
        if (!(resource.verbs as readonly Verb[]).includes(verb))
          throw new TypeError(`informer for ${key}: the resource does not allow ${verb}`);
      const { namespace: _, ...shared } = this.#options;
      const informer = new SharedIndexInformer<KubeObject>(this.#sourceFor(resource), {
        ...shared,
        indexers: options.indexers as Indexers<KubeObject> | undefined,
      });
      entry = { informer, lister: new Lister(informer.indexer, resource) };
      this.#entries.set(key, entry);
      if (this.#signal) this.#run(entry);
    }
    return entry as unknown as ResourceInformer<T>;
  }

  /**
   * Runs every informer created so far, and from now on each one created later, until `signal`
   * aborts or `shutdown()` is called.
   */
  start(signal?: AbortSignal): void {
    if (this.#signal) return;
    this.#signal = signal ? AbortSignal.any([signal, this.#stop.signal]) : this.#stop.signal;
    this.#running = new AbortFanOut(this.#signal);
    for (const entry of this.#entries.values()) this.#run(entry);
  }

  /**
   * Waits until every started informer has synced, or `signal` aborts; tells for each
   * (keyed by {@link informerKey}) whether it did.
   */
  async waitForCacheSync(signal?: AbortSignal): Promise<Record<string, boolean>> {
    const result: Record<string, boolean> = {};
    const waiting = new AbortFanOut(signal);
    try {
      await Promise.all(
        [...this.#entries].map(async ([key, entry]) => {
          if (!entry.running) return;
          result[key] = await entry.informer.waitForCacheSync(signal && waiting.child());
        }),
      );
    } finally {
      waiting.dispose();
    }
    return result;
  }

  /** Stops every informer and waits until they have stopped. */
  async shutdown(): Promise<void> {
    this.#stop.abort();
    await Promise.all([...this.#entries.values()].map((e) => e.running));
  }

  #run(entry: Entry): void {
    if (entry.running || !this.#running) return;
    entry.running = entry.informer.run(this.#running.child());
  }
}

/**
 * Signals of their own for many waiters on one signal, through a single listener on it: a factory
 * of hundreds of informers adds one listener to the caller's signal, not hundreds (which Node
 * reports as a leak past ten).
 */
class AbortFanOut {
  readonly #children = new Set<AbortController>();
  readonly #parent: AbortSignal | undefined;
  readonly #onAbort = () => {
    for (const child of this.#children) child.abort(this.#parent?.reason);
    this.#children.clear();
  };

  constructor(parent: AbortSignal | undefined) {
    this.#parent = parent;
    parent?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** A signal that aborts when the parent does. */
  child(): AbortSignal {
    const child = new AbortController();
    if (this.#parent?.aborted) child.abort(this.#parent.reason);
    else this.#children.add(child);
    return child.signal;
  }

  /** Stops listening to the parent. */
  dispose(): void {
    this.#parent?.removeEventListener("abort", this.#onAbort);
    this.#children.clear();
  }
}

/** The resources of a group-version that can be informed on (they allow both list and watch). */
export type InformableKeys<R> = {
  [K in keyof R]: R[K] extends TypedResource<unknown, unknown, infer V>
    ? "list" | "watch" extends V
      ? K
      : never
    : never;
}[keyof R];

/** The object type of a typed resource descriptor. */
export type ObjectOf<R> =
  R extends TypedResource<infer T, unknown> ? (T extends KubeObject ? T : never) : never;

/** The informers of one group-version: `factory.appsV1.deployments()`. */
export type GroupVersionInformers<D> =
  D extends GroupVersionDefinition<infer R>
    ? { readonly [K in InformableKeys<R>]: () => ResourceInformer<ObjectOf<R[K]>> }
    : never;

/** A typed informer factory: the shared factory plus one member per group-version of the clientset. */
export type InformerFactoryOf<G extends AnyGroups> = SharedInformerFactory & {
  readonly [K in keyof G]: GroupVersionInformers<G[K]>;
};

/** The class `defineInformerFactory` returns. */
export interface InformerFactoryClass<G extends AnyGroups> {
  /** A factory whose informers list and watch through `clientset`'s HTTP layer. */
  new (clientset: ClientsetOf<G>, options?: InformerFactoryOptions): InformerFactoryOf<G>;
}

/**
 * Declares the typed informer factory of a clientset (what informer-gen and lister-gen generate):
 * `factory.coreV1.pods()` gives the shared `{ informer, lister }` of pods, typed as `Pod`.
 *
 * @example
 * export const InformerFactory = defineInformerFactory(Clientset);
 * const factory = new InformerFactory(clientset, { namespace: "default" });
 * const { informer, lister } = factory.coreV1.pods();
 */
export function defineInformerFactory<const G extends AnyGroups>(
  clientset: ClientsetClass<G>,
): InformerFactoryClass<G> {
  class InformerFactory extends SharedInformerFactory {
    constructor(instance: ClientsetOf<G>, options?: InformerFactoryOptions) {
      super(instance.http, options);
    }
  }
  for (const [member, definition] of Object.entries(clientset.groupVersions)) {
    const cache = new WeakMap<InformerFactory, unknown>();
    Object.defineProperty(InformerFactory.prototype, member, {
      enumerable: true,
      get(this: InformerFactory) {
        let informers = cache.get(this);
        if (!informers) {
          const accessors: Record<string, () => unknown> = {};
          for (const [key, resource] of Object.entries(definition.resources)) {
            const verbs = resource.verbs as readonly Verb[];
            if (verbs.includes("list") && verbs.includes("watch"))
              accessors[key] = () => this.forResource(resource);
          }
          informers = Object.freeze(accessors);
          cache.set(this, informers);
        }
        return informers;
      },
    });
  }
  return InformerFactory as unknown as InformerFactoryClass<G>;
}

/** A client that names resources at run time: `DynamicClient` and `MetadataClient` fit. */
export interface ResourceNamingClient<T> {
  resource(gvr: GroupVersionResource): ListerWatcher<T> & { namespace(namespace: string): ListerWatcher<T> };
}

/** Informers for resources named at run time, through a {@link ResourceNamingClient}. */
class RunTimeInformerFactory<T extends KubeObject> {
  readonly #factory: SharedInformerFactory;
  readonly #options: InformerFactoryOptions;

  constructor(client: ResourceNamingClient<T>, options: InformerFactoryOptions) {
    this.#options = options;
    this.#factory = new SharedInformerFactory((resource) => {
      const all = client.resource({
        group: resource.group,
        version: resource.version,
        resource: resource.plural,
      });
      return (options.namespace
        ? all.namespace(options.namespace)
        : all) as unknown as ListerWatcher<KubeObject>;
    }, options);
  }

  /** The shared informer and lister of a resource. */
  forResource(gvr: GroupVersionResource, options: ResourceInformerOptions<T> = {}): ResourceInformer<T> {
    return this.#factory.forResource<T>(
      {
        group: gvr.group,
        version: gvr.version,
        plural: gvr.resource,
        singular: "",
        kind: "",
        listKind: "",
        // Scope comes from the factory's namespace option, as client-go's dynamic factory.
        namespaced: this.#options.namespace !== undefined,
        verbs: ["list", "watch"],
        subresources: [],
      },
      options,
    );
  }

  /** See {@link SharedInformerFactory.start}. */
  start(signal?: AbortSignal): void {
    this.#factory.start(signal);
  }

  /** See {@link SharedInformerFactory.waitForCacheSync}. */
  waitForCacheSync(signal?: AbortSignal): Promise<Record<string, boolean>> {
    return this.#factory.waitForCacheSync(signal);
  }

  /** See {@link SharedInformerFactory.shutdown}. */
  shutdown(): Promise<void> {
    return this.#factory.shutdown();
  }
}

/**
 * Informers for any resource, named at run time, on unstructured objects, as client-go's
 * `dynamicinformer.NewFilteredDynamicSharedInformerFactory`.
 *
 * @example
 * const factory = new DynamicInformerFactory(DynamicClient.forConfig(config));
 * const widgets = factory.forResource({ group: "example.com", version: "v1", resource: "widgets" });
 * factory.start(signal);
 */
export class DynamicInformerFactory extends RunTimeInformerFactory<Unstructured> {
  constructor(client: DynamicClient, options: InformerFactoryOptions = {}) {
    super(client, options);
  }
}

/**
 * Informers that cache only objects' metadata (`PartialObjectMetadata`, through the apiserver's
 * `as=PartialObjectMetadataList`), as client-go's `metadatainformer`: the cheapest way to follow
 * many objects, e.g. every Secret, when names, labels and owners are all a controller needs.
 *
 * @example
 * const factory = new MetadataInformerFactory(MetadataClient.forConfig(config));
 * const secrets = factory.forResource({ group: "", version: "v1", resource: "secrets" });
 * factory.start(signal);
 */
export class MetadataInformerFactory extends RunTimeInformerFactory<PartialObjectMetadata> {
  constructor(client: MetadataClient, options: InformerFactoryOptions = {}) {
    super(client, options);
  }
}
