import { describe, expect, it } from "vitest";
import {
  formatGroupKind,
  formatGroupResource,
  formatGroupVersion,
  formatGroupVersionKind,
  formatGroupVersionResource,
  groupVersionKindOf,
  parseGroupResource,
  parseGroupVersion,
  parseGroupVersionKind,
  parseResourceArg,
  sameGroupVersion,
} from "../../../runtime/core/group-version.js";
import { type Cases, runCases } from "../../support/cases.js";

describe("parseGroupVersion", () => {
  const cases: Cases<string, unknown> = [
    ["group/version", { given: "apps/v1", want: { group: "apps", version: "v1" } }],
    ["core group", { given: "v1", want: { group: "", version: "v1" } }],
    [
      "dotted group",
      { given: "rbac.authorization.k8s.io/v1", want: { group: "rbac.authorization.k8s.io", version: "v1" } },
    ],
    ["empty", { given: "", want: { group: "", version: "" } }],
  ];
  runCases(cases, parseGroupVersion);

  it("rejects two slashes", () => {
    expect(() => parseGroupVersion("a/b/c")).toThrow(/unexpected GroupVersion string/);
  });
});

describe("resource and kind strings", () => {
  const cases: Cases<string, unknown> = [
    [
      "resource.group",
      { given: "deployments.apps", want: { groupResource: { resource: "deployments", group: "apps" } } },
    ],
    [
      "resource.version.group",
      {
        given: "deployments.v1.apps",
        want: { groupResource: { resource: "deployments", group: "apps" }, version: "v1" },
      },
    ],
    ["bare resource", { given: "pods", want: { groupResource: { resource: "pods", group: "" } } }],
    [
      "dotted group, no version",
      {
        given: "certificates.cert-manager.io",
        want: { groupResource: { resource: "certificates", group: "cert-manager.io" } },
      },
    ],
  ];
  runCases(cases, parseResourceArg);

  it("formats as client-go prints them", () => {
    expect(formatGroupVersion({ group: "", version: "v1" })).toBe("v1");
    expect(formatGroupVersion({ group: "apps", version: "v1" })).toBe("apps/v1");
    expect(formatGroupResource({ group: "apps", resource: "deployments" })).toBe("deployments.apps");
    expect(formatGroupKind({ group: "", kind: "Pod" })).toBe("Pod");
    expect(groupVersionKindOf({ apiVersion: "batch/v1", kind: "Job" })).toEqual({
      group: "batch",
      version: "v1",
      kind: "Job",
    });
    expect(() => groupVersionKindOf({ kind: "Job" })).toThrow(/no apiVersion/);
  });
});

describe("GroupVersionKind / GroupResource helpers", () => {
  it("parses and prints as apimachinery's schema package", () => {
    expect(parseGroupVersionKind("apps/v1", "Deployment")).toEqual({
      group: "apps",
      version: "v1",
      kind: "Deployment",
    });
    expect(() => parseGroupVersionKind("apps/v1", "")).toThrow(/missing kind/);
    expect(parseGroupResource("deployments.apps")).toEqual({ group: "apps", resource: "deployments" });
    expect(parseGroupResource("certificates.cert-manager.io")).toEqual({
      group: "cert-manager.io",
      resource: "certificates",
    });
    expect(parseGroupResource("pods")).toEqual({ group: "", resource: "pods" });
    expect(formatGroupVersionKind({ group: "apps", version: "v1", kind: "Deployment" })).toBe(
      "apps/v1, Kind=Deployment",
    );
    expect(formatGroupVersionResource({ group: "", version: "v1", resource: "pods" })).toBe(
      "v1, Resource=pods",
    );
    expect(sameGroupVersion({ group: "apps", version: "v1" }, { group: "apps", version: "v1" })).toBe(true);
    expect(sameGroupVersion({ group: "apps", version: "v1" }, { group: "", version: "v1" })).toBe(false);
  });
});
