/**
 * Server-side apply and field ownership in the fake apiserver, beyond the conformance suite: the
 * FieldsV1 sets it records are the ones the real apiserver records for the same writes (taken from
 * kube-apiserver v1.37), conflicts are worded as the apiserver words them, and the defaults and
 * refusals (no fieldManager, a wrong kind) match.
 */
import { describe, expect, it } from "vitest";
import { FakeClientset } from "../../../generated/kubernetes/fake.js";
import { extract } from "../../../runtime/core/extract.js";
import { isStatusError, type StatusError } from "../../../runtime/errors.js";
import { FakeApiServer } from "../../../runtime/testing/fake-apiserver.js";
import { resourcesOf } from "../../../runtime/testing/fake-clientset.js";
import { conflictMessage, printPath } from "../../../runtime/testing/field-manager.js";
import { FakeClientset as FakeCrdClientset } from "../../generator/__snapshots__/builtin-types/fake.js";
import { Clientset as CrdClientset } from "../../generator/__snapshots__/builtin-types/index.js";
import { patchMeta as crdPatchMeta } from "../../generator/__snapshots__/builtin-types/patch-meta.js";

const reduce = (entries: unknown) =>
  (
    entries as { manager: string; operation: string; fieldsV1: unknown; subresource?: string }[] | undefined
  )?.map((e) => ({
    manager: e.manager,
    operation: e.operation,
    fieldsV1: e.fieldsV1,
    ...(e.subresource ? { subresource: e.subresource } : {}),
  }));

async function failure(call: Promise<unknown>): Promise<StatusError> {
  try {
    await call;
  } catch (err) {
    if (isStatusError(err)) return err;
    throw err;
  }
  throw new Error("the call succeeded; a failure was expected");
}

describe("field ownership in the fake apiserver", () => {
  it("records Update entries for creates and updates, as the apiserver does", async () => {
    const cms = new FakeClientset().coreV1.configMaps("default");
    const made = await cms.create({ metadata: { name: "u2" }, data: { k: "v" } }, { fieldManager: "suite" });
    expect(reduce(made.metadata?.managedFields)).toEqual([
      { manager: "suite", operation: "Update", fieldsV1: { "f:data": { ".": {}, "f:k": {} } } },
    ]);
    const updated = await cms.update(
      { ...made, data: { k: "v", j: "w" }, metadata: { ...made.metadata, labels: { x: "y" } } },
      { fieldManager: "upd" },
    );
    expect(reduce(updated.metadata?.managedFields)).toEqual([
      { manager: "suite", operation: "Update", fieldsV1: { "f:data": { ".": {}, "f:k": {} } } },
      {
        manager: "upd",
        operation: "Update",
        fieldsV1: { "f:data": { "f:j": {} }, "f:metadata": { "f:labels": { ".": {}, "f:x": {} } } },
      },
    ]);
    // A write that removes a field takes it from its owner.
    const removed = await cms.patch("u2", { data: { k: null } }, undefined, { fieldManager: "upd" });
    expect(reduce(removed.metadata?.managedFields)).toEqual([
      { manager: "suite", operation: "Update", fieldsV1: { "f:data": { ".": {} } } },
      {
        manager: "upd",
        operation: "Update",
        fieldsV1: { "f:data": { "f:j": {} }, "f:metadata": { "f:labels": { ".": {}, "f:x": {} } } },
      },
    ]);
  });

  it("defaults the manager from the User-Agent", async () => {
    const made = await new FakeClientset().coreV1
      .configMaps("default")
      .create({ metadata: { name: "ua" }, data: { k: "v" } });
    expect(made.metadata?.managedFields?.[0]?.manager).toBe("kubegen");
  });

  it("applies: keyed lists by item, sets by value; the FieldsV1 the apiserver records", async () => {
    const deployments = new FakeClientset().appsV1.deployments("default");
    const applied = await deployments.apply(
      {
        metadata: { name: "d", finalizers: ["example.com/a"] },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: "d" } },
          template: {
            metadata: { labels: { app: "d" } },
            spec: { containers: [{ name: "c", image: "i:1", args: ["a"] }] },
          },
        },
      },
      { fieldManager: "alpha" },
    );
    expect(reduce(applied.metadata?.managedFields)).toEqual([
      {
        manager: "alpha",
        operation: "Apply",
        fieldsV1: {
          "f:metadata": { "f:finalizers": { 'v:"example.com/a"': {} } },
          "f:spec": {
            "f:replicas": {},
            // A LabelSelector is an atomic struct: owned whole.
            "f:selector": {},
            "f:template": {
              "f:metadata": { "f:labels": { "f:app": {} } },
              "f:spec": {
                "f:containers": { 'k:{"name":"c"}': { ".": {}, "f:args": {}, "f:image": {}, "f:name": {} } },
              },
            },
          },
        },
      },
    ]);
    const status = await deployments.applyStatus(
      {
        metadata: { name: "d" },
        status: { observedGeneration: 1, conditions: [{ type: "Progressing", status: "True" }] },
      },
      { fieldManager: "st" },
    );
    expect(reduce(status.metadata?.managedFields)?.[1]).toEqual({
      manager: "st",
      operation: "Apply",
      subresource: "status",
      fieldsV1: {
        "f:status": {
          "f:conditions": { 'k:{"type":"Progressing"}': { ".": {}, "f:status": {}, "f:type": {} } },
          "f:observedGeneration": {},
        },
      },
    });
    expect(extract(status, "st", "status")).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", namespace: "default" },
      status: { observedGeneration: 1, conditions: [{ type: "Progressing", status: "True" }] },
    });
  });

  it("keeps a field another manager shares; a forced apply takes it over", async () => {
    const cms = new FakeClientset().coreV1.configMaps("default");
    await cms.apply({ metadata: { name: "s" }, data: { k: "v", m: "1" } }, { fieldManager: "alpha" });
    // beta applies the same value: no conflict, both own it.
    await cms.apply({ metadata: { name: "s" }, data: { k: "v" } }, { fieldManager: "beta" });
    // alpha stops applying k: beta still owns it, so it stays.
    const kept = await cms.apply({ metadata: { name: "s" }, data: { m: "1" } }, { fieldManager: "alpha" });
    expect(kept.data).toEqual({ k: "v", m: "1" });
    const conflict = await failure(
      cms.apply({ metadata: { name: "s" }, data: { m: "2" } }, { fieldManager: "beta" }),
    );
    expect(conflict.status.details?.causes).toEqual([
      { reason: "FieldManagerConflict", message: 'conflict with "alpha"', field: ".data.m" },
    ]);
    const forced = await cms.apply(
      { metadata: { name: "s" }, data: { k: "v", m: "2" } },
      { fieldManager: "beta", force: true },
    );
    expect(forced.data).toEqual({ k: "v", m: "2" });
    expect(reduce(forced.metadata?.managedFields)?.map((e) => e.manager)).toEqual(["beta"]);
  });

  it("words conflicts and paths as the apiserver does", () => {
    expect(
      conflictMessage([
        { manager: '"suite" using v1', path: ".data.k" },
        { manager: '"upd" using v1', path: ".data.j" },
      ]),
    ).toBe(
      'Apply failed with 2 conflicts: conflicts with "suite" using v1:\n- .data.k\nconflicts with "upd" using v1:\n- .data.j',
    );
    expect(printPath(["f:spec", "f:containers", 'k:{"name":"c"}', "f:image"])).toBe(
      '.spec.containers[name="c"].image',
    );
  });

  it("refuses an apply without fieldManager (422) and of another kind (400)", async () => {
    const cms = new FakeClientset().coreV1.configMaps("default");
    const missing = await failure(cms.apply({ metadata: { name: "a0" } }, {} as never));
    expect([missing.code, missing.status.message]).toEqual([
      422,
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    ]);
    const wrong = await failure(
      cms.apply({ apiVersion: "v1", kind: "Secret", metadata: { name: "a1" } } as never, {
        fieldManager: "alpha",
      }),
    );
    expect([wrong.code, wrong.status.message]).toEqual([400, "invalid object type: /v1, Kind=Secret"]);
  });

  it("merges a custom resource's list-map by the keys its CRD schema gives", async () => {
    const runners = new FakeCrdClientset().builtinTypesV1.runners("default");
    await runners.apply({ metadata: { name: "r" } }, { fieldManager: "creator" });
    const condition = (type: string, status: "True" | "False") => ({
      type,
      status,
      reason: "Test",
      message: "",
      lastTransitionTime: "2026-01-01T00:00:00Z",
    });
    await runners.applyStatus(
      { metadata: { name: "r" }, status: { conditions: [condition("Ready", "False")] } },
      { fieldManager: "a" },
    );
    const both = await runners.applyStatus(
      { metadata: { name: "r" }, status: { conditions: [condition("Synced", "True")] } },
      { fieldManager: "b" },
    );
    // Each manager owns its own item; neither replaced the other's.
    expect(both.status?.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual([
      "Ready=False",
      "Synced=True",
    ]);
    const conflict = await failure(
      runners.applyStatus(
        { metadata: { name: "r" }, status: { conditions: [condition("Ready", "True")] } },
        { fieldManager: "b" },
      ),
    );
    expect(conflict.status.message).toBe(
      'Apply failed with 1 conflict: conflict with "a" with subresource "status": .status.conditions[type="Ready"].status',
    );
    // b applies only Ready now (forced): its Synced goes, a keeps the rest of Ready.
    const forced = await runners.applyStatus(
      { metadata: { name: "r" }, status: { conditions: [condition("Ready", "True")] } },
      { fieldManager: "b", force: true },
    );
    expect(forced.status?.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual(["Ready=True"]);
  });

  it("reads the configuration as YAML, and creates the object", async () => {
    const server = new FakeApiServer({ resources: resourcesOf(CrdClientset), patchMeta: crdPatchMeta });
    const answer = await server.handle({
      method: "PATCH",
      path: "/apis/builtin-types.kubegen.dev/v1/namespaces/default/runners/y",
      query: new URLSearchParams({ fieldManager: "yaml-writer" }),
      headers: { "content-type": "application/apply-patch+yaml" },
      body: "apiVersion: builtin-types.kubegen.dev/v1\nkind: Runner\nmetadata:\n  name: y\n  labels: {a: b}\n",
    });
    expect(answer).toMatchObject({
      status: 201,
      body: {
        metadata: {
          name: "y",
          labels: { a: "b" },
          managedFields: [
            {
              manager: "yaml-writer",
              operation: "Apply",
              fieldsV1: { "f:metadata": { "f:labels": { "f:a": {} } } },
            },
          ],
        },
      },
    });
  });

  it("owns an atomic struct whole, and a create by apply keeps no status of a status subresource", async () => {
    const deployments = new FakeClientset().appsV1.deployments("default");
    const made = await deployments.apply(
      {
        metadata: { name: "atomic" },
        spec: {
          selector: { matchLabels: { app: "a" } },
          template: { metadata: { labels: { app: "a" } }, spec: { containers: [{ name: "c" }] } },
        },
        status: { replicas: 5 },
      },
      { fieldManager: "alpha" },
    );
    expect(made.status).toBeUndefined();
    // Another selector is a conflict on the whole struct, not on its labels.
    const conflict = await failure(
      deployments.apply(
        { metadata: { name: "atomic" }, spec: { selector: { matchLabels: { app: "b" } } } },
        {
          fieldManager: "beta",
        },
      ),
    );
    expect(conflict.status.message).toBe(
      'Apply failed with 1 conflict: conflict with "alpha": .spec.selector',
    );
  });
});
