import { describe, expect, it } from "vitest";
import {
  fromUnstructured,
  nestedField,
  nestedNumber,
  nestedString,
  removeNestedField,
  setNestedField,
  toUnstructured,
} from "../../../runtime/clients/unstructured.js";

describe("unstructured helpers", () => {
  it("reads, sets and removes nested fields", () => {
    const obj: Record<string, unknown> = { apiVersion: "v1", kind: "Pod", spec: { replicas: 2, name: "x" } };
    expect(nestedField(obj, "spec", "replicas")).toBe(2);
    expect(nestedField(obj, "spec", "missing", "deeper")).toBeUndefined();
    expect(nestedString(obj, "spec", "name")).toBe("x");
    expect(() => nestedString(obj, "spec", "replicas")).toThrow(/spec.replicas is number, not a string/);
    expect(nestedNumber(obj, "spec", "replicas")).toBe(2);
    setNestedField(obj, "v", "metadata", "labels", "app");
    expect(obj.metadata).toEqual({ labels: { app: "v" } });
    expect(() => setNestedField(obj, 1, "spec", "name", "inner")).toThrow(/name is not an object/);
    removeNestedField(obj, "spec", "name");
    expect(obj.spec).toEqual({ replicas: 2 });
  });

  it("converts with a check of apiVersion and kind, copying", () => {
    const u = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" } };
    const typed = fromUnstructured<{ apiVersion?: string; kind?: string; metadata?: { name?: string } }>(u, {
      apiVersion: "v1",
      kind: "Pod",
    });
    expect(typed).toEqual(u);
    expect(typed).not.toBe(u);
    expect(() => fromUnstructured(u, { apiVersion: "apps/v1", kind: "Pod" })).toThrow(
      /expected apps\/v1 Pod, got v1 Pod \(p\)/,
    );
    expect(toUnstructured(u)).toEqual(u);
    expect(() => toUnstructured({ kind: "Pod" })).toThrow(/needs apiVersion and kind/);
  });
});
