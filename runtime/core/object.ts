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

/** Every field optional, recursively. */
export type DeepPartial<T> = T extends readonly (infer E)[]
  ? DeepPartial<E>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

// Only a type-level key: no value exists, so a list map is a plain array at run time.
declare const listMapKeys: unique symbol;

/**
 * A list the API merges by key (`x-kubernetes-list-type: map`), e.g. a pod's containers by `name`.
 * It reads and writes as a plain `T[]` (a `T[]` fits in, and it fits wherever a `T[]` does); the
 * keys `K` only matter to apply configurations, whose items must carry them.
 *
 * @example
 * interface PodSpec { containers: ListMap<Container, "name"> }
 */
export type ListMap<T, K extends keyof T> = T[] & { readonly [listMapKeys]?: K };

/** The keys of a `ListMap`; `never` for a plain array. */
export type ListMapKeys<T> = typeof listMapKeys extends keyof T ? NonNullable<T[typeof listMapKeys]> : never;

/**
 * Any subset of `T`'s fields, recursively, except that the items of a `ListMap` keep their keys:
 * server-side apply identifies them by those (a container without `name` is not an apply item).
 */
export type ApplyPartial<T> = T extends readonly (infer E)[]
  ? [ListMapKeys<T>] extends [never]
    ? ApplyPartial<E>[]
    : (ApplyPartial<E> & { [P in ListMapKeys<T> & keyof E]-?: Exclude<E[P], undefined> })[]
  : T extends object
    ? { [K in keyof T]?: ApplyPartial<T[K]> }
    : T;

/**
 * A server-side apply configuration: any subset of the object's fields, plus the name that says which
 * object it is and the keys of every keyed list item (`ListMap`). `apiVersion` and `kind` are filled
 * in from the resource when missing. The counterpart of client-go's applyconfigurations.
 */
export type ApplyConfiguration<T> = ApplyPartial<T> & { metadata: { name: string } };
