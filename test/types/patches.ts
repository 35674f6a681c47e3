/**
 * Type-level tests of patches (checked by `npm run typecheck`, never run): the body type follows
 * the patch type, `null` deletes in merge patches, JSON Patch operations are checked, and strategic
 * merge compiles only for resources whose descriptor says `strategicMergePatch: true`.
 */
import type { DynamicClient } from "../../runtime/clients/dynamic.js";
import { defineClientset, defineGroupVersion } from "../../runtime/clients/group.js";
import type { KubeList, KubeObject } from "../../runtime/core/object.js";
import { type JsonPatchOperation, type MergePatch, PatchTypes } from "../../runtime/core/patch.js";
import { defineResource } from "../../runtime/core/resource.js";

interface Gadget extends KubeObject {
  spec?: { size: number; color?: string; parts?: { name: string; count?: number }[] };
  status?: { ready?: boolean };
}
type GadgetList = KubeList<Gadget>;

const base = {
  version: "v1",
  plural: "gadgets",
  singular: "gadget",
  kind: "Gadget",
  listKind: "GadgetList",
  namespaced: true,
  verbs: ["get", "list", "patch"],
  subresources: ["status", "scale"],
} as const;
// A custom resource: the field is absent, so no strategic merge.
const customGadgets = defineResource<Gadget, GadgetList>()({ ...base, group: "example.com" });
const optedOut = defineResource<Gadget, GadgetList>()({
  ...base,
  group: "example.com",
  strategicMergePatch: false,
});
// A built-in resource, as the generator describes one whose patch accepts strategic merge.
const builtinGadgets = defineResource<Gadget, GadgetList>()({
  ...base,
  group: "builtin.example",
  strategicMergePatch: true,
});

const Clientset = defineClientset({
  custom: defineGroupVersion({ group: "example.com", version: "v1" }, { customGadgets, optedOut }),
  builtin: defineGroupVersion({ group: "builtin.example", version: "v1" }, { builtinGadgets }),
});
declare const clientset: InstanceType<typeof Clientset>;
declare const dynamic: DynamicClient;
declare const anything: unknown;

export async function checks(): Promise<void> {
  const custom = clientset.custom.customGadgets("ns");
  const builtin = clientset.builtin.builtinGadgets("ns");

  // Merge patch (the default): a deep partial where null deletes.
  await custom.patch("g", { spec: { size: 2 } });
  await custom.patch("g", { spec: { color: null }, metadata: { labels: { app: null, tier: "web" } } });
  await custom.patch("g", { spec: null }, PatchTypes.merge);
  await custom.patch("g", { spec: { parts: [{ count: 1 }] } });
  // @ts-expect-error size is a number
  await custom.patch("g", { spec: { size: "big" } });
  // @ts-expect-error a misspelled field
  await custom.patch("g", { spec: { sise: 2 } });
  // @ts-expect-error null inside a list item is a value, not a deletion
  await custom.patch("g", { spec: { parts: [{ name: null }] } });
  const exported: MergePatch<Gadget> = { status: { ready: null } };
  await custom.patchStatus("g", exported);

  // JSON Patch: typed operations.
  await custom.patch(
    "g",
    [
      { op: "test", path: "/metadata/resourceVersion", value: "7" },
      { op: "add", path: "/metadata/labels/app", value: "web" },
      { op: "replace", path: "/spec/size", value: 3 },
      { op: "remove", path: "/spec/color" },
      { op: "move", from: "/spec/a", path: "/spec/b" },
      { op: "copy", from: "/spec/a", path: "/spec/c" },
    ],
    PatchTypes.json,
  );
  const ops: readonly JsonPatchOperation[] = [{ op: "remove", path: "/status" }];
  await custom.patchStatus("g", ops, PatchTypes.json);
  // @ts-expect-error replace needs a value
  await custom.patch("g", [{ op: "replace", path: "/spec/size" }], PatchTypes.json);
  // @ts-expect-error move needs from
  await custom.patch("g", [{ op: "move", path: "/spec/size" }], PatchTypes.json);
  // @ts-expect-error no such operation
  await custom.patch("g", [{ op: "increment", path: "/spec/size" }], PatchTypes.json);
  // @ts-expect-error path is a string (a JSON Pointer)
  await custom.patch("g", [{ op: "remove", path: ["spec", "size"] }], PatchTypes.json);
  // @ts-expect-error a merge-patch body is not a JSON Patch
  await custom.patch("g", { spec: { size: 2 } }, PatchTypes.json);
  // @ts-expect-error a JSON Patch is not a merge-patch body
  await custom.patch("g", [{ op: "remove", path: "/spec" }]);

  // Strategic merge: only where the descriptor says so.
  await builtin.patch("g", { spec: { parts: [{ name: "a", count: 2 }] } }, PatchTypes.strategicMerge);
  await builtin.patch(
    "g",
    { spec: { parts: [{ name: "b", $patch: "delete" }], $retainKeys: ["parts"] } },
    PatchTypes.strategicMerge,
  );
  await builtin.patchStatus("g", { status: { ready: true } }, PatchTypes.strategicMerge);
  await builtin.patchScale("g", { spec: { replicas: 2 } }, PatchTypes.strategicMerge);
  // @ts-expect-error size is a number in a strategic merge patch too
  await builtin.patch("g", { spec: { size: "big" } }, PatchTypes.strategicMerge);
  // @ts-expect-error custom resources take no strategic merge patch (the apiserver answers 415)
  await custom.patch("g", { spec: { size: 2 } }, PatchTypes.strategicMerge);
  // @ts-expect-error nor on their status
  await custom.patchStatus("g", { status: { ready: true } }, PatchTypes.strategicMerge);
  // @ts-expect-error nor on their scale
  await custom.patchScale("g", { spec: { replicas: 2 } }, PatchTypes.strategicMerge);
  // @ts-expect-error strategicMergePatch: false says no as well
  await clientset.custom.optedOut("ns").patch("g", {}, PatchTypes.strategicMerge);
  // @ts-expect-error server-side apply goes through apply()
  await builtin.patch("g", { spec: { size: 2 } }, PatchTypes.apply);

  // The generic subresource method stays unchecked.
  await custom.patchSubresource("g", "status", anything, PatchTypes.strategicMerge);

  // The dynamic client knows nothing of the resource: it takes any body with any patch type.
  const widgets = dynamic.resource({ group: "example.com", version: "v1", resource: "widgets" });
  await widgets.patch("w", anything);
  await widgets.namespace("ns").patch("w", anything, PatchTypes.strategicMerge);
  await widgets.namespace("ns").patchStatus("w", anything, PatchTypes.json);
}
