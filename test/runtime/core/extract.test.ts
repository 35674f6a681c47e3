/**
 * `extract` over hand-written managedFields: each FieldsV1 key kind (`f:`, `k:`, `v:`, `i:`, `.`),
 * leaves owning whole values, list items keeping their keys, the manager and subresource chosen
 * by the entry. The real apiserver's side is test/e2e/apply-extract.test.ts.
 */
import { describe, expect, it } from "vitest";
import { extract, type ManagedFieldsEntry } from "../../../runtime/core/extract.js";
import type { KubeObject } from "../../../runtime/core/object.js";
import { type Cases, runCases } from "../../support/cases.js";

const object = (managedFields: ManagedFieldsEntry[], rest: Record<string, unknown> = {}): KubeObject =>
  ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "web",
      namespace: "ns",
      labels: { a: "1", b: "2" },
      finalizers: ["x", "y"],
      managedFields,
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "web" } },
      template: {
        spec: {
          containers: [
            { name: "app", image: "app:1", ports: [{ containerPort: 80, protocol: "TCP", name: "http" }] },
            { name: "side", image: "side:1" },
          ],
        },
      },
    },
    status: { replicas: 3, conditions: [{ type: "Available", status: "True" }] },
    ...rest,
  }) as KubeObject;

const apply = (
  fieldsV1: Record<string, unknown>,
  extra: Partial<ManagedFieldsEntry> = {},
): ManagedFieldsEntry => ({
  manager: "me",
  operation: "Apply",
  fieldsType: "FieldsV1",
  fieldsV1,
  ...extra,
});

const base = { apiVersion: "apps/v1", kind: "Deployment" };

describe("extract", () => {
  const cases: Cases<{ entries: ManagedFieldsEntry[]; subresource?: string }, unknown> = [
    [
      "a leaf owns the whole value; a map's own fields are picked",
      {
        given: {
          entries: [
            apply({ "f:metadata": { "f:labels": { ".": {}, "f:a": {} } }, "f:spec": { "f:selector": {} } }),
          ],
        },
        want: {
          ...base,
          metadata: { name: "web", namespace: "ns", labels: { a: "1" } },
          spec: { selector: { matchLabels: { app: "web" } } },
        },
      },
    ],
    [
      "list-map items by their keys, which come with them; nested list maps too",
      {
        given: {
          entries: [
            apply({
              "f:spec": {
                "f:template": {
                  "f:spec": {
                    "f:containers": {
                      'k:{"name":"app"}': {
                        ".": {},
                        "f:image": {},
                        "f:ports": { 'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:name": {} } },
                      },
                      'k:{"name":"gone"}': { ".": {}, "f:image": {} },
                    },
                  },
                },
              },
            }),
          ],
        },
        want: {
          ...base,
          metadata: { name: "web", namespace: "ns" },
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: "app",
                    image: "app:1",
                    ports: [{ containerPort: 80, protocol: "TCP", name: "http" }],
                  },
                ],
              },
            },
          },
        },
      },
    ],
    [
      "set values (v:) and list indexes (i:)",
      {
        given: {
          entries: [
            apply({
              "f:metadata": { "f:finalizers": { ".": {}, 'v:"y"': {}, 'v:"absent"': {} } },
              "f:spec": { "f:template": { "f:spec": { "f:containers": { "i:1": {} } } } },
            }),
          ],
        },
        want: {
          ...base,
          metadata: { name: "web", namespace: "ns", finalizers: ["y"] },
          spec: { template: { spec: { containers: [{ name: "side", image: "side:1" }] } } },
        },
      },
    ],
    [
      "`.` alone owns a map's existence, not its content",
      {
        given: { entries: [apply({ "f:metadata": { "f:labels": { ".": {} } } })] },
        want: { ...base, metadata: { name: "web", namespace: "ns", labels: {} } },
      },
    ],
    [
      "only the manager's Apply entry for the asked subresource counts",
      {
        given: {
          entries: [
            apply({ "f:spec": { "f:replicas": {} } }, { operation: "Update" }),
            apply({ "f:spec": { "f:replicas": {} } }, { manager: "other" }),
            apply({ "f:status": { "f:replicas": {} } }, { subresource: "status" }),
          ],
          subresource: "status",
        },
        want: { ...base, metadata: { name: "web", namespace: "ns" }, status: { replicas: 3 } },
      },
    ],
    [
      "no entry: type meta, name and namespace only",
      {
        given: { entries: [apply({ "f:spec": { "f:replicas": {} } }, { operation: "Update" })] },
        want: { ...base, metadata: { name: "web", namespace: "ns" } },
      },
    ],
  ];
  runCases(cases, ({ entries, subresource }) => extract(object(entries), "me", subresource));

  it("names an unreadable key instead of guessing", () => {
    const obj = object([
      apply({ "f:spec": { "f:template": { "f:spec": { "f:containers": { "k:{oops": {} } } } } }),
    ]);
    expect(() => extract(obj, "me")).toThrow(/unreadable key "k:\{oops"/);
  });

  it("does not share state with the object", () => {
    const obj = object([apply({ "f:spec": { "f:selector": {} } })]);
    const out = extract(obj, "me") as unknown as {
      spec: { selector: { matchLabels: Record<string, string> } };
    };
    out.spec.selector.matchLabels.app = "changed";
    expect(
      (obj as { spec: { selector: { matchLabels: Record<string, string> } } }).spec.selector.matchLabels.app,
    ).toBe("web");
  });
});
