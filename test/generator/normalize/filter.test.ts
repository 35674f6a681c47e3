/** `--include` / `--exclude`: pattern matching, and pruning that keeps what kept resources use. */
import { describe, expect, it } from "vitest";
import type { ApiModel } from "../../../generator/model/ir.js";
import { filterModel, matchesPattern } from "../../../generator/normalize/filter.js";
import { type Cases, runCases } from "../../support/cases.js";

describe("matchesPattern", () => {
  const cases: Cases<[string, string, string, string], boolean> = [
    ["group", { given: ["apps", "apps", "v1", "deployments"], want: true }],
    ["core names the legacy group", { given: ["core/v1", "", "v1", "pods"], want: true }],
    ["other group", { given: ["batch", "apps", "v1", "deployments"], want: false }],
    ["group/version", { given: ["apps/v1", "apps", "v1beta1", "deployments"], want: false }],
    ["resource", { given: ["apps/v1/deployments", "apps", "v1", "deployments"], want: true }],
    ["wildcard group", { given: ["*/v1alpha1", "resource.k8s.io", "v1alpha1", "x"], want: true }],
  ];
  runCases(cases, ([pattern, g, v, r]) => matchesPattern(pattern, g, v, r));

  it("rejects a malformed pattern", () => {
    expect(() => matchesPattern("a//b", "", "")).toThrow(/filter "a\/\/b": expected group/);
  });
});

describe("filterModel", () => {
  const model: ApiModel = {
    modules: [
      {
        path: "apps/v1",
        groupVersion: { group: "apps", version: "v1", clientName: "appsV1" },
        stability: "stable",
        source: "t",
        types: [
          {
            name: "Deployment",
            origin: "t",
            shape: {
              kind: "object",
              open: false,
              properties: [
                {
                  name: "template",
                  required: false,
                  shape: { kind: "ref", ref: { module: "core/v1", name: "PodTemplateSpec" } },
                },
              ],
            },
          },
        ],
        resources: [
          {
            accessor: "deployments",
            plural: "deployments",
            singular: "deployment",
            kind: "Deployment",
            listKind: "DeploymentList",
            namespaced: true,
            verbs: ["get"],
            subresources: [],
            shortNames: [],
            categories: [],
            objectType: { module: "apps/v1", name: "Deployment" },
            listType: { module: "apps/v1", name: "Deployment" },
          },
        ],
      },
      {
        path: "core/v1",
        groupVersion: { group: "", version: "v1", clientName: "coreV1" },
        stability: "stable",
        source: "t",
        types: [
          { name: "PodTemplateSpec", origin: "t", shape: { kind: "object", open: false, properties: [] } },
          { name: "Pod", origin: "t", shape: { kind: "object", open: false, properties: [] } },
          { name: "ConfigMap", origin: "t", shape: { kind: "object", open: false, properties: [] } },
        ],
        resources: [
          {
            accessor: "pods",
            plural: "pods",
            singular: "pod",
            kind: "Pod",
            listKind: "PodList",
            namespaced: true,
            verbs: ["get"],
            subresources: [],
            shortNames: [],
            categories: [],
            objectType: { module: "core/v1", name: "Pod" },
            listType: { module: "core/v1", name: "Pod" },
          },
          {
            accessor: "configMaps",
            plural: "configmaps",
            singular: "configmap",
            kind: "ConfigMap",
            listKind: "ConfigMapList",
            namespaced: true,
            verbs: ["get"],
            subresources: [],
            shortNames: [],
            categories: [],
            objectType: { module: "core/v1", name: "ConfigMap" },
            listType: { module: "core/v1", name: "ConfigMap" },
          },
        ],
      },
    ],
  };

  it("excluding a group-version keeps the types others refer to, and drops its client", () => {
    const out = filterModel(model, { exclude: ["core"] });
    const core = out.modules.find((m) => m.path === "core/v1")!;
    expect(core.groupVersion).toBeUndefined();
    expect(core.types.map((t) => t.name)).toEqual(["PodTemplateSpec"]);
  });

  it("include keeps only what matches", () => {
    const out = filterModel(model, { include: ["core/v1/pods"] });
    expect(out.modules.map((m) => m.path)).toEqual(["core/v1"]);
  });

  it("a group-version narrowed to one resource keeps only the types that resource reaches", () => {
    const out = filterModel(model, { include: ["core/v1/configmaps"] });
    const core = out.modules.find((m) => m.path === "core/v1")!;
    expect(core.resources.map((r) => r.plural)).toEqual(["configmaps"]);
    expect(core.types.map((t) => t.name)).toEqual(["ConfigMap"]);
  });

  it("a group-version kept whole keeps every type", () => {
    const out = filterModel(model, { exclude: ["apps"] });
    const core = out.modules.find((m) => m.path === "core/v1")!;
    expect(core.types.map((t) => t.name)).toEqual(["PodTemplateSpec", "Pod", "ConfigMap"]);
  });

  it("no filters is the identity", () => {
    expect(filterModel(model, {})).toBe(model);
  });
});
