import { describe, expect, it } from "vitest";
import { NamespaceableResourceClient } from "../../../runtime/clients/dynamic.js";
import {
  fromUnstructured,
  nestedField,
  nestedNumber,
  nestedString,
  removeNestedField,
  setNestedField,
  toUnstructured,
  type Unstructured,
  withItemTypeMeta,
} from "../../../runtime/clients/unstructured.js";
import { RecordingCaller } from "./fake-caller.js";

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

  it("treat __proto__, constructor and prototype as ordinary keys, as JSON.parse does", () => {
    const before = Object.getOwnPropertyNames(Object.prototype);
    const set: Record<string, unknown> = {};
    setNestedField(set, "v", "__proto__", "x");
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(Object.getPrototypeOf(set)).toBe(Object.prototype);
    expect(JSON.stringify(set)).toBe('{"__proto__":{"x":"v"}}');
    expect(set).toEqual(JSON.parse('{"__proto__":{"x":"v"}}'));
    expect(nestedField(set, "__proto__", "x")).toBe("v");

    removeNestedField({}, "__proto__", "hasOwnProperty");
    removeNestedField({}, "constructor", "prototype", "toString");
    expect(typeof Object.prototype.hasOwnProperty).toBe("function");
    expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(before);

    // Inherited members are not fields: nothing to read, and writing one makes an own field.
    expect(nestedField({}, "constructor")).toBeUndefined();
    expect(nestedField({}, "__proto__")).toBeUndefined();
    expect(nestedString({}, "toString")).toBeUndefined();
    const obj: Record<string, unknown> = {};
    setNestedField(obj, 1, "constructor", "prototype", "polluted");
    expect(JSON.stringify(obj)).toBe('{"constructor":{"prototype":{"polluted":1}}}');
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    removeNestedField(obj, "constructor", "prototype", "polluted");
    expect(JSON.stringify(obj)).toBe('{"constructor":{"prototype":{}}}');

    // An own __proto__ from JSON is read and removed like any field.
    const parsed = JSON.parse('{"__proto__":{"a":1}}') as Record<string, unknown>;
    expect(nestedField(parsed, "__proto__", "a")).toBe(1);
    removeNestedField(parsed, "__proto__");
    expect(JSON.stringify(parsed)).toBe("{}");
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

describe("list items' apiVersion and kind", () => {
  const deploymentList = () => ({
    apiVersion: "apps/v1",
    kind: "DeploymentList",
    metadata: { resourceVersion: "9" },
    items: [
      { metadata: { name: "a" }, spec: { replicas: 1 } },
      { apiVersion: "apps/v1beta9", kind: "Odd", metadata: { name: "b" } },
    ] as Unstructured[],
  });

  it("come from the list for items that have neither (the item copied, the others kept)", () => {
    const list = deploymentList();
    const filled = withItemTypeMeta(list);
    expect(filled).toEqual({
      ...list,
      items: [
        { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "a" }, spec: { replicas: 1 } },
        { apiVersion: "apps/v1beta9", kind: "Odd", metadata: { name: "b" } },
      ],
    });
    expect(list.items[0]).not.toHaveProperty("kind");
    expect(filled.items[1]).toBe(list.items[1]);
    const typed = fromUnstructured<{ kind?: string; spec?: { replicas?: number } }>(filled.items[0]!, {
      apiVersion: "apps/v1",
      kind: "Deployment",
    });
    expect(typed.spec?.replicas).toBe(1);
    // Nothing to go by: a kind that is no list kind, or no apiVersion.
    const generic = { apiVersion: "v1", kind: "List", items: [{ metadata: {} }] };
    expect(withItemTypeMeta(generic)).toBe(generic);
    const bare = { kind: "PodList", items: [{ metadata: {} }] };
    expect(withItemTypeMeta(bare)).toBe(bare);
  });

  it("are filled by the dynamic client's list, pages, items and deleteCollection", async () => {
    const caller = new RecordingCaller();
    const client = new NamespaceableResourceClient(caller, {
      group: "apps",
      version: "v1",
      resource: "deployments",
    });
    caller.answers.push(deploymentList());
    expect((await client.list()).items.map((i) => i.kind)).toEqual(["Deployment", "Odd"]);
    caller.answers.push(deploymentList());
    const kinds: (string | undefined)[] = [];
    for await (const item of client.namespace("ns").items()) kinds.push(item.kind);
    expect(kinds).toEqual(["Deployment", "Odd"]);
    caller.answers.push(deploymentList());
    const deleted = await client.namespace("ns").deleteCollection();
    expect("items" in deleted && deleted.items[0]?.kind).toBe("Deployment");
    caller.answers.push({ kind: "Status", apiVersion: "v1", status: "Success" });
    expect(await client.namespace("ns").deleteCollection()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      status: "Success",
    });
  });
});
