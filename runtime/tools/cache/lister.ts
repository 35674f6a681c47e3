/**
 * Typed listers: reads of an informer's cache by label selector, namespace, name and index, as
 * lister-gen's listers (client-go's `listers.ResourceIndexer`). Nothing here calls the server.
 */

import { type LabelSelector, parseLabelSelector } from "../../core/labels.js";
import type { KubeObject } from "../../core/object.js";
import type { ResourceDescriptor } from "../../core/resource.js";
import { StatusError } from "../../errors.js";
import { type Indexer, namespaceIndex } from "./store.js";

/** A label selector, as text (`app=web,tier in (a,b)`) or parsed. Leave it out for everything. */
export type SelectorInput = string | LabelSelector;

function selectorOf(selector: SelectorInput | undefined): LabelSelector | undefined {
  if (selector === undefined) return undefined;
  const parsed = typeof selector === "string" ? parseLabelSelector(selector) : selector;
  return parsed.empty ? undefined : parsed;
}

function select<T extends KubeObject>(objects: T[], selector: SelectorInput | undefined): T[] {
  const parsed = selectorOf(selector);
  return parsed ? objects.filter((o) => parsed.matches(o.metadata?.labels)) : objects;
}

/** The 404 a lister answers for a name it does not hold, as the apiserver would word it. */
function notFound(resource: Pick<ResourceDescriptor, "group" | "plural">, name: string): StatusError {
  const qualified = resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
  return new StatusError({
    kind: "Status",
    apiVersion: "v1",
    status: "Failure",
    code: 404,
    reason: "NotFound",
    message: `${qualified} "${name}" not found`,
    details: { name, group: resource.group, kind: resource.plural },
  });
}

/** The objects of one namespace. */
export interface NamespaceLister<T> {
  /** The objects whose labels match (all of them without a selector). */
  list(selector?: SelectorInput): T[];
  /** The object named `name`; a `NotFound` `StatusError` (test with `isNotFound`) when absent. */
  get(name: string): T;
}

/**
 * Reads an informer's cache. The objects returned are the cache's own: do not change them.
 *
 * @example
 * const pods = factory.coreV1.pods();
 * pods.lister.list("app=web");
 * pods.lister.namespace("default").get("web-0");
 */
export class Lister<T extends KubeObject> {
  readonly #indexer: Indexer<T>;
  readonly #resource: Pick<ResourceDescriptor, "group" | "plural" | "namespaced">;

  constructor(indexer: Indexer<T>, resource: Pick<ResourceDescriptor, "group" | "plural" | "namespaced">) {
    this.#indexer = indexer;
    this.#resource = resource;
  }

  /** Every cached object whose labels match, in every namespace. */
  list(selector?: SelectorInput): T[] {
    return select(this.#indexer.list(), selector);
  }

  /** A cluster-scoped object by name (for a namespaced one, use `namespace(ns).get(name)`). */
  get(name: string): T {
    const obj = this.#indexer.getByKey(name);
    if (obj === undefined) throw notFound(this.#resource, name);
    return obj;
  }

  /** The objects of one namespace (through the namespace index). */
  namespace(namespace: string): NamespaceLister<T> {
    const indexer = this.#indexer;
    const resource = this.#resource;
    return {
      list: (selector) => select(indexer.byIndex(namespaceIndex, namespace), selector),
      get: (name) => {
        const obj = indexer.getByKey(`${namespace}/${name}`);
        if (obj === undefined) throw notFound(resource, name);
        return obj;
      },
    };
  }

  /** The objects indexed under `value` in the informer's index `indexName`. */
  byIndex(indexName: string, value: string): T[] {
    return this.#indexer.byIndex(indexName, value);
  }
}
