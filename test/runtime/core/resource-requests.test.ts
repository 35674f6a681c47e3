/**
 * The requests of the resource verbs as given/want tables, as kube-rs tests its `Request`: each
 * case is a descriptor, a namespace and a call, and the exact `ApiRequest` (or build error) it
 * gives. No I/O: these are the bytes the HTTP layer would be handed.
 */
import { describe } from "vitest";
import type { CreateOptions } from "../../../runtime/core/options.js";
import type { ApiRequest } from "../../../runtime/core/request.js";
import type { ResourceDescriptor } from "../../../runtime/core/resource.js";
import { buildRequest, type ResourceCall } from "../../../runtime/core/resource-requests.js";
import { type Cases, runCases } from "../../support/cases.js";
import { deployments as deploymentsDescriptor } from "../../support/resources.js";

const deployments: ResourceDescriptor = deploymentsDescriptor;
const pods: ResourceDescriptor = {
  ...deployments,
  group: "",
  plural: "pods",
  singular: "pod",
  kind: "Pod",
  listKind: "PodList",
  subresources: ["binding", "ephemeralcontainers", "eviction", "log", "status"],
};
const serviceAccounts: ResourceDescriptor = {
  ...pods,
  plural: "serviceaccounts",
  singular: "serviceaccount",
  kind: "ServiceAccount",
  listKind: "ServiceAccountList",
  subresources: ["token"],
};
const nodes: ResourceDescriptor = {
  group: "",
  version: "v1",
  plural: "nodes",
  singular: "node",
  kind: "Node",
  listKind: "NodeList",
  namespaced: false,
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"],
  subresources: ["status"],
};
const clusterRoles: ResourceDescriptor = {
  ...nodes,
  group: "rbac.authorization.k8s.io",
  plural: "clusterroles",
  singular: "clusterrole",
  kind: "ClusterRole",
  listKind: "ClusterRoleList",
  subresources: [],
};

interface Given {
  resource: ResourceDescriptor;
  namespace?: string;
  call: ResourceCall;
}
type Want = ApiRequest | { error: string };

function run({ resource, namespace, call }: Given): Want {
  try {
    return buildRequest(resource, namespace, call);
  } catch (err) {
    return { error: (err as Error).message };
  }
}

const deploymentsNs = "/apis/apps/v1/namespaces/ns/deployments";
const podsNs = "/api/v1/namespaces/ns/pods";
const deleteOptions = { apiVersion: "meta.k8s.io/v1", kind: "DeleteOptions" };
const needsNamespace =
  "deployments.apps is namespaced: this call needs a namespace (the client was made for all namespaces)";

describe("get", () => {
  const cases: Cases<Given, Want> = [
    [
      "an object in the client's namespace; call options stay out of the query",
      {
        given: {
          resource: deployments,
          namespace: "ns",
          call: {
            verb: "get",
            name: "web",
            options: { resourceVersion: "0", signal: new AbortController().signal, timeout: 5 } as object,
          },
        },
        want: { method: "GET", path: `${deploymentsNs}/web`, query: { resourceVersion: "0" } },
      },
    ],
    [
      "a cluster-scoped object, in the core group",
      {
        given: { resource: nodes, call: { verb: "get", name: "node-1" } },
        want: { method: "GET", path: "/api/v1/nodes/node-1", query: {} },
      },
    ],
    [
      "an empty namespace is no namespace",
      {
        given: { resource: nodes, namespace: "", call: { verb: "get", name: "node-1" } },
        want: { method: "GET", path: "/api/v1/nodes/node-1", query: {} },
      },
    ],
    [
      "the status subresource",
      {
        given: {
          resource: deployments,
          namespace: "ns",
          call: { verb: "get", name: "web", subresource: "status" },
        },
        want: { method: "GET", path: `${deploymentsNs}/web/status`, query: {} },
      },
    ],
    [
      "the scale subresource, with resourceVersion",
      {
        given: {
          resource: deployments,
          namespace: "ns",
          call: { verb: "get", name: "web", subresource: "scale", options: { resourceVersion: "7" } },
        },
        want: { method: "GET", path: `${deploymentsNs}/web/scale`, query: { resourceVersion: "7" } },
      },
    ],
    [
      "a namespaced object needs a namespace",
      {
        given: { resource: deployments, call: { verb: "get", name: "web" } },
        want: { error: needsNamespace },
      },
    ],
    [
      "a cluster-scoped resource takes no namespace",
      {
        given: { resource: nodes, namespace: "ns", call: { verb: "get", name: "node-1" } },
        want: { error: "nodes.core is cluster-scoped: it takes no namespace" },
      },
    ],
  ];
  runCases(cases, run);
});

describe("list and watch", () => {
  const everyListOption = {
    labelSelector: "app=web,tier!=db",
    fieldSelector: "status.phase=Running",
    resourceVersion: "100",
    resourceVersionMatch: "NotOlderThan",
    limit: 50,
    continue: "token-1",
    timeoutSeconds: 30,
  } as const;
  const cases: Cases<Given, Want> = [
    [
      "a namespace's collection, every list option in the query",
      {
        given: { resource: deployments, namespace: "ns", call: { verb: "list", options: everyListOption } },
        want: { method: "GET", path: deploymentsNs, query: everyListOption },
      },
    ],
    [
      "all namespaces when the client has none",
      {
        given: { resource: deployments, call: { verb: "list", options: { labelSelector: "app=web" } } },
        want: { method: "GET", path: "/apis/apps/v1/deployments", query: { labelSelector: "app=web" } },
      },
    ],
    [
      "a cluster-scoped collection",
      {
        given: { resource: nodes, call: { verb: "list" } },
        want: { method: "GET", path: "/api/v1/nodes", query: {} },
      },
    ],
    [
      "a watch adds watch=true to the list options, bookmarks and initial events included",
      {
        given: {
          resource: deployments,
          namespace: "ns",
          call: {
            verb: "watch",
            options: {
              resourceVersion: "5",
              resourceVersionMatch: "NotOlderThan",
              allowWatchBookmarks: true,
              sendInitialEvents: true,
              timeoutSeconds: 60,
            },
          },
        },
        want: {
          method: "GET",
          path: deploymentsNs,
          query: {
            resourceVersion: "5",
            resourceVersionMatch: "NotOlderThan",
            allowWatchBookmarks: true,
            sendInitialEvents: true,
            timeoutSeconds: 60,
            watch: true,
          },
        },
      },
    ],
    [
      "a watch across all namespaces",
      {
        given: { resource: pods, call: { verb: "watch", options: { fieldSelector: "spec.nodeName=n1" } } },
        want: {
          method: "GET",
          path: "/api/v1/pods",
          query: { fieldSelector: "spec.nodeName=n1", watch: true },
        },
      },
    ],
  ];
  runCases(cases, run);
});

describe("create and update", () => {
  const writeOptions = {
    dryRun: ["All"],
    fieldManager: "me",
    fieldValidation: "Strict",
  } satisfies CreateOptions;
  const cases: Cases<Given, Want> = [
    [
      "create fills in apiVersion and kind; write options in the query",
      {
        given: {
          resource: deployments,
          namespace: "ns",
          call: { verb: "create", object: { metadata: { name: "web" } }, options: writeOptions },
        },
        want: {
          method: "POST",
          path: deploymentsNs,
          query: writeOptions,
          body: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" } },
        },
      },
    ],
    [
      "create keeps the object's own apiVersion and kind",
      {
        given: {
          resource: deployments,
          namespace: "ns",
          call: {
            verb: "create",
            object: { apiVersion: "apps/v1beta2", kind: "Other", metadata: { generateName: "w-" } },
          },
        },
        want: {
          method: "POST",
          path: deploymentsNs,
          query: {},
          body: { apiVersion: "apps/v1beta2", kind: "Other", metadata: { generateName: "w-" } },
        },
      },
    ],
    [
      "create from an all-namespaces client goes to the object's namespace",
      {
        given: {
          resource: deployments,
          call: { verb: "create", object: { metadata: { name: "web", namespace: "ns2" } } },
        },
        want: {
          method: "POST",
          path: "/apis/apps/v1/namespaces/ns2/deployments",
          query: {},
          body: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "ns2" } },
        },
      },
    ],
    [
      "create of a cluster-scoped object ignores a namespace in it",
      {
        given: {
          resource: nodes,
          call: { verb: "create", object: { metadata: { name: "n", namespace: "x" } } },
        },
        want: {
          method: "POST",
          path: "/api/v1/nodes",
          query: {},
          body: { apiVersion: "v1", kind: "Node", metadata: { name: "n", namespace: "x" } },
        },
      },
    ],
    [
      "create refuses an object from another namespace",
      {
        given: {
          resource: deployments,
          namespace: "ns",
          call: { verb: "create", object: { metadata: { name: "web", namespace: "other" } } },
        },
        want: { error: `object namespace "other" does not match the client's namespace "ns"` },
      },
    ],
    [
      "create needs a namespace from the client or the object",
      {
        given: { resource: deployments, call: { verb: "create", object: { metadata: { name: "web" } } } },
        want: { error: needsNamespace },
      },
    ],
    [
      "update puts the object at its own name, its resourceVersion kept",
      {
        given: {
          resource: deployments,
          namespace: "ns",
          call: {
            verb: "update",
            object: { metadata: { name: "web", resourceVersion: "7" } },
            options: { fieldManager: "me" },
          },
        },
        want: {
          method: "PUT",
          path: `${deploymentsNs}/web`,
          query: { fieldManager: "me" },
          body: {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "web", resourceVersion: "7" },
          },
        },
      },
    ],
    [
      "update of the status subresource",
      {
        given: {
          resource: deployments,
          namespace: "ns",
          call: { verb: "update", object: { metadata: { name: "web" } }, subresource: "status" },
        },
        want: {
          method: "PUT",
          path: `${deploymentsNs}/web/status`,
          query: {},
          body: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" } },
        },
      },
    ],
    [
      "update of another subresource (ephemeralcontainers)",
      {
        given: {
          resource: pods,
          namespace: "ns",
          call: { verb: "update", object: { metadata: { name: "p" } }, subresource: "ephemeralcontainers" },
        },
        want: {
          method: "PUT",
          path: `${podsNs}/p/ephemeralcontainers`,
          query: {},
          body: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" } },
        },
      },
    ],
    [
      "update of a cluster-scoped object",
      {
        given: { resource: nodes, call: { verb: "update", object: { metadata: { name: "n" } } } },
        want: {
          method: "PUT",
          path: "/api/v1/nodes/n",
          query: {},
          body: { apiVersion: "v1", kind: "Node", metadata: { name: "n" } },
        },
      },
    ],
    [
      "update needs metadata.name",
      {
        given: { resource: deployments, namespace: "ns", call: { verb: "update", object: { metadata: {} } } },
        want: { error: "update Deployment: metadata.name is required" },
      },
    ],
    [
      "update of a subresource names it in the error",
      {
        given: {
          resource: deployments,
          namespace: "ns",
          call: { verb: "update", object: {}, subresource: "status" },
        },
        want: { error: "update status of Deployment: metadata.name is required" },
      },
    ],
  ];
  runCases(cases, run);
});

describe("patch and apply", () => {
  const jsonPatch = [{ op: "replace", path: "/spec/replicas", value: 2 }];
  const cases: Cases<Given, Want> = [
    [
      "a merge patch by default, sent as it is",
      {
        given: {
          resource: deployments,
          namespace: "ns",
          call: { verb: "patch", name: "web", patch: { spec: { paused: null } } },
        },
        want: {
          method: "PATCH",
          path: `${deploymentsNs}/web`,
          query: {},
          body: { spec: { paused: null } },
          contentType: "application/merge-patch+json",
        },
      },
    ],
    [
      "a JSON patch, with dryRun and fieldManager",
      {
        given: {
          resource: deployments,
          namespace: "ns",
          call: {
            verb: "patch",
            name: "web",
            patch: jsonPatch,
            patchType: "application/json-patch+json",
            options: { dryRun: ["All"], fieldManager: "me" },
          },
        },
        want: {
          method: "PATCH",
          path: `${deploymentsNs}/web`,
          query: { dryRun: ["All"], fieldManager: "me" },
          body: jsonPatch,
          contentType: "application/json-patch+json",
        },
      },
    ],
    [
      "a strategic merge patch of the status subresource",
      {
        given: {
          resource: deployments,
          namespace: "ns",
          call: {
            verb: "patch",
            name: "web",
            subresource: "status",
            patch: { status: { replicas: 1 } },
            patchType: "application/strategic-merge-patch+json",
            options: { fieldValidation: "Warn" },
          },
        },
        want: {
          method: "PATCH",
          path: `${deploymentsNs}/web/status`,
          query: { fieldValidation: "Warn" },
          body: { status: { replicas: 1 } },
          contentType: "application/strategic-merge-patch+json",
        },
      },
    ],
    [
      "a patch of the scale subresource",
      {
        given: {
          resource: deployments,
          namespace: "ns",
          call: { verb: "patch", name: "web", subresource: "scale", patch: { spec: { replicas: 3 } } },
        },
        want: {
          method: "PATCH",
          path: `${deploymentsNs}/web/scale`,
          query: {},
          body: { spec: { replicas: 3 } },
          contentType: "application/merge-patch+json",
        },
      },
    ],
    [
      "a patch of a cluster-scoped object",
      {
        given: {
          resource: nodes,
          call: { verb: "patch", name: "n", patch: { spec: { unschedulable: true } } },
        },
        want: {
          method: "PATCH",
          path: "/api/v1/nodes/n",
          query: {},
          body: { spec: { unschedulable: true } },
          contentType: "application/merge-patch+json",
        },
      },
    ],
    [
      "apply: fieldManager and force in the query, type meta filled in, the apply content type",
      {
        given: {
          resource: deployments,
          namespace: "ns",
          call: {
            verb: "apply",
            object: { metadata: { name: "web" } },
            options: { fieldManager: "tool", force: true },
          },
        },
        want: {
          method: "PATCH",
          path: `${deploymentsNs}/web`,
          query: { fieldManager: "tool", force: true },
          body: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" } },
          contentType: "application/apply-patch+yaml",
        },
      },
    ],
    [
      "apply of the status subresource, in the configuration's namespace",
      {
        given: {
          resource: deployments,
          call: {
            verb: "apply",
            object: { metadata: { name: "web", namespace: "ns2" } },
            subresource: "status",
            options: { fieldManager: "tool", dryRun: ["All"] },
          },
        },
        want: {
          method: "PATCH",
          path: "/apis/apps/v1/namespaces/ns2/deployments/web/status",
          query: { fieldManager: "tool", dryRun: ["All"] },
          body: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "ns2" } },
          contentType: "application/apply-patch+yaml",
        },
      },
    ],
    [
      "apply needs metadata.name",
      {
        given: {
          resource: deployments,
          namespace: "ns",
          call: { verb: "apply", object: { metadata: {} }, options: { fieldManager: "tool" } },
        },
        want: { error: "apply Deployment: metadata.name is required" },
      },
    ],
  ];
  runCases(cases, run);
});

describe("delete", () => {
  const cases: Cases<Given, Want> = [
    [
      "delete options go in the body as a DeleteOptions object",
      {
        given: {
          resource: deployments,
          namespace: "ns",
          call: {
            verb: "delete",
            name: "web",
            options: {
              propagationPolicy: "Foreground",
              gracePeriodSeconds: 0,
              preconditions: { uid: "u-1", resourceVersion: "9" },
              dryRun: ["All"],
            },
          },
        },
        want: {
          method: "DELETE",
          path: `${deploymentsNs}/web`,
          query: {},
          body: {
            ...deleteOptions,
            propagationPolicy: "Foreground",
            gracePeriodSeconds: 0,
            preconditions: { uid: "u-1", resourceVersion: "9" },
            dryRun: ["All"],
          },
        },
      },
    ],
    [
      "a delete without options still sends an empty DeleteOptions",
      {
        given: { resource: nodes, call: { verb: "delete", name: "n" } },
        want: { method: "DELETE", path: "/api/v1/nodes/n", query: {}, body: deleteOptions },
      },
    ],
    [
      "deleteCollection: selectors in the query, delete options in the body",
      {
        given: {
          resource: deployments,
          namespace: "ns",
          call: {
            verb: "deleteCollection",
            options: {
              labelSelector: "app=web",
              fieldSelector: "metadata.name!=keep",
              propagationPolicy: "Background",
              gracePeriodSeconds: 5,
            },
          },
        },
        want: {
          method: "DELETE",
          path: deploymentsNs,
          query: { labelSelector: "app=web", fieldSelector: "metadata.name!=keep" },
          body: { ...deleteOptions, propagationPolicy: "Background", gracePeriodSeconds: 5 },
        },
      },
    ],
    [
      "deleteCollection across all namespaces",
      {
        given: { resource: pods, call: { verb: "deleteCollection", options: { limit: 10 } } },
        want: { method: "DELETE", path: "/api/v1/pods", query: { limit: 10 }, body: deleteOptions },
      },
    ],
  ];
  runCases(cases, run);
});

describe("subresources", () => {
  const cases: Cases<Given, Want> = [
    [
      "updateScale: an autoscaling/v1 Scale named by the call, in the client's namespace",
      {
        given: {
          resource: deployments,
          namespace: "ns",
          call: {
            verb: "updateScale",
            name: "web",
            scale: { metadata: { name: "ignored", resourceVersion: "3" }, spec: { replicas: 4 } },
            options: { fieldManager: "me" },
          },
        },
        want: {
          method: "PUT",
          path: `${deploymentsNs}/web/scale`,
          query: { fieldManager: "me" },
          body: {
            apiVersion: "autoscaling/v1",
            kind: "Scale",
            metadata: { name: "web", namespace: "ns", resourceVersion: "3" },
            spec: { replicas: 4 },
          },
        },
      },
    ],
    [
      "applyScale: the same Scale, sent as server-side apply",
      {
        given: {
          resource: deployments,
          namespace: "ns",
          call: {
            verb: "applyScale",
            name: "web",
            configuration: { metadata: { name: "web" }, spec: { replicas: 2 } },
            options: { fieldManager: "hpa", force: true },
          },
        },
        want: {
          method: "PATCH",
          path: `${deploymentsNs}/web/scale`,
          query: { fieldManager: "hpa", force: true },
          body: {
            apiVersion: "autoscaling/v1",
            kind: "Scale",
            metadata: { name: "web" },
            spec: { replicas: 2 },
          },
          contentType: "application/apply-patch+yaml",
        },
      },
    ],
    [
      "logs: the options are the query, without the call options",
      {
        given: {
          resource: pods,
          namespace: "ns",
          call: {
            verb: "logs",
            name: "p",
            options: {
              container: "app",
              follow: true,
              previous: false,
              sinceSeconds: 60,
              timestamps: true,
              tailLines: 10,
              limitBytes: 4096,
              signal: new AbortController().signal,
              timeout: 5,
            },
          },
        },
        want: {
          method: "GET",
          path: `${podsNs}/p/log`,
          query: {
            container: "app",
            follow: true,
            previous: false,
            sinceSeconds: 60,
            timestamps: true,
            tailLines: 10,
            limitBytes: 4096,
          },
        },
      },
    ],
    [
      "evict: a policy/v1 Eviction carrying the delete options",
      {
        given: {
          resource: pods,
          namespace: "ns",
          call: {
            verb: "evict",
            name: "p",
            deleteOptions: { gracePeriodSeconds: 30 },
            options: { dryRun: ["All"] },
          },
        },
        want: {
          method: "POST",
          path: `${podsNs}/p/eviction`,
          query: { dryRun: ["All"] },
          body: {
            apiVersion: "policy/v1",
            kind: "Eviction",
            metadata: { name: "p", namespace: "ns" },
            deleteOptions: { ...deleteOptions, gracePeriodSeconds: 30 },
          },
        },
      },
    ],
    [
      "createToken: an authentication.k8s.io/v1 TokenRequest",
      {
        given: {
          resource: serviceAccounts,
          namespace: "ns",
          call: {
            verb: "createToken",
            name: "default",
            request: { spec: { audiences: ["api"], expirationSeconds: 600 } } as object,
          },
        },
        want: {
          method: "POST",
          path: "/api/v1/namespaces/ns/serviceaccounts/default/token",
          query: {},
          body: {
            apiVersion: "authentication.k8s.io/v1",
            kind: "TokenRequest",
            spec: { audiences: ["api"], expirationSeconds: 600 },
          },
        },
      },
    ],
    [
      "bind: a v1 Binding named after the pod",
      {
        given: {
          resource: pods,
          namespace: "ns",
          call: { verb: "bind", name: "p", binding: { target: { kind: "Node", name: "n1" } } as object },
        },
        want: {
          method: "POST",
          path: `${podsNs}/p/binding`,
          query: {},
          body: {
            apiVersion: "v1",
            kind: "Binding",
            metadata: { name: "p" },
            target: { kind: "Node", name: "n1" },
          },
        },
      },
    ],
    [
      "createSubresource: any body to any subresource, as it is",
      {
        given: {
          resource: pods,
          namespace: "ns",
          call: { verb: "createSubresource", name: "p", subresource: "eviction", body: "raw", options: {} },
        },
        want: { method: "POST", path: `${podsNs}/p/eviction`, query: {}, body: "raw" },
      },
    ],
  ];
  runCases(cases, run);
});

describe("path segments", () => {
  const invalid = `may not be empty, "." or "..", or contain "/" or "%"`;
  const cases: Cases<Given, Want> = [
    [
      "a name with colons (RBAC's system: names) stays as it is",
      {
        given: { resource: clusterRoles, call: { verb: "get", name: "system:node-proxier" } },
        want: {
          method: "GET",
          path: "/apis/rbac.authorization.k8s.io/v1/clusterroles/system:node-proxier",
          query: {},
        },
      },
    ],
    [
      "a name with dots stays as it is",
      {
        given: { resource: deployments, namespace: "kube-system", call: { verb: "get", name: "a.b.c" } },
        want: { method: "GET", path: "/apis/apps/v1/namespaces/kube-system/deployments/a.b.c", query: {} },
      },
    ],
    [
      "a ? or # in a name is escaped, so it stays in the path (Go's url.PathEscape)",
      {
        given: { resource: deployments, namespace: "ns", call: { verb: "get", name: "a?b#c d" } },
        want: { method: "GET", path: "/apis/apps/v1/namespaces/ns/deployments/a%3Fb%23c%20d", query: {} },
      },
    ],
    [
      "a name with a slash is refused",
      {
        given: { resource: deployments, namespace: "ns", call: { verb: "get", name: "a/b" } },
        want: { error: `invalid name "a/b": ${invalid}` },
      },
    ],
    [
      "an escaped name is refused rather than escaped twice",
      {
        given: { resource: deployments, namespace: "ns", call: { verb: "delete", name: "a%2Fb" } },
        want: { error: `invalid name "a%2Fb": ${invalid}` },
      },
    ],
    [
      "a name of .. is refused",
      {
        given: { resource: nodes, call: { verb: "patch", name: "..", patch: {} } },
        want: { error: `invalid name "..": ${invalid}` },
      },
    ],
    [
      "an empty name is refused",
      {
        given: { resource: nodes, call: { verb: "get", name: "" } },
        want: { error: `invalid name "": ${invalid}` },
      },
    ],
    [
      "a namespace with a slash is refused",
      {
        given: { resource: deployments, namespace: "a/b", call: { verb: "list" } },
        want: { error: `invalid namespace "a/b": ${invalid}` },
      },
    ],
    [
      "an object's own namespace is checked too",
      {
        given: { resource: deployments, call: { verb: "create", object: { metadata: { namespace: "." } } } },
        want: { error: `invalid namespace ".": ${invalid}` },
      },
    ],
    [
      "a subresource with a slash is refused",
      {
        given: {
          resource: deployments,
          namespace: "ns",
          call: { verb: "get", name: "web", subresource: "x/y" },
        },
        want: { error: `invalid subresource "x/y": ${invalid}` },
      },
    ],
  ];
  runCases(cases, run);
});
