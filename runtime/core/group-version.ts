/**
 * Group, version, kind and resource values, as apimachinery's `schema` package has them:
 * parsing `apps/v1`, and the string forms client-go prints (`deployments.v1.apps`, `Deployment.v1.apps`).
 */

/** `schema.GroupVersion`: an API group (`""` for core) and one of its versions. */
export interface GroupVersion {
  /** `""` for the legacy core group. */
  group: string;
  version: string;
}
/** `schema.GroupVersionKind`. */
export interface GroupVersionKind extends GroupVersion {
  kind: string;
}
/** `schema.GroupVersionResource`: `resource` is the lower-case plural of URLs. */
export interface GroupVersionResource extends GroupVersion {
  resource: string;
}
/** `schema.GroupResource`. */
export interface GroupResource {
  group: string;
  resource: string;
}
/** `schema.GroupKind`. */
export interface GroupKind {
  group: string;
  kind: string;
}

/**
 * Parses an apiVersion: `apps/v1` → `{ group: "apps", version: "v1" }`, `v1` → the core group.
 * `""` and `/` parse to the empty group-version, as in apimachinery.
 *
 * @throws TypeError for more than one `/`.
 */
export function parseGroupVersion(apiVersion: string): GroupVersion {
  if (apiVersion === "" || apiVersion === "/") return { group: "", version: "" };
  const parts = apiVersion.split("/");
  if (parts.length === 1) return { group: "", version: parts[0]! };
  if (parts.length === 2) return { group: parts[0]!, version: parts[1]! };
  throw new TypeError(`unexpected GroupVersion string: ${JSON.stringify(apiVersion)}`);
}

/** `{ group: "apps", version: "v1" }` → `apps/v1`; the core group → `v1`. */
export function formatGroupVersion({ group, version }: GroupVersion): string {
  return group ? `${group}/${version}` : version;
}

/** The group-version-kind of an object from its `apiVersion` and `kind`. */
export function groupVersionKindOf(object: { apiVersion?: string; kind?: string }): GroupVersionKind {
  if (!object.apiVersion || !object.kind) {
    throw new TypeError(`object has no ${object.apiVersion ? "kind" : "apiVersion"}`);
  }
  return { ...parseGroupVersion(object.apiVersion), kind: object.kind };
}

/**
 * Parses `deployments.apps` or `deployments.v1.apps` (kubectl's `resource.version.group` form).
 * With two dots or more, the second part is taken as the version when it looks like one.
 */
export function parseResourceArg(arg: string): { groupResource: GroupResource; version?: string } {
  const [resource = "", ...rest] = arg.split(".");
  if (rest.length >= 2 && /^v\d+((alpha|beta)\d+)?$/.test(rest[0]!)) {
    return { groupResource: { resource, group: rest.slice(1).join(".") }, version: rest[0] };
  }
  return { groupResource: { resource, group: rest.join(".") } };
}

/** `deployments.apps`, or `pods` for the core group. */
export function formatGroupResource({ group, resource }: GroupResource): string {
  return group ? `${resource}.${group}` : resource;
}

/** `Deployment.apps`, or `Pod` for the core group. */
export function formatGroupKind({ group, kind }: GroupKind): string {
  return group ? `${kind}.${group}` : kind;
}

/**
 * The GroupVersionKind from an `apiVersion` and a `kind` (client-go's
 * `schema.FromAPIVersionAndKind`).
 *
 * @example
 * parseGroupVersionKind("apps/v1", "Deployment") // { group: "apps", version: "v1", kind: "Deployment" }
 * @throws {TypeError} when `apiVersion` has more than one `/` or `kind` is empty.
 */
export function parseGroupVersionKind(apiVersion: string, kind: string): GroupVersionKind {
  if (!kind) throw new TypeError(`missing kind for apiVersion ${JSON.stringify(apiVersion)}`);
  return { ...parseGroupVersion(apiVersion), kind };
}

/**
 * Parses `resource.group` (`deployments.apps`, or `pods` for the core group) as client-go's
 * `schema.ParseGroupResource`: everything after the first dot is the group.
 *
 * @example
 * parseGroupResource("deployments.apps") // { group: "apps", resource: "deployments" }
 */
export function parseGroupResource(value: string): GroupResource {
  const dot = value.indexOf(".");
  if (dot === -1) return { group: "", resource: value };
  return { group: value.slice(dot + 1), resource: value.slice(0, dot) };
}

/** `apps/v1, Kind=Deployment` (client-go's `GroupVersionKind.String()`), for messages. */
export function formatGroupVersionKind(gvk: GroupVersionKind): string {
  return `${formatGroupVersion(gvk) || "/"}, Kind=${gvk.kind}`;
}

/** `apps/v1, Resource=deployments` (client-go's `GroupVersionResource.String()`), for messages. */
export function formatGroupVersionResource(gvr: GroupVersionResource): string {
  return `${formatGroupVersion(gvr) || "/"}, Resource=${gvr.resource}`;
}

/** True when two values name the same group and version. */
export function sameGroupVersion(a: GroupVersion, b: GroupVersion): boolean {
  return a.group === b.group && a.version === b.version;
}
