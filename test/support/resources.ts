/**
 * A few hand-written descriptors for runtime tests that must not depend on generated code.
 */
import type { KubeList, KubeObject } from "../../runtime/core/object.js";
import { defineResource } from "../../runtime/core/resource.js";

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

export const configMaps = defineResource<ConfigMap, KubeList<ConfigMap>>()({
  group: "",
  version: "v1",
  plural: "configmaps",
  singular: "configmap",
  kind: "ConfigMap",
  listKind: "ConfigMapList",
  namespaced: true,
  verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
  subresources: [],
});

export interface Namespace extends KubeObject {
  status?: { phase?: string };
}

export const namespaces = defineResource<Namespace, KubeList<Namespace>>()({
  group: "",
  version: "v1",
  plural: "namespaces",
  singular: "namespace",
  kind: "Namespace",
  listKind: "NamespaceList",
  namespaced: false,
  verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
  subresources: ["status", "finalize"],
});

/** A kind with a spec and a status, for tests of the verbs. */
export interface Thing extends KubeObject {
  spec?: { size?: number };
  status?: { ready?: boolean };
}

/** `apps/v1` deployments, every verb, scale and status: the descriptor the verb tests use. */
export const deployments = defineResource<Thing, KubeList<Thing>>()({
  group: "apps",
  version: "v1",
  plural: "deployments",
  singular: "deployment",
  kind: "Deployment",
  listKind: "DeploymentList",
  namespaced: true,
  verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
  subresources: ["scale", "status"],
});
