/**
 * `ScaleClient`: reads and writes the `scale` subresource of any resource that has one
 * (Deployments, ReplicaSets, StatefulSets, ReplicationControllers, and every CRD that declares
 * one), finding the resource's preferred version and its Scale kind through discovery, as
 * client-go's polymorphic scale client does.
 *
 * @example
 * const scales = ScaleClient.forConfig(config);
 * const scale = await scales.scales("default").get("deployments.apps", "web");
 * await scales.scales("default").update("deployments.apps", { ...scale, spec: { replicas: 3 } });
 */
import type { ClientConfig } from "../config/types.js";
import {
  formatGroupResource,
  formatGroupVersion,
  type GroupResource,
  parseResourceArg,
} from "../core/group-version.js";
import type { Scale } from "../core/object.js";
import type { UpdateOptions } from "../core/options.js";
import { type PatchType, PatchTypes } from "../core/patch.js";
import type { CallOptions } from "../core/request.js";
import { resourcePath } from "../core/request.js";
import { DiscoveryClient, type DiscoveryInterface } from "./discovery.js";

/** Where a group-resource's scale subresource is served, and as which kind. */
export interface ScaleTarget {
  group: string;
  version: string;
  resource: string;
  namespaced: boolean;
  /** The Scale kind's group-version (`autoscaling/v1` on current clusters). */
  scaleGroupVersion: string;
}

/** Thrown when a resource is not served or has no scale subresource. */
export class ScaleNotSupportedError extends Error {
  override readonly name = "ScaleNotSupportedError";
}

export class ScaleClient {
  readonly discovery: DiscoveryInterface;
  readonly #targets = new Map<string, Promise<ScaleTarget>>();

  /** @param discovery any discovery client: a cache saves the lookups across clients */
  constructor(discovery: DiscoveryInterface) {
    this.discovery = discovery;
  }

  static forConfig(config: ClientConfig): ScaleClient {
    return new ScaleClient(DiscoveryClient.forConfig(config));
  }

  /** The scale client of one namespace (`""` for cluster-scoped resources). */
  scales(namespace: string): NamespacedScales {
    return new NamespacedScales(this, namespace);
  }

  /** Closes the discovery client's HTTP layer. */
  close(): Promise<void> {
    return this.discovery.close();
  }

  /** Finds (once per group-resource) where its scale subresource lives. */
  target(groupResource: GroupResource | string): Promise<ScaleTarget> {
    const gr =
      typeof groupResource === "string" ? parseResourceArg(groupResource).groupResource : groupResource;
    const key = formatGroupResource(gr);
    let found = this.#targets.get(key);
    if (!found) {
      found = this.#discover(gr);
      // A failed lookup is not remembered: the CRD may be installed a moment later.
      found.catch(() => this.#targets.delete(key));
      this.#targets.set(key, found);
    }
    return found;
  }

  async #discover(gr: GroupResource): Promise<ScaleTarget> {
    const groups = await this.discovery.serverGroups();
    const group = groups.find((g) => g.name === gr.group);
    if (!group)
      throw new ScaleNotSupportedError(
        `the server does not serve the API group ${JSON.stringify(gr.group || "core")}`,
      );
    const gv = group.preferredVersion ?? group.versions[0];
    if (!gv) throw new ScaleNotSupportedError(`API group ${gr.group} has no versions`);
    const list = await this.discovery.serverResourcesForGroupVersion(gv.groupVersion);
    const resource = list.resources.find((r) => r.name === gr.resource);
    if (!resource)
      throw new ScaleNotSupportedError(
        `the server does not serve ${formatGroupResource(gr)} in ${gv.groupVersion}`,
      );
    const scale = list.resources.find((r) => r.name === `${gr.resource}/scale`);
    if (!scale) throw new ScaleNotSupportedError(`${formatGroupResource(gr)} has no scale subresource`);
    const scaleGroupVersion =
      scale.group !== undefined && scale.version !== undefined
        ? formatGroupVersion({ group: scale.group, version: scale.version })
        : "autoscaling/v1";
    return {
      group: gr.group,
      version: gv.version,
      resource: gr.resource,
      namespaced: resource.namespaced,
      scaleGroupVersion,
    };
  }
}

export class NamespacedScales {
  readonly #client: ScaleClient;
  readonly #namespace: string;

  constructor(client: ScaleClient, namespace: string) {
    this.#client = client;
    this.#namespace = namespace;
  }

  async #path(groupResource: GroupResource | string, name: string): Promise<string> {
    const t = await this.#client.target(groupResource);
    if (t.namespaced && !this.#namespace)
      throw new TypeError(`${t.resource} is namespaced: scales("") cannot reach it`);
    return resourcePath(
      { group: t.group, version: t.version, plural: t.resource, namespaced: t.namespaced },
      { namespace: this.#namespace, name, subresource: "scale" },
    );
  }

  /** Reads the scale of `name` (`groupResource`: `{ group: "apps", resource: "deployments" }` or `"deployments.apps"`). */
  async get(groupResource: GroupResource | string, name: string, options: CallOptions = {}): Promise<Scale> {
    return this.#client.discovery.http.json<Scale>(
      { method: "GET", path: await this.#path(groupResource, name) },
      options,
    );
  }

  /** Replaces the scale (normally only `spec.replicas` changes). */
  async update(
    groupResource: GroupResource | string,
    scale: Scale,
    options: UpdateOptions & CallOptions = {},
  ): Promise<Scale> {
    const name = scale.metadata?.name;
    if (!name) throw new TypeError("ScaleClient.update: scale.metadata.name is required");
    const t = await this.#client.target(groupResource);
    const { signal, timeout, ...query } = options;
    return this.#client.discovery.http.json<Scale>(
      {
        method: "PUT",
        path: await this.#path(groupResource, name),
        query: query as Record<string, string>,
        body: { ...scale, apiVersion: t.scaleGroupVersion, kind: "Scale" },
      },
      { signal, timeout },
    );
  }

  /** Patches the scale (`{ spec: { replicas: 3 } }` as a merge patch by default). */
  async patch(
    groupResource: GroupResource | string,
    name: string,
    patch: unknown,
    type: PatchType = PatchTypes.merge,
    options: CallOptions = {},
  ): Promise<Scale> {
    return this.#client.discovery.http.json<Scale>(
      { method: "PATCH", path: await this.#path(groupResource, name), body: patch, contentType: type },
      options,
    );
  }
}
