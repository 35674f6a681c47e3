/**
 * Group-version definitions and clientsets: the two declarations a generated module ends with. The
 * generated code lists resources; these helpers turn the list into typed accessors
 * (`clientset.appsV1.deployments("ns")`), lazily and without per-resource code.
 */
import type { ClientConfig } from "../config/types.js";
import type { GroupVersion } from "../core/group-version.js";
import type { KubeList, KubeObject } from "../core/object.js";
import type { TypedResource } from "../core/resource.js";
import type { ApiCaller } from "../rest/api-caller.js";
import { HttpClient, type HttpClientOptions } from "../rest/http-client.js";
import { ResourceClient } from "./resource-client.js";
import type { ClientFor } from "./typed-view.js";

/** Any typed resource descriptor: what a group-version's map of resources holds. */
// biome-ignore lint/suspicious/noExplicitAny: any resource type fits a group's map
export type AnyResource = TypedResource<any, any>;

/** Any clientset's group-versions, keyed by member name (`appsV1`). */
export type AnyGroups = Record<string, GroupVersionDefinition<Record<string, AnyResource>>>;

/** A group-version and the resources it serves, keyed by accessor name. */
export interface GroupVersionDefinition<R extends Record<string, AnyResource>> extends GroupVersion {
  readonly resources: R;
}

/**
 * Declares a group-version's resources.
 *
 * @example
 * export const appsV1 = defineGroupVersion({ group: "apps", version: "v1" }, { deployments, replicaSets });
 */
export function defineGroupVersion<const R extends Record<string, AnyResource>>(
  groupVersion: GroupVersion,
  resources: R,
): GroupVersionDefinition<R> {
  for (const [key, resource] of Object.entries(resources)) {
    if (resource.group !== groupVersion.group || resource.version !== groupVersion.version) {
      throw new TypeError(
        `resource ${key} (${resource.group}/${resource.version}) is not in ${groupVersion.group}/${groupVersion.version}`,
      );
    }
  }
  return Object.freeze({ ...groupVersion, resources });
}

/** A namespaced resource's accessor takes a namespace (omit it for all namespaces); a cluster-scoped one takes none. */
export type ResourceAccessor<R> = R extends { namespaced: false }
  ? () => ClientFor<R>
  : (namespace?: string) => ClientFor<R>;

/** The typed client of one group-version: one accessor per resource. */
export type GroupVersionClient<D> =
  D extends GroupVersionDefinition<infer R> ? { readonly [K in keyof R]: ResourceAccessor<R[K]> } : never;

/** Builds the client of a group-version over an `ApiCaller` (normally the clientset's `HttpClient`). */
export function groupVersionClient<D extends GroupVersionDefinition<Record<string, AnyResource>>>(
  caller: ApiCaller,
  definition: D,
): GroupVersionClient<D> {
  const client: Record<string, (namespace?: string) => unknown> = {};
  for (const [key, resource] of Object.entries(definition.resources)) {
    client[key] = resource.namespaced
      ? (namespace?: string) =>
          new ResourceClient<KubeObject, KubeList<KubeObject>>(caller, resource, namespace)
      : () => new ResourceClient<KubeObject, KubeList<KubeObject>>(caller, resource);
  }
  return Object.freeze(client) as GroupVersionClient<D>;
}

/** What every clientset has besides its group-version members. */
export interface ClientsetBase {
  /** The HTTP layer shared by every group client: one connection pool, one rate limiter. */
  readonly http: HttpClient;
  /** Closes the connection pool. */
  close(): Promise<void>;
}

export type ClientsetOf<G extends AnyGroups> = ClientsetBase & {
  readonly [K in keyof G]: GroupVersionClient<G[K]>;
};

export interface ClientsetClass<G extends AnyGroups> {
  /** A clientset over an existing HTTP layer, e.g. to share one rate limiter with another clientset. */
  new (http: HttpClient): ClientsetOf<G>;
  /**
   * A clientset for a configuration, as client-go's `kubernetes.NewForConfig`.
   *
   * @example
   * const clientset = Clientset.forConfig(await loadKubeconfig());
   */
  forConfig(config: ClientConfig, options?: HttpClientOptions): ClientsetOf<G>;
  /** The group-versions this clientset serves. */
  readonly groupVersions: G;
}

/**
 * Declares a clientset from group-version definitions. Each member is created on first use and
 * shares the clientset's `HttpClient` (one rate limiter per clientset, unlike client-go's default of
 * one per group).
 *
 * @example
 * export const Clientset = defineClientset({ appsV1, coreV1 });
 * export type Clientset = InstanceType<typeof Clientset>;
 */
export function defineClientset<const G extends AnyGroups>(groupVersions: G): ClientsetClass<G> {
  class Clientset implements ClientsetBase {
    static readonly groupVersions = groupVersions;
    static forConfig(config: ClientConfig, options?: HttpClientOptions) {
      return new Clientset(HttpClient.forConfig(config, options));
    }
    readonly http: HttpClient;
    constructor(http: HttpClient) {
      this.http = http;
    }
    close(): Promise<void> {
      return this.http.close();
    }
  }
  for (const [key, definition] of Object.entries(groupVersions)) {
    const cache = new WeakMap<Clientset, unknown>();
    Object.defineProperty(Clientset.prototype, key, {
      enumerable: true,
      get(this: Clientset) {
        let client = cache.get(this);
        if (!client) {
          client = groupVersionClient(this.http, definition);
          cache.set(this, client);
        }
        return client;
      },
    });
  }
  return Clientset as unknown as ClientsetClass<G>;
}
