/**
 * applyStrategicMergePatch with the generated patch metadata of the built-in kinds: list merges by
 * key, the directives, ordering and errors; and the fake apiserver's strategic merge answers.
 */
import { describe, expect, it } from "vitest";
import { Clientset } from "../../../generated/kubernetes/index.js";
import { patchMeta } from "../../../generated/kubernetes/patch-meta.js";
import { PatchTypes } from "../../../runtime/core/patch.js";
import { definePatchMeta, emptyPatchMeta } from "../../../runtime/core/patch-meta.js";
import { isStatusError } from "../../../runtime/errors.js";
import { FakeApiServer } from "../../../runtime/testing/fake-apiserver.js";
import { defineFakeClientset, resourcesOf } from "../../../runtime/testing/fake-clientset.js";
import { PatchError } from "../../../runtime/testing/patches.js";
import { applyStrategicMergePatch } from "../../../runtime/testing/strategic-merge.js";
import { type Cases, runCases } from "../../support/cases.js";

type Json = Record<string, unknown>;

const pod = (spec: Json, metadata: Json = {}): Json => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", ...metadata },
  spec,
});
const two = [
  { name: "a", image: "a:1" },
  { name: "b", image: "b:1" },
];
const deployment = (spec: Json): Json => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "d" },
  spec,
});

/** The patched object, or the error's HTTP code and message. */
function apply({ original, patch }: { original: Json; patch: unknown }): unknown {
  try {
    return applyStrategicMergePatch(original, patch, patchMeta);
  } catch (err) {
    if (err instanceof PatchError) return { error: err.code, message: err.message };
    throw err;
  }
}

describe("applyStrategicMergePatch", () => {
  const cases: Cases<{ original: Json; patch: unknown }, unknown> = [
    [
      "containers merge by name: a changed item keeps its place and its other fields",
      {
        given: {
          original: pod({ containers: two }),
          patch: { spec: { containers: [{ name: "b", image: "b:2" }] } },
        },
        want: pod({ containers: [two[0], { name: "b", image: "b:2" }] }),
      },
    ],
    [
      "a container the server does not have is added before the server's other items",
      {
        given: {
          original: pod({ containers: two }),
          patch: { spec: { containers: [{ name: "c", image: "c:1" }] } },
        },
        want: pod({ containers: [{ name: "c", image: "c:1" }, ...two] }),
      },
    ],
    [
      "env merges by name inside a merged container",
      {
        given: {
          original: pod({
            containers: [
              {
                name: "a",
                env: [
                  { name: "X", value: "1" },
                  { name: "Y", value: "2" },
                ],
              },
            ],
          }),
          patch: { spec: { containers: [{ name: "a", env: [{ name: "Y", value: "3" }] }] } },
        },
        want: pod({
          containers: [
            {
              name: "a",
              env: [
                { name: "X", value: "1" },
                { name: "Y", value: "3" },
              ],
            },
          ],
        }),
      },
    ],
    [
      "ports merge by containerPort, in the patch's order",
      {
        given: {
          original: pod({ containers: [{ name: "a", ports: [{ containerPort: 80, name: "http" }] }] }),
          patch: {
            spec: {
              containers: [
                { name: "a", ports: [{ containerPort: 443 }, { containerPort: 80, protocol: "TCP" }] },
              ],
            },
          },
        },
        want: pod({
          containers: [
            {
              name: "a",
              ports: [{ containerPort: 443 }, { containerPort: 80, name: "http", protocol: "TCP" }],
            },
          ],
        }),
      },
    ],
    [
      "$patch: delete as a list item deletes the item with its merge key",
      {
        given: {
          original: pod({ containers: two }),
          patch: { spec: { containers: [{ name: "a", $patch: "delete" }] } },
        },
        want: pod({ containers: [two[1]] }),
      },
    ],
    [
      "$patch: replace as a list item replaces the list by the other items",
      {
        given: {
          original: pod({ containers: two }),
          patch: { spec: { containers: [{ $patch: "replace" }, { name: "z", image: "z:1" }] } },
        },
        want: pod({ containers: [{ name: "z", image: "z:1" }] }),
      },
    ],
    [
      "$patch: replace in an object replaces it by the rest of the patch",
      {
        given: {
          original: pod({}, { labels: { a: "1", b: "2" } }),
          patch: { metadata: { labels: { $patch: "replace", only: "1" } } },
        },
        want: pod({}, { labels: { only: "1" } }),
      },
    ],
    [
      "$patch: delete in an object empties it",
      {
        given: {
          original: pod({ nodeSelector: { zone: "a" } }),
          patch: { spec: { nodeSelector: { $patch: "delete" } } },
        },
        want: pod({ nodeSelector: {} }),
      },
    ],
    [
      "$deleteFromPrimitiveList removes values from a merged primitive list (finalizers)",
      {
        given: {
          original: pod({}, { finalizers: ["x/a", "x/b", "x/c"] }),
          patch: { metadata: { "$deleteFromPrimitiveList/finalizers": ["x/b"] } },
        },
        want: pod({}, { finalizers: ["x/a", "x/c"] }),
      },
    ],
    [
      "finalizers (patchStrategy merge on a primitive list) merge as a set",
      {
        given: {
          original: pod({}, { finalizers: ["x/a", "x/b"] }),
          patch: { metadata: { finalizers: ["x/b", "x/c"] } },
        },
        want: pod({}, { finalizers: ["x/a", "x/b", "x/c"] }),
      },
    ],
    [
      "$setElementOrder orders the merged list",
      {
        given: {
          original: pod({ containers: two }),
          patch: {
            spec: {
              "$setElementOrder/containers": [{ name: "b" }, { name: "a" }],
              containers: [{ name: "a", image: "a:2" }],
            },
          },
        },
        want: pod({ containers: [two[1], { name: "a", image: "a:2" }] }),
      },
    ],
    [
      "$retainKeys in a volume (merge,retainKeys) keeps only the listed keys: a new volume source",
      {
        given: {
          original: pod({
            volumes: [
              { name: "v", emptyDir: {} },
              { name: "w", emptyDir: {} },
            ],
          }),
          patch: {
            spec: { volumes: [{ name: "v", $retainKeys: ["configMap", "name"], configMap: { name: "cm" } }] },
          },
        },
        want: pod({
          volumes: [
            { name: "v", configMap: { name: "cm" } },
            { name: "w", emptyDir: {} },
          ],
        }),
      },
    ],
    [
      "$retainKeys in a Deployment's strategy (retainKeys) drops rollingUpdate",
      {
        given: {
          original: deployment({ strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } }),
          patch: { spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } } },
        },
        want: deployment({ strategy: { type: "Recreate" } }),
      },
    ],
    [
      "a Deployment's pod template containers merge by name",
      {
        given: {
          original: deployment({ template: { spec: { containers: two } } }),
          patch: { spec: { template: { spec: { containers: [{ name: "a", image: "a:2" }] } } } },
        },
        want: deployment({ template: { spec: { containers: [{ name: "a", image: "a:2" }, two[1]] } } }),
      },
    ],
    [
      "null deletes a key; nulls in a new value are dropped",
      {
        given: {
          original: pod({ nodeSelector: { zone: "a" }, hostname: "h" }, { labels: { a: "1", b: "2" } }),
          patch: {
            metadata: { labels: { b: null }, annotations: { k: "v", gone: null } },
            spec: { nodeSelector: null },
          },
        },
        want: pod({ hostname: "h" }, { labels: { a: "1" }, annotations: { k: "v" } }),
      },
    ],
    [
      "a list without a merge strategy is replaced (args)",
      {
        given: {
          original: pod({ containers: [{ name: "a", args: ["x", "y"] }] }),
          patch: { spec: { containers: [{ name: "a", args: ["z"] }] } },
        },
        want: pod({ containers: [{ name: "a", args: ["z"] }] }),
      },
    ],
    [
      "an object with the replace strategy is replaced whole (a PodDisruptionBudget's selector)",
      {
        given: {
          original: {
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            spec: { selector: { matchLabels: { app: "a" } } },
          },
          patch: { spec: { selector: { matchExpressions: [{ key: "app", operator: "Exists" }] } } },
        },
        want: {
          apiVersion: "policy/v1",
          kind: "PodDisruptionBudget",
          spec: { selector: { matchExpressions: [{ key: "app", operator: "Exists" }] } },
        },
      },
    ],
    [
      "a kind without metadata (Scale) merges objects and replaces lists",
      {
        given: {
          original: {
            apiVersion: "autoscaling/v1",
            kind: "Scale",
            spec: { replicas: 1 },
            status: { x: [1, 2] },
          },
          patch: { spec: { replicas: 3 }, status: { x: [3] } },
        },
        want: { apiVersion: "autoscaling/v1", kind: "Scale", spec: { replicas: 3 }, status: { x: [3] } },
      },
    ],
    [
      "a merged list item without its merge key is refused (500, as the apiserver answers)",
      {
        given: { original: pod({ containers: two }), patch: { spec: { containers: [{ image: "x" }] } } },
        want: { error: 500, message: "map: map[image:x] does not contain declared merge key: name" },
      },
    ],
    [
      "$patch: merge as a list item is refused, as the apiserver refuses it (500)",
      {
        given: { original: pod({ containers: two }), patch: { spec: { containers: [{ $patch: "merge" }] } } },
        want: { error: 500, message: "merging lists cannot yet be specified in the patch" },
      },
    ],
    [
      "an unknown $patch directive is refused (500)",
      {
        given: { original: pod({}), patch: { spec: { $patch: "shuffle" } } },
        want: { error: 500, message: "unknown patch type: shuffle in map: map[$patch:shuffle]" },
      },
    ],
    [
      "a patch key missing from $retainKeys is a BadRequest",
      {
        given: {
          original: deployment({ strategy: { type: "RollingUpdate" } }),
          patch: { spec: { strategy: { $retainKeys: ["type"], rollingUpdate: {} } } },
        },
        want: { error: 400, message: "invalid patch format of retainKeys" },
      },
    ],
    [
      "a patch that is not an object is a BadRequest",
      {
        given: { original: pod({}), patch: [{ op: "add" }] },
        want: { error: 400, message: "a strategic merge patch must be a JSON object" },
      },
    ],
  ];
  runCases(cases, apply);

  it("merges the values of a map of typed values (`map: true`) with the values' type", () => {
    const meta = definePatchMeta({
      kinds: { "example.dev/v1/Thing": "t.Thing" },
      types: {
        "t.Thing": { byName: { type: "t.Item", map: true } },
        "t.Item": { ports: { strategy: "merge", key: "port" } },
      },
    });
    const thing = (byName: Json) => ({ apiVersion: "example.dev/v1", kind: "Thing", byName });
    const patched = applyStrategicMergePatch(
      thing({ a: { ports: [{ port: 1, name: "one" }] } }),
      { byName: { a: { ports: [{ port: 1, protocol: "TCP" }] }, b: { ports: [{ port: 2 }] } } },
      meta,
    );
    expect(patched).toEqual(
      thing({ a: { ports: [{ port: 1, name: "one", protocol: "TCP" }] }, b: { ports: [{ port: 2 }] } }),
    );
  });

  it("changes neither the object nor the patch", () => {
    const original = pod({ containers: two }, { finalizers: ["x/a"] });
    const patch = {
      metadata: { "$deleteFromPrimitiveList/finalizers": ["x/a"] },
      spec: { containers: [{ name: "a", $patch: "delete" }] },
    };
    const before = structuredClone({ original, patch });
    applyStrategicMergePatch(original, patch, patchMeta);
    expect({ original, patch }).toEqual(before);
  });

  it("takes `__proto__` in a patch as a key, never as a prototype", () => {
    const patch = JSON.parse('{"metadata":{"labels":{"__proto__":{"polluted":"yes"}}}}') as Json;
    const patched = applyStrategicMergePatch(pod({}, { labels: {} }), patch, patchMeta) as {
      metadata: { labels: Json };
    };
    expect(Object.hasOwn(patched.metadata.labels, "__proto__")).toBe(true);
    expect(({} as Json).polluted).toBeUndefined();
  });

  it("freezes the generated table", () => {
    expect(Object.isFrozen(patchMeta.types["core/v1.PodSpec"]?.containers)).toBe(true);
  });
});

describe("the fake apiserver's strategic merge patches", () => {
  /** The code and reason of a failed call. */
  async function failure(call: Promise<unknown>): Promise<{ code: number; reason: string; message: string }> {
    try {
      await call;
    } catch (err) {
      if (isStatusError(err))
        return { code: err.code, reason: err.reason, message: err.status.message ?? "" };
      throw err;
    }
    throw new Error("the call succeeded");
  }

  it("merges a built-in kind's lists by key with the clientset's patch metadata", async () => {
    const FakeClientset = defineFakeClientset(Clientset, patchMeta);
    const clientset = new FakeClientset({ objects: [pod({ containers: two }) as never] });
    const patched = await clientset.coreV1
      .pods("default")
      .patch("p", { spec: { containers: [{ name: "b", image: "b:2" }] } }, PatchTypes.strategicMerge);
    expect(patched.spec?.containers).toEqual([two[0], { name: "b", image: "b:2" }]);
    expect(clientset.actions().at(-1)).toMatchObject({ verb: "patch", patchType: PatchTypes.strategicMerge });
  });

  it("refuses them (415) for a kind its patch metadata does not list, rather than replace lists", async () => {
    const FakeClientset = defineFakeClientset(Clientset);
    const clientset = new FakeClientset({ objects: [pod({ containers: two }) as never] });
    const refused = await failure(
      clientset.coreV1.pods("default").patch("p", { spec: {} }, PatchTypes.strategicMerge),
    );
    expect(refused).toMatchObject({ code: 415, reason: "UnsupportedMediaType" });
    expect(refused.message).toContain("no strategic merge patch metadata for v1 Pod");
  });

  it("refuses them (415) for a resource whose descriptor does not take them, as for custom resources", async () => {
    const crd = {
      group: "example.kubegen.dev",
      version: "v1",
      plural: "widgets",
      singular: "widget",
      kind: "Widget",
      listKind: "WidgetList",
      namespaced: true,
      verbs: ["get", "list", "create", "patch"],
      subresources: [],
    } as const;
    const server = new FakeApiServer({
      resources: [...resourcesOf(Clientset), crd],
      patchMeta: emptyPatchMeta,
    });
    server.add({ apiVersion: "example.kubegen.dev/v1", kind: "Widget", metadata: { name: "w" } });
    const answer = await server.handle({
      method: "PATCH",
      path: "/apis/example.kubegen.dev/v1/namespaces/default/widgets/w",
      query: new URLSearchParams(),
      headers: { "content-type": PatchTypes.strategicMerge },
      body: "{}",
    });
    expect(answer).toMatchObject({ status: 415, body: { reason: "UnsupportedMediaType" } });
  });
});
