/**
 * The few structural shapes the runtime needs from Kubernetes objects. Generated types satisfy them;
 * the runtime never depends on generated code.
 */

/** What every Kubernetes object has, as far as the runtime cares. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    generateName?: string;
    namespace?: string;
    resourceVersion?: string;
    uid?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    // A zero `metav1.Time` is sent as `null` (object templates carry `creationTimestamp: null`).
    creationTimestamp?: string | null;
    deletionTimestamp?: string | null;
    managedFields?: { manager?: string; operation?: string; apiVersion?: string; time?: string | null }[];
  };
}

/** A list of objects (`DeploymentList`, ...). */
export interface KubeList<T> {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

/** `autoscaling/v1` Scale, the body of every `/scale` subresource. */
export interface Scale {
  apiVersion?: "autoscaling/v1";
  kind?: "Scale";
  metadata?: KubeObject["metadata"];
  spec?: { replicas?: number };
  status?: { replicas: number; selector?: string };
}

/** Every field optional, recursively: the shape of a server-side apply body. */
export type DeepPartial<T> = T extends readonly (infer E)[]
  ? DeepPartial<E>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/**
 * A server-side apply configuration: any subset of the object's fields, plus the name that says which
 * object it is. `apiVersion` and `kind` are filled in from the resource when missing. The
 * counterpart of client-go's applyconfigurations.
 */
export type ApplyConfiguration<T> = DeepPartial<T> & { metadata: { name: string } };
