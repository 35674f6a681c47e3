/**
 * Resource descriptors: what a generated resource is, besides its types. The generic resource
 * client reads a descriptor to build paths and to decide which methods exist, so the generated code
 * stays a list of constants (as client-go's `gentype` clients are).
 */

/** The API verbs of a resource, as discovery and `x-kubernetes-action` name them. */
export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

/**
 * Subresources with behaviour in the runtime. Any other name is still allowed (the generic
 * subresource methods reach it), it just gets no dedicated method.
 */
export type KnownSubresource =
  | "status"
  | "scale"
  | "log"
  | "eviction"
  | "binding"
  | "token"
  | "ephemeralcontainers"
  | "resize"
  | "proxy"
  | "exec"
  | "attach"
  | "portforward"
  | "approval"
  | "finalize";

export interface ResourceDescriptor<
  V extends Verb = Verb,
  S extends string = string,
  N extends boolean = boolean,
  P extends boolean = boolean,
> {
  /** API group; `""` for the legacy core group. */
  group: string;
  version: string;
  /** Lower-case plural used in URLs, e.g. `deployments`. */
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: N;
  verbs: readonly V[];
  subresources: readonly S[];
  shortNames?: readonly string[];
  categories?: readonly string[];
  /**
   * Fields a field selector may name besides `metadata.name` and `metadata.namespace`, when the
   * schema says (a CRD's `selectableFields`, e.g. `spec.issuerRef.name`). Built-in resources' come
   * from the apiserver's code, not its OpenAPI, and are not listed here.
   */
  selectableFields?: readonly string[];
  /**
   * The apiserver accepts strategic merge patches for this resource (`PatchTypes.strategicMerge`).
   * True for most built-in resources; never for custom resources, where the apiserver answers 415.
   * A typed client offers strategic merge only when this is `true`.
   */
  strategicMergePatch?: P;
}

/**
 * Phantom-typed descriptor: carries the object and list types so a client built from it is typed.
 * `T` and `L` exist only at compile time.
 */
export interface TypedResource<
  T,
  L,
  V extends Verb = Verb,
  S extends string = string,
  N extends boolean = boolean,
  P extends boolean = boolean,
> extends ResourceDescriptor<V, S, N, P> {
  readonly __types?: { object: T; list: L };
}

/**
 * Declares a resource. Curried so the object and list types are given explicitly while the verbs,
 * subresources and scope are inferred as literals:
 *
 * @example
 * export const deployments = defineResource<Deployment, DeploymentList>()({
 *   group: "apps", version: "v1", plural: "deployments", singular: "deployment",
 *   kind: "Deployment", listKind: "DeploymentList", namespaced: true,
 *   verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
 *   subresources: ["scale", "status"], strategicMergePatch: true,
 * });
 */
export function defineResource<T, L>() {
  // P defaults to false: without `strategicMergePatch: true` the typed client offers no strategic merge.
  return <
    const V extends Verb,
    const S extends string,
    const N extends boolean,
    const P extends boolean = false,
  >(
    descriptor: ResourceDescriptor<V, S, N, P>,
  ): TypedResource<T, L, V, S, N, P> => Object.freeze(descriptor);
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(resource: Pick<ResourceDescriptor, "group" | "version">): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}
