/**
 * OpenAPI documents → model: module paths that never collide, client names, strategic merge
 * support read from the patch operation, and `metav1.Time` fields typed as nullable.
 */
import { describe, expect, it } from "vitest";
import type { LoadedDocument, OpenApiDocument, SchemaObject } from "../../../generator/load/openapi-v3.js";
import type { Module } from "../../../generator/model/ir.js";
import { modelFromOpenApi } from "../../../generator/normalize/from-openapi.js";

const timeId = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";

/** A document serving one kind (`plural`) of a group-version, its schema under `schemaId`. */
function served(
  group: string,
  version: string,
  kind: string,
  plural: string,
  schemaId: string,
  options: { strategicMerge?: boolean; properties?: Record<string, SchemaObject> } = {},
): LoadedDocument {
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const gvk = { group, version, kind };
  const ref = { $ref: `#/components/schemas/${schemaId}` };
  const patchTypes = ["application/merge-patch+json", "application/json-patch+json"];
  if (options.strategicMerge) patchTypes.push("application/strategic-merge-patch+json");
  const document: OpenApiDocument = {
    paths: {
      [`${prefix}/namespaces/{namespace}/${plural}`]: {
        get: {
          "x-kubernetes-action": "list",
          "x-kubernetes-group-version-kind": gvk,
          responses: { "200": { content: { "application/json": { schema: ref } } } },
        },
      },
      [`${prefix}/namespaces/{namespace}/${plural}/{name}`]: {
        get: { "x-kubernetes-action": "get", "x-kubernetes-group-version-kind": gvk },
        patch: {
          "x-kubernetes-action": "patch",
          "x-kubernetes-group-version-kind": gvk,
          requestBody: { content: Object.fromEntries(patchTypes.map((t) => [t, { schema: {} }])) },
        },
      },
    },
    components: {
      schemas: {
        [schemaId]: {
          type: "object",
          "x-kubernetes-group-version-kind": [gvk],
          properties: { spec: { type: "string" }, ...options.properties },
        },
        [timeId]: { type: "string", format: "date-time" },
      },
    },
  };
  return { source: `${group || "core"}-${version}.json`, document };
}

const byPath = (modules: Module[]) => Object.fromEntries(modules.map((m) => [m.path, m]));

describe("module paths", () => {
  it("gives a non-Kubernetes group its full name, so it never collides with a built-in one", () => {
    const model = modelFromOpenApi([
      served("networking.k8s.io", "v1", "Ingress", "ingresses", "io.k8s.api.networking.v1.Ingress"),
      served(
        "networking.istio.io",
        "v1",
        "VirtualService",
        "virtualservices",
        "io.istio.networking.v1.VirtualService",
      ),
    ]);
    const modules = byPath(model.modules);
    expect(Object.keys(modules)).toEqual(["networking.istio.io/v1", "networking/v1"]);
    expect(modules["networking/v1"]!.groupVersion).toEqual({
      group: "networking.k8s.io",
      version: "v1",
      clientName: "networkingV1",
    });
    // The first label would clash with the built-in networkingV1: the whole group names it.
    expect(modules["networking.istio.io/v1"]!.groupVersion?.clientName).toBe("networkingIstioIoV1");
  });

  it("names a full-group module after its first label when nothing else wants that name", () => {
    const model = modelFromOpenApi([
      served("cert-manager.io", "v1", "Certificate", "certificates", "io.cert-manager.v1.Certificate"),
    ]);
    expect(byPath(model.modules)["cert-manager.io/v1"]!.groupVersion?.clientName).toBe("certManagerV1");
  });

  it("keeps client-go style paths for built-in groups and shared packages", () => {
    const model = modelFromOpenApi([
      served("", "v1", "Pod", "pods", "io.k8s.api.core.v1.Pod"),
      served("rbac.authorization.k8s.io", "v1", "Role", "roles", "io.k8s.api.rbac.v1.Role"),
    ]);
    expect(model.modules.map((m) => m.path)).toEqual(["core/v1", "rbac/v1"]);
  });

  it("resolves two unserved packages that want one path by a fixed rule, never by failing", () => {
    const first = served("a.k8s.io", "v1", "A", "as", "io.k8s.api.a.v1.A");
    first.document.components!.schemas!["io.k8s.api.shared.v1.Thing"] = { type: "string" };
    first.document.components!.schemas!["io.other.shared.v1.Thing"] = { type: "number" };
    const schema = first.document.components!.schemas!["io.k8s.api.a.v1.A"]!;
    schema.properties!.one = { $ref: "#/components/schemas/io.k8s.api.shared.v1.Thing" };
    schema.properties!.two = { $ref: "#/components/schemas/io.other.shared.v1.Thing" };
    const model = modelFromOpenApi([first]);
    expect(model.modules.map((m) => m.path)).toEqual(["a/v1", "io.other.shared/v1", "shared/v1"]);
  });
});

describe("resources and fields", () => {
  it("offers strategic merge patch only where the patch operation accepts it", () => {
    const model = modelFromOpenApi([
      served("apps", "v1", "Deployment", "deployments", "io.k8s.api.apps.v1.Deployment", {
        strategicMerge: true,
      }),
      served("example.dev", "v1", "Widget", "widgets", "dev.example.v1.Widget"),
    ]);
    const modules = byPath(model.modules);
    expect(modules["apps/v1"]!.resources[0]!.strategicMergePatch).toBe(true);
    expect(modules["example.dev/v1"]!.resources[0]!.strategicMergePatch).toBeUndefined();
  });

  it("types every metav1.Time field as nullable: its zero value is sent as null", () => {
    const model = modelFromOpenApi([
      served("", "v1", "Event", "events", "io.k8s.api.core.v1.Event", {
        properties: { firstTimestamp: { $ref: `#/components/schemas/${timeId}` } },
      }),
    ]);
    const event = byPath(model.modules)["core/v1"]!.types.find((t) => t.name === "Event")!;
    if (event.shape.kind !== "object") throw new Error("Event is an object");
    expect(event.shape.properties.find((p) => p.name === "firstTimestamp")!.shape).toEqual({
      kind: "nullable",
      inner: { kind: "ref", ref: { module: "meta/v1", name: "Time" } },
    });
  });
});
