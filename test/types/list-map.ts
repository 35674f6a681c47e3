/**
 * Type-level tests of `ListMap` (checked by `npm run typecheck`, never run): a keyed list is an
 * array for every reader and writer, while an apply configuration must give each item its keys.
 * A merge patch treats it as a plain list of partial items.
 */

// From the package's root, where generated modules find it.
import type { ApplyConfiguration, ApplyPartial, KubeList, KubeObject, ListMap } from "kubegen";
import { defineClientset, defineGroupVersion } from "../../runtime/clients/group.js";
import type { MergePatch } from "../../runtime/core/patch.js";
import { defineResource } from "../../runtime/core/resource.js";

interface ContainerPort {
  containerPort: number;
  protocol?: string;
  name?: string;
}
interface Container {
  name: string;
  image?: string;
  args?: string[];
  ports?: ListMap<ContainerPort, "containerPort" | "protocol">;
}
interface Toleration {
  key?: string;
  value?: string;
}
interface Pod extends KubeObject {
  spec?: {
    containers: ListMap<Container, "name">;
    initContainers?: ListMap<Container, "name">;
    // An atomic list: no keys.
    tolerations?: Toleration[];
  };
}

const pods = defineResource<Pod, KubeList<Pod>>()({
  group: "",
  version: "v1",
  plural: "pods",
  singular: "pod",
  kind: "Pod",
  listKind: "PodList",
  namespaced: true,
  verbs: ["get", "patch"],
  subresources: [],
});
const Clientset = defineClientset({ coreV1: defineGroupVersion({ group: "", version: "v1" }, { pods }) });
declare const clientset: InstanceType<typeof Clientset>;
declare const plain: Container[];
declare const keyed: ListMap<Container, "name">;

export async function checks(): Promise<void> {
  // Plain arrays go in, and a keyed list goes wherever an array does.
  const fromPlain: ListMap<Container, "name"> = plain;
  const fromLiteral: ListMap<Container, "name"> = [{ name: "a", image: "a:1" }];
  const asPlain: Container[] = keyed;
  const asReadonly: readonly Container[] = keyed;
  const names: string[] = keyed.map((c) => c.name);
  const first: Container | undefined = keyed[0];
  const count: number = keyed.length;
  const copy: Container[] = [...keyed];
  const filtered: Container[] = keyed.filter((c) => c.image);
  for (const c of keyed) void c.name;
  keyed.push({ name: "b" });
  const pod: Pod = { spec: { containers: plain, initContainers: [{ name: "init" }] } };
  const podNames: string[] = pod.spec?.containers.map((c) => c.name) ?? [];
  void [fromPlain, fromLiteral, asPlain, asReadonly, names, first, count, copy, filtered, podNames];
  // @ts-expect-error items are still checked
  const wrongItem: ListMap<Container, "name"> = [{ name: 1 }];
  // @ts-expect-error a keyed list's items are full objects: name is required
  const noName: ListMap<Container, "name"> = [{ image: "a:1" }];
  void [wrongItem, noName];

  // Apply configurations: keyed list items carry their keys, everything else is optional.
  const applied: ApplyConfiguration<Pod> = {
    metadata: { name: "p" },
    spec: {
      containers: [{ name: "app", ports: [{ containerPort: 80, protocol: "TCP" }] }],
      tolerations: [{ value: "x" }],
    },
  };
  const nested: ApplyPartial<Container> = { name: "app", args: ["--x"] };
  void [applied, nested];
  // @ts-expect-error a container without its key (name) cannot be applied
  const noKey: ApplyConfiguration<Pod> = { metadata: { name: "p" }, spec: { containers: [{ image: "x" }] } };
  const halfKey: ApplyConfiguration<Pod> = {
    metadata: { name: "p" },
    // @ts-expect-error every key of a keyed list item is required (protocol is missing)
    spec: { containers: [{ name: "app", ports: [{ containerPort: 80 }] }] },
  };
  const wrongType: ApplyConfiguration<Pod> = {
    metadata: { name: "p" },
    // @ts-expect-error the key keeps its type
    spec: { initContainers: [{ name: 7 }] },
  };
  void [noKey, halfKey, wrongType];
  const client = clientset.coreV1.pods("ns");
  await client.apply(
    { metadata: { name: "p" }, spec: { containers: [{ name: "app" }] } },
    { fieldManager: "m" },
  );
  await client.apply(
    // @ts-expect-error the typed client's apply checks the keys too
    { metadata: { name: "p" }, spec: { containers: [{ image: "x" }] } },
    { fieldManager: "m" },
  );

  // Merge patches replace lists whole: items are plain partials, keys not required.
  const merge: MergePatch<Pod> = { spec: { containers: [{ image: "x" }] } };
  await client.patch("p", { spec: { containers: [{ image: "x", ports: [{ name: "http" }] }] } });
  void merge;
}
