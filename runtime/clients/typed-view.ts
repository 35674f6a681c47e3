/**
 * The typed views of the generic resource client: `ClientFor<R>` shows exactly the methods a
 * resource's verbs and subresources allow, so `clientset.coreV1.componentStatuses().create` does
 * not compile. Types only; a view is a `ResourceClient` at run time.
 */
import type { KubeList, KubeObject } from "../core/object.js";
import type { TypedResource, Verb } from "../core/resource.js";
import type { ResourceClient } from "./resource-client.js";

/** The client methods an API verb allows. */
export type MethodsForVerb<V extends Verb> =
  | (V extends "get" ? "get" : never)
  | (V extends "list" ? "list" | "pages" | "items" : never)
  | (V extends "watch" ? "watch" : never)
  | (V extends "create" ? "create" : never)
  | (V extends "update" ? "update" : never)
  | (V extends "patch" ? "patch" | "apply" : never)
  | (V extends "delete" ? "delete" : never)
  | (V extends "deletecollection" ? "deleteCollection" : never);

/** The client methods a subresource allows; any subresource opens the generic ones. */
export type MethodsForSubresource<S extends string> =
  | (S extends "status" ? "getStatus" | "updateStatus" | "patchStatus" | "applyStatus" : never)
  | (S extends "scale" ? "getScale" | "updateScale" | "patchScale" | "applyScale" : never)
  | (S extends "log" ? "getLogs" | "streamLogs" | "logLines" : never)
  | (S extends "exec" ? "exec" | "execStream" | "copyFromPod" | "copyToPod" : never)
  | (S extends "attach" ? "attach" : never)
  | (S extends "portforward" ? "portForward" | "portForwardStream" : never)
  | (S extends "eviction" ? "evict" : never)
  | (S extends "token" ? "createToken" : never)
  | (S extends "binding" ? "bind" : never)
  | ([S] extends [never]
      ? never
      : "getSubresource" | "createSubresource" | "updateSubresource" | "patchSubresource");

/**
 * The client of a resource, showing exactly the methods its verbs and subresources allow:
 * `componentStatuses` has no `create`, `pods` has `getLogs`, `deployments` has `getScale`.
 */
export type ClientFor<R> =
  R extends TypedResource<infer T, infer L, infer V, infer S, boolean, infer P>
    ? T extends KubeObject
      ? L extends KubeList<T>
        ? Pick<
            ResourceClient<T, L, P>,
            MethodsForVerb<V> | MethodsForSubresource<S> | "resource" | "namespaceName"
          >
        : never
      : never
    : never;
