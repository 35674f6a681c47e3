/**
 * One suite of apiserver behaviours, run against the real kube-apiserver
 * (test/e2e/conformance.test.ts) and against the fake apiserver (test/runtime/testing/
 * conformance.test.ts). Each case reduces what it sees to plain values (names, types, codes,
 * messages) so both backends must give the same ones. Where the fake cannot match the apiserver
 * (admission, defaulting, validation beyond the schema), the case is in `differences` below and
 * asserts the documented difference for each backend.
 */
import { describe, expect, it } from "vitest";
import type { Deployment } from "../../generated/kubernetes/apps/v1.js";
import type { ConfigMap } from "../../generated/kubernetes/core/v1.js";
import type { Clientset } from "../../generated/kubernetes/index.js";
import { DynamicClient } from "../../runtime/clients/dynamic.js";
import { extract } from "../../runtime/core/extract.js";
import type { ApplyConfiguration } from "../../runtime/core/object.js";
import { PatchTypes } from "../../runtime/core/patch.js";
import type { WatchEvent } from "../../runtime/core/watch.js";
import { isStatusError } from "../../runtime/errors.js";

export interface Backend {
  kind: "apiserver" | "fake";
  /** Serves the test CRD's `widgets.example.kubegen.dev` too (test/fixtures/crds/multi-version). */
  clientset: Clientset;
  /** A namespace of the suite's own. */
  namespace: string;
}

/** What a failed call reduces to: code, reason and message (without the request's URL). */
async function failure(call: Promise<unknown>): Promise<{ code: number; reason: string; message: string }> {
  try {
    await call;
  } catch (err) {
    if (!isStatusError(err)) throw err;
    return { code: err.code, reason: err.reason, message: err.status.message ?? "" };
  }
  throw new Error("the call succeeded; a failure was expected");
}

/** Reads `count` events (bookmarks skipped) from a watch, as `TYPE name`. */
async function events<T extends ConfigMap>(
  watch: AsyncIterable<WatchEvent<T>>,
  count: number,
): Promise<string[]> {
  const out: string[] = [];
  for await (const e of watch) {
    if (e.type === "BOOKMARK") continue;
    out.push(`${e.type} ${e.object.metadata?.name}`);
    if (out.length === count) break;
  }
  return out;
}

const deployment = (name: string, replicas = 1): Deployment => ({
  metadata: { name, labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: "c", image: "example.invalid/c:1" }] },
    },
  },
});

/**
 * `managedFields` reduced to what both backends must agree on: manager, operation, subresource and
 * the FieldsV1 set, in the order recorded (times and apiVersions aside).
 */
const owners = (obj: { metadata?: { managedFields?: unknown } }) =>
  (
    (obj.metadata?.managedFields ?? []) as {
      manager: string;
      operation: string;
      subresource?: string;
      fieldsV1: unknown;
    }[]
  ).map((e) => ({
    manager: e.manager,
    operation: e.operation,
    subresource: e.subresource ?? "",
    fieldsV1: e.fieldsV1,
  }));

/** The number of cases and of documented differences, for the README's report. */
export const conformanceCounts = { cases: 0, differences: 0 };

/** Registers the suite for one backend. */
export function conformanceSuite(backend: () => Backend): void {
  const cms = () => backend().clientset.coreV1.configMaps(backend().namespace);
  const deployments = () => backend().clientset.appsV1.deployments(backend().namespace);
  const same = (name: string, fn: () => Promise<void>) => {
    conformanceCounts.cases++;
    it(name, fn, 30_000);
  };
  const differs = (name: string, fn: (kind: Backend["kind"]) => Promise<void>) => {
    conformanceCounts.differences++;
    it(`documented difference: ${name}`, () => fn(backend().kind), 30_000);
  };

  describe("create, get, update", () => {
    same("create sets uid, creationTimestamp and resourceVersion; get returns the same object", async () => {
      const made = await cms().create({ metadata: { name: "c1", labels: { a: "1" } }, data: { k: "v" } });
      expect(made.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(made.metadata?.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(made.metadata?.resourceVersion).toMatch(/^\d+$/);
      const got = await cms().get("c1");
      expect({ ...got, metadata: { ...got.metadata, managedFields: undefined } }).toEqual({
        ...made,
        metadata: { ...made.metadata, managedFields: undefined },
      });
      expect(got).toMatchObject({ apiVersion: "v1", kind: "ConfigMap", data: { k: "v" } });
    });

    same("generateName gives the prefix and five characters", async () => {
      const made = await cms().create({ metadata: { generateName: "gen-" } });
      expect(made.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);
    });

    same("a second create of a name is AlreadyExists", async () => {
      await cms().create({ metadata: { name: "dup" } });
      expect(await failure(cms().create({ metadata: { name: "dup" } }))).toEqual({
        code: 409,
        reason: "AlreadyExists",
        message: 'configmaps "dup" already exists',
      });
    });

    same("a missing object is NotFound, worded with the resource", async () => {
      expect(await failure(cms().get("missing"))).toEqual({
        code: 404,
        reason: "NotFound",
        message: 'configmaps "missing" not found',
      });
      expect(await failure(deployments().get("missing"))).toMatchObject({
        message: 'deployments.apps "missing" not found',
      });
    });

    same(
      "an update from a stale resourceVersion is a Conflict; one without a resourceVersion wins",
      async () => {
        const made = await cms().create({ metadata: { name: "occ" }, data: { n: "0" } });
        const first = await cms().update({ ...made, data: { n: "1" } });
        expect(BigInt(first.metadata!.resourceVersion!) > BigInt(made.metadata!.resourceVersion!)).toBe(true);
        expect(await failure(cms().update({ ...made, data: { n: "2" } }))).toEqual({
          code: 409,
          reason: "Conflict",
          message:
            'Operation cannot be fulfilled on configmaps "occ": the object has been modified; please apply your changes to the latest version and try again',
        });
        const unconditional = await cms().update({ metadata: { name: "occ" }, data: { n: "3" } });
        expect(unconditional.data).toEqual({ n: "3" });
      },
    );
  });

  describe("selectors and paging", () => {
    same("label selectors: equality, sets, existence", async () => {
      for (const [name, labels] of [
        ["sel-a", { app: "web", tier: "front" }],
        ["sel-b", { app: "web" }],
        ["sel-c", { app: "db" }],
      ] as const)
        await cms().create({ metadata: { name, labels: { ...labels, suite: "sel" } } });
      const names = async (labelSelector: string) =>
        (await cms().list({ labelSelector: `suite=sel,${labelSelector}` })).items.map(
          (c) => c.metadata?.name,
        );
      expect(await names("app=web")).toEqual(["sel-a", "sel-b"]);
      expect(await names("app in (db,other)")).toEqual(["sel-c"]);
      expect(await names("app!=web")).toEqual(["sel-c"]);
      expect(await names("tier")).toEqual(["sel-a"]);
      expect(await names("!tier")).toEqual(["sel-b", "sel-c"]);
    });

    same("field selectors on metadata.name; an unsupported field is BadRequest", async () => {
      await cms().create({ metadata: { name: "field-x" } });
      const list = await cms().list({ fieldSelector: "metadata.name=field-x" });
      expect(list.items.map((c) => c.metadata?.name)).toEqual(["field-x"]);
      const bad = await failure(cms().list({ fieldSelector: "data.k=v" }));
      expect(bad).toMatchObject({ code: 400, reason: "BadRequest" });
      expect(bad.message).toMatch(
        /^"data\.k" is not a known field selector: only "metadata\.name", "metadata\.namespace"$/,
      );
    });

    same("a resource's own field selectors: Secrets by type", async () => {
      const secrets = backend().clientset.coreV1.secrets(backend().namespace);
      await secrets.create({ metadata: { name: "opaque-1" }, type: "Opaque", stringData: { k: "v" } });
      await secrets.create({
        metadata: { name: "tls-1" },
        type: "kubernetes.io/tls",
        stringData: { "tls.crt": "c", "tls.key": "k" },
      });
      const names = async (fieldSelector: string) =>
        (await secrets.list({ fieldSelector })).items.map((s) => s.metadata?.name);
      expect(await names("type=kubernetes.io/tls")).toEqual(["tls-1"]);
      expect(await names("type!=kubernetes.io/tls,metadata.name=opaque-1")).toEqual(["opaque-1"]);
      // stringData is written into data, base64-encoded, and not kept.
      const opaque = await secrets.get("opaque-1");
      expect(opaque.data).toEqual({ k: "dg==" });
      expect(opaque.stringData).toBeUndefined();
    });

    same("limit and continue page through a list", async () => {
      for (let i = 0; i < 5; i++)
        await cms().create({ metadata: { name: `page-${i}`, labels: { suite: "page" } } });
      const first = await cms().list({ labelSelector: "suite=page", limit: 2 });
      expect(first.items.map((c) => c.metadata?.name)).toEqual(["page-0", "page-1"]);
      // Counted only without a selector.
      expect(first.metadata?.remainingItemCount).toBeUndefined();
      expect(first.metadata?.continue).toBeTruthy();
      const names: string[] = [];
      for await (const c of cms().items({ labelSelector: "suite=page", limit: 2 }))
        names.push(c.metadata!.name!);
      expect(names).toEqual(["page-0", "page-1", "page-2", "page-3", "page-4"]);
    });
  });

  describe("watch", () => {
    same("a watch from a list's resourceVersion gets exactly the later changes", async () => {
      await cms().create({ metadata: { name: "w-before", labels: { suite: "watch" } } });
      const list = await cms().list({ labelSelector: "suite=watch" });
      const watch = cms().watch({
        labelSelector: "suite=watch",
        resourceVersion: list.metadata?.resourceVersion,
      });
      const seen = events(watch, 3);
      const made = await cms().create({ metadata: { name: "w-after", labels: { suite: "watch" } } });
      await cms().update({ ...made, data: { k: "v" } });
      await cms().delete("w-after");
      expect(await seen).toEqual(["ADDED w-after", "MODIFIED w-after", "DELETED w-after"]);
    });

    same("a selector watch tells an object entering it as ADDED and leaving it as DELETED", async () => {
      const made = await cms().create({ metadata: { name: "mover", labels: { suite: "other" } } });
      const list = await cms().list({ labelSelector: "suite=move" });
      const seen = events(
        cms().watch({ labelSelector: "suite=move", resourceVersion: list.metadata?.resourceVersion }),
        2,
      );
      const moved = await cms().update({
        ...made,
        metadata: { ...made.metadata, labels: { suite: "move" } },
      });
      await cms().update({ ...moved, metadata: { ...moved.metadata, labels: { suite: "gone" } } });
      expect(await seen).toEqual(["ADDED mover", "DELETED mover"]);
    });

    same("a watch without a resourceVersion starts with the current objects as ADDED", async () => {
      await cms().create({ metadata: { name: "now-1", labels: { suite: "now" } } });
      await cms().create({ metadata: { name: "now-2", labels: { suite: "now" } } });
      expect((await events(cms().watch({ labelSelector: "suite=now" }), 2)).sort()).toEqual([
        "ADDED now-1",
        "ADDED now-2",
      ]);
    });
  });

  describe("delete", () => {
    same("a finalizer keeps a deleted object, with deletionTimestamp, until it is removed", async () => {
      await cms().create({ metadata: { name: "fin", finalizers: ["example.com/hold"] } });
      await cms().delete("fin");
      const held = await cms().get("fin");
      expect(held.metadata?.deletionTimestamp).toBeTruthy();
      expect(held.metadata?.finalizers).toEqual(["example.com/hold"]);
      // Deleting again changes nothing.
      await cms().delete("fin");
      expect((await cms().get("fin")).metadata?.resourceVersion).toBe(held.metadata?.resourceVersion);
      await cms().update({ ...held, metadata: { ...held.metadata, finalizers: [] } });
      expect(await failure(cms().get("fin"))).toMatchObject({ code: 404 });
    });

    same("a delete whose uid precondition does not hold is a Conflict", async () => {
      await cms().create({ metadata: { name: "pre" } });
      const conflict = await failure(
        cms().delete("pre", { preconditions: { uid: "00000000-0000-0000-0000-000000000000" } }),
      );
      expect(conflict).toMatchObject({ code: 409, reason: "Conflict" });
      expect(conflict.message).toMatch(
        /^Operation cannot be fulfilled on ConfigMap "pre": the UID in the precondition \(0{8}-0{4}-0{4}-0{4}-0{12}\) does not match the UID in record \([0-9a-f-]{36}\)\. The object might have been deleted and then recreated$/,
      );
    });

    same("deleteCollection deletes what the selector selects", async () => {
      for (const name of ["dc-1", "dc-2"])
        await cms().create({ metadata: { name, labels: { suite: "dc" } } });
      await cms().create({ metadata: { name: "dc-keep", labels: { suite: "dc-keep" } } });
      await cms().deleteCollection({ labelSelector: "suite=dc" });
      expect(
        (await cms().list({ labelSelector: "suite in (dc,dc-keep)" })).items.map((c) => c.metadata?.name),
      ).toEqual(["dc-keep"]);
    });
  });

  describe("dry run", () => {
    same(
      "dryRun=All writes (create, update, patch, apply, delete, deleteCollection) answer as if done; nothing is stored or watched",
      async () => {
        const dryRun = ["All" as const];
        const shape = (o: ConfigMap) => ({
          name: o.metadata?.name,
          uid: typeof o.metadata?.uid,
          creationTimestamp: typeof o.metadata?.creationTimestamp,
          resourceVersion: o.metadata?.resourceVersion,
          generation: o.metadata?.generation,
          data: o.data,
          managers: owners(o).map((e) => `${e.manager} ${e.operation}`),
        });
        const created = await cms().create({ metadata: { name: "dry-new" }, data: { k: "v" } }, { dryRun });
        const absent = await failure(cms().get("dry-new"));
        const real = await cms().create({ metadata: { name: "dry-old" }, data: { k: "v" } });
        const rv = real.metadata?.resourceVersion;
        const same = (o: ConfigMap) => ({ ...shape(o), resourceVersion: o.metadata?.resourceVersion === rv });
        const updated = await cms().update({ ...real, data: { k: "updated" } }, { dryRun });
        const patched = await cms().patch("dry-old", { data: { k: "patched" } }, PatchTypes.merge, {
          dryRun,
        });
        const applied = await cms().apply(
          { metadata: { name: "dry-old" }, data: { k: "applied" } },
          { fieldManager: "dry", force: true, dryRun },
        );
        await cms().delete("dry-old", { dryRun });
        await cms().deleteCollection({ fieldSelector: "metadata.name=dry-old", dryRun });
        const stored = await cms().get("dry-old");
        // A watch from before the dry writes sees only the real change after them.
        const watch = cms().watch({ resourceVersion: rv, fieldSelector: "metadata.name=dry-old" });
        await cms().patch("dry-old", { data: { k: "real" } });
        const seen = await events(watch, 1);
        const object = (k: string, managers = ["kubegen Update"]) => ({
          name: "dry-old",
          uid: "string",
          creationTimestamp: "string",
          // A dry write never reaches storage, so it gets no new resourceVersion.
          resourceVersion: true,
          generation: undefined,
          data: { k },
          managers,
        });
        expect({
          created: shape(created),
          absent: absent.code,
          updated: same(updated),
          patched: same(patched),
          applied: same(applied),
          stored: same(stored),
          seen,
        }).toEqual({
          // A created object has its uid and creationTimestamp, but no resourceVersion.
          created: { ...object("v"), name: "dry-new", resourceVersion: undefined },
          absent: 404,
          updated: object("updated"),
          patched: object("patched"),
          applied: object("applied", ["dry Apply", "kubegen Update"]),
          stored: object("v"),
          seen: ["MODIFIED dry-old"],
        });
      },
    );
  });

  describe("patches", () => {
    same("a merge patch merges objects and deletes keys set to null", async () => {
      await cms().create({ metadata: { name: "mp", labels: { a: "1", b: "2" } }, data: { x: "1", y: "2" } });
      const patched = await cms().patch("mp", {
        metadata: { labels: { b: null, c: "3" } },
        data: { y: null },
      });
      expect(patched.metadata?.labels).toEqual({ a: "1", c: "3" });
      expect(patched.data).toEqual({ x: "1" });
    });

    same("a JSON patch applies its operations; a failing test operation changes nothing", async () => {
      await cms().create({ metadata: { name: "jp" }, data: { x: "1" } });
      const patched = await cms().patch(
        "jp",
        [
          { op: "add", path: "/data/y", value: "2" },
          { op: "replace", path: "/data/x", value: "10" },
        ],
        PatchTypes.json,
      );
      expect(patched.data).toEqual({ x: "10", y: "2" });
      const failed = await failure(
        cms().patch(
          "jp",
          [
            { op: "remove", path: "/data/y" },
            { op: "test", path: "/data/x", value: "other" },
          ],
          PatchTypes.json,
        ),
      );
      expect(failed.code).toBe(422);
      expect((await cms().get("jp")).data).toEqual({ x: "10", y: "2" });
    });

    same("a patch carrying a stale resourceVersion is a Conflict", async () => {
      const made = await cms().create({ metadata: { name: "prv" } });
      await cms().patch("prv", { data: { a: "1" } });
      expect(
        await failure(
          cms().patch("prv", {
            metadata: { resourceVersion: made.metadata?.resourceVersion },
            data: { a: "2" },
          }),
        ),
      ).toMatchObject({ code: 409, reason: "Conflict" });
    });
  });

  describe("strategic merge patches", () => {
    /** A Deployment's containers as `name=image`, in order (the apiserver defaults other fields). */
    const images = (d: Deployment) => d.spec?.template.spec?.containers.map((c) => `${c.name}=${c.image}`);
    const smp = PatchTypes.strategicMerge;

    same(
      "containers merge by name: a changed image keeps its place, a new container comes first",
      async () => {
        await deployments().create(deployment("smp-merge"));
        const changed = await deployments().patch(
          "smp-merge",
          {
            spec: {
              template: {
                spec: {
                  containers: [
                    { name: "c", image: "example.invalid/c:2" },
                    { name: "d", image: "example.invalid/d:1" },
                  ],
                },
              },
            },
          },
          smp,
        );
        expect(images(changed)).toEqual(["c=example.invalid/c:2", "d=example.invalid/d:1"]);
        const added = await deployments().patch(
          "smp-merge",
          { spec: { template: { spec: { containers: [{ name: "e", image: "example.invalid/e:1" }] } } } },
          smp,
        );
        expect(images(added)).toEqual([
          "e=example.invalid/e:1",
          "c=example.invalid/c:2",
          "d=example.invalid/d:1",
        ]);
      },
    );

    same("$patch: delete removes a container; $setElementOrder orders the list", async () => {
      const made = deployment("smp-delete");
      made.spec!.template.spec!.containers.push(
        { name: "d", image: "example.invalid/d:1" },
        { name: "e", image: "example.invalid/e:1" },
      );
      await deployments().create(made);
      const deleted = await deployments().patch(
        "smp-delete",
        { spec: { template: { spec: { containers: [{ name: "d", $patch: "delete" }] } } } },
        smp,
      );
      expect(images(deleted)).toEqual(["c=example.invalid/c:1", "e=example.invalid/e:1"]);
      const reordered = await deployments().patch(
        "smp-delete",
        {
          spec: {
            template: {
              spec: {
                "$setElementOrder/containers": [{ name: "e" }, { name: "c" }],
                containers: [{ name: "c", image: "example.invalid/c:2" }],
              },
            },
          },
        },
        smp,
      );
      expect(images(reordered)).toEqual(["e=example.invalid/e:1", "c=example.invalid/c:2"]);
    });

    same("$retainKeys drops the Deployment strategy's other keys", async () => {
      await deployments().create(deployment("smp-retain"));
      const patched = await deployments().patch(
        "smp-retain",
        { spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } } },
        smp,
      );
      expect(patched.spec?.strategy).toEqual({ type: "Recreate" });
    });

    same("a ConfigMap's labels and data merge, null deletes, and finalizers merge as a set", async () => {
      await cms().create({
        metadata: { name: "smp-cm", labels: { a: "1", b: "2" }, finalizers: ["example.com/a"] },
        data: { x: "1" },
      });
      const patched = await cms().patch(
        "smp-cm",
        {
          metadata: { labels: { b: null, c: "3" }, finalizers: ["example.com/b"] },
          data: { y: "2" },
        },
        smp,
      );
      expect(patched.metadata?.labels).toEqual({ a: "1", c: "3" });
      expect(patched.data).toEqual({ x: "1", y: "2" });
      expect(patched.metadata?.finalizers).toEqual(["example.com/b", "example.com/a"]);
      const released = await cms().patch(
        "smp-cm",
        { metadata: { "$deleteFromPrimitiveList/finalizers": ["example.com/a", "example.com/b"] } },
        smp,
      );
      // The empty list is not stored (ObjectMeta's lists are omitempty).
      expect(released.metadata).not.toHaveProperty("finalizers");
    });

    same("env merges by name and ports by containerPort; $patch: replace replaces a map", async () => {
      const made = deployment("smp-nested");
      made.spec!.template.spec!.containers[0] = {
        name: "c",
        image: "example.invalid/c:1",
        env: [
          { name: "A", value: "1" },
          { name: "B", value: "2" },
        ],
        ports: [{ containerPort: 80, name: "http" }],
      };
      await deployments().create(made);
      const patched = await deployments().patch(
        "smp-nested",
        {
          metadata: { labels: { $patch: "replace", only: "1" } },
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: "c",
                    env: [{ name: "B", value: "3" }],
                    ports: [{ containerPort: 443, name: "https" }],
                  },
                ],
              },
            },
          },
        },
        smp,
      );
      const c = patched.spec?.template.spec?.containers[0];
      expect(c?.env).toEqual([
        { name: "A", value: "1" },
        { name: "B", value: "3" },
      ]);
      expect(c?.ports?.map((p) => `${p.name}:${p.containerPort}`)).toEqual(["https:443", "http:80"]);
      expect(patched.metadata?.labels).toEqual({ only: "1" });
    });

    same(
      "a list item without its merge key and $patch: merge in a list fail with the apiserver's 500",
      async () => {
        await deployments().create(deployment("smp-bad"));
        const codes = (containers: unknown[]) =>
          failure(
            deployments().patch("smp-bad", { spec: { template: { spec: { containers } } } } as never, smp),
          );
        expect(await codes([{ image: "example.invalid/x:1" }])).toEqual({
          code: 500,
          reason: "",
          message: "map: map[image:example.invalid/x:1] does not contain declared merge key: name",
        });
        expect(await codes([{ $patch: "merge" }])).toEqual({
          code: 500,
          reason: "",
          message: "merging lists cannot yet be specified in the patch",
        });
      },
    );

    same(
      "the status and scale subresources take strategic merge patches: conditions merge by type",
      async () => {
        await deployments().create(deployment("smp-sub"));
        const condition = (type: string, status: "True" | "False") => ({
          type,
          status,
          lastUpdateTime: "2026-01-01T00:00:00Z",
          lastTransitionTime: "2026-01-01T00:00:00Z",
          reason: "Test",
          message: "",
        });
        await deployments().patchStatus(
          "smp-sub",
          { status: { conditions: [condition("Available", "False"), condition("Progressing", "True")] } },
          smp,
        );
        const status = await deployments().patchStatus(
          "smp-sub",
          { status: { conditions: [{ type: "Available", status: "True" }] } },
          smp,
        );
        expect(status.status?.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual([
          "Available=True",
          "Progressing=True",
        ]);
        const scale = await deployments().patchScale("smp-sub", { spec: { replicas: 3 } }, smp);
        expect(scale.spec?.replicas).toBe(3);
        expect((await deployments().get("smp-sub")).spec?.replicas).toBe(3);
      },
    );

    same("a custom resource refuses strategic merge patches with 415", async () => {
      const widgets = new DynamicClient(backend().clientset.http)
        .resource({ group: "example.kubegen.dev", version: "v1", resource: "widgets" })
        .namespace(backend().namespace);
      await widgets.create({
        apiVersion: "example.kubegen.dev/v1",
        kind: "Widget",
        metadata: { name: "smp-widget" },
        spec: { size: "small" },
      });
      expect(await failure(widgets.patch("smp-widget", { spec: { size: "large" } }, smp))).toEqual({
        code: 415,
        reason: "UnsupportedMediaType",
        message:
          "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
      });
    });
  });

  describe("status, generation and scale", () => {
    same("spec changes bump generation; status goes through its subresource only", async () => {
      const made = await deployments().create(deployment("gen"));
      expect(made.metadata?.generation).toBe(1);
      const scaled = await deployments().update({ ...made, spec: { ...made.spec!, replicas: 2 } });
      expect(scaled.metadata?.generation).toBe(2);
      // A status in a main update is ignored...
      const ignored = await deployments().update({ ...scaled, status: { replicas: 7 } });
      expect(ignored.status?.replicas).toBeUndefined();
      // ...and the status subresource writes it without touching the spec or the generation.
      const status = await deployments().updateStatus({
        ...ignored,
        spec: { ...ignored.spec!, replicas: 9 },
        status: { replicas: 7, observedGeneration: 2 },
      });
      expect(status.status?.replicas).toBe(7);
      expect(status.spec?.replicas).toBe(2);
      expect(status.metadata?.generation).toBe(2);
    });

    same("the scale subresource reads and writes spec.replicas", async () => {
      await deployments().create(deployment("sc", 1));
      const scale = await deployments().getScale("sc");
      expect(scale).toMatchObject({ apiVersion: "autoscaling/v1", kind: "Scale", spec: { replicas: 1 } });
      expect(scale.status?.selector).toBe("app=sc");
      const updated = await deployments().updateScale("sc", { ...scale, spec: { replicas: 4 } });
      expect(updated.spec?.replicas).toBe(4);
      expect((await deployments().get("sc")).spec?.replicas).toBe(4);
    });
  });

  describe("server-side apply and field ownership", () => {
    same("creates, updates and patches record Update entries for their field manager", async () => {
      const made = await cms().create(
        { metadata: { name: "own-u" }, data: { k: "v" } },
        { fieldManager: "suite" },
      );
      expect(owners(made)).toEqual([
        {
          manager: "suite",
          operation: "Update",
          subresource: "",
          fieldsV1: { "f:data": { ".": {}, "f:k": {} } },
        },
      ]);
      const updated = await cms().update(
        { ...made, metadata: { ...made.metadata, labels: { x: "y" } }, data: { k: "v", j: "w" } },
        { fieldManager: "upd" },
      );
      expect(owners(updated)).toEqual([
        {
          manager: "suite",
          operation: "Update",
          subresource: "",
          fieldsV1: { "f:data": { ".": {}, "f:k": {} } },
        },
        {
          manager: "upd",
          operation: "Update",
          subresource: "",
          fieldsV1: { "f:data": { "f:j": {} }, "f:metadata": { "f:labels": { ".": {}, "f:x": {} } } },
        },
      ]);
      // Without a fieldManager the manager is the User-Agent's first word.
      const byAgent = await cms().patch("own-u", { data: { n: "1" } });
      expect(owners(byAgent).find((e) => e.manager === "kubegen")).toEqual({
        manager: "kubegen",
        operation: "Update",
        subresource: "",
        fieldsV1: { "f:data": { "f:n": {} } },
      });
      // An apply over fields Update managers own conflicts with them, grouped by manager.
      expect(
        await failure(
          cms().apply({ metadata: { name: "own-u" }, data: { k: "x", j: "z" } }, { fieldManager: "beta" }),
        ),
      ).toEqual({
        code: 409,
        reason: "Conflict",
        message:
          'Apply failed with 2 conflicts: conflicts with "suite" using v1:\n- .data.k\nconflicts with "upd" using v1:\n- .data.j',
      });
    });

    same(
      "a write takes the fields it changes from their owners; scale writes are the scale subresource's",
      async () => {
        const made = await cms().create(
          { metadata: { name: "own-set", finalizers: ["example.com/x"] }, data: { k: "v", keep: "v" } },
          { fieldManager: "alpha" },
        );
        // A set an update adds is owned itself (`.`) and by its values.
        expect(owners(made)).toEqual([
          {
            manager: "alpha",
            operation: "Update",
            subresource: "",
            fieldsV1: {
              "f:data": { ".": {}, "f:k": {}, "f:keep": {} },
              "f:metadata": { "f:finalizers": { ".": {}, 'v:"example.com/x"': {} } },
            },
          },
        ]);
        // A write that removes a field takes it from its owner; the map stays owned.
        const removed = await cms().patch("own-set", { data: { k: null } }, undefined, {
          fieldManager: "remover",
        });
        expect(owners(removed)).toEqual([
          {
            manager: "alpha",
            operation: "Update",
            subresource: "",
            fieldsV1: {
              "f:data": { ".": {}, "f:keep": {} },
              "f:metadata": { "f:finalizers": { ".": {}, 'v:"example.com/x"': {} } },
            },
          },
        ]);
        await deployments().apply(deployment("own-scale") as ApplyConfiguration<Deployment>, {
          fieldManager: "alpha",
        });
        await deployments().updateScale(
          "own-scale",
          { metadata: { name: "own-scale" }, spec: { replicas: 3 } },
          { fieldManager: "scaler" },
        );
        const scaled = owners(await deployments().get("own-scale"));
        expect(scaled.find((e) => e.manager === "scaler")).toEqual({
          manager: "scaler",
          operation: "Update",
          subresource: "scale",
          fieldsV1: { "f:spec": { "f:replicas": {} } },
        });
        // alpha no longer owns the replicas the scaler changed.
        expect(scaled.find((e) => e.manager === "alpha")?.fieldsV1).not.toHaveProperty([
          "f:spec",
          "f:replicas",
        ]);
        expect(scaled.find((e) => e.manager === "alpha")?.fieldsV1).toHaveProperty(["f:spec", "f:selector"]);
      },
    );

    same("apply creates; a re-apply without a field removes it; fieldManager is required", async () => {
      const made = await cms().apply(
        { metadata: { name: "ssa-cm", labels: { l: "1" } }, data: { k: "v", m: "n" } },
        { fieldManager: "alpha" },
      );
      expect(made.data).toEqual({ k: "v", m: "n" });
      expect(owners(made)).toEqual([
        {
          manager: "alpha",
          operation: "Apply",
          subresource: "",
          fieldsV1: { "f:data": { "f:k": {}, "f:m": {} }, "f:metadata": { "f:labels": { "f:l": {} } } },
        },
      ]);
      const reapplied = await cms().apply(
        { metadata: { name: "ssa-cm" }, data: { k: "v" } },
        { fieldManager: "alpha" },
      );
      expect(reapplied.data).toEqual({ k: "v" });
      expect(reapplied.metadata?.labels).toBeUndefined();
      expect(owners(reapplied)).toEqual([
        { manager: "alpha", operation: "Apply", subresource: "", fieldsV1: { "f:data": { "f:k": {} } } },
      ]);
      expect(await failure(cms().apply({ metadata: { name: "ssa-cm" } }, {} as never))).toEqual({
        code: 422,
        reason: "Invalid",
        message:
          'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      });
    });

    same("a conflicting apply is a 409 naming the other manager and field; force takes it over", async () => {
      await cms().apply(
        { metadata: { name: "ssa-conflict" }, data: { k: "v", s: "same" } },
        { fieldManager: "alpha" },
      );
      // The same value is no conflict: both own it.
      await cms().apply(
        { metadata: { name: "ssa-conflict" }, data: { s: "same" } },
        { fieldManager: "beta" },
      );
      const conflicting = { metadata: { name: "ssa-conflict" }, data: { k: "other", s: "same" } };
      expect(await failure(cms().apply(conflicting, { fieldManager: "beta" }))).toEqual({
        code: 409,
        reason: "Conflict",
        message: 'Apply failed with 1 conflict: conflict with "alpha": .data.k',
      });
      const forced = await cms().apply(conflicting, { fieldManager: "beta", force: true });
      expect(forced.data).toEqual({ k: "other", s: "same" });
      expect(owners(forced)).toEqual([
        { manager: "alpha", operation: "Apply", subresource: "", fieldsV1: { "f:data": { "f:s": {} } } },
        {
          manager: "beta",
          operation: "Apply",
          subresource: "",
          fieldsV1: { "f:data": { "f:k": {}, "f:s": {} } },
        },
      ]);
      // alpha stops applying s: beta still owns it, so it stays.
      const kept = await cms().apply({ metadata: { name: "ssa-conflict" } }, { fieldManager: "alpha" });
      expect(kept.data).toEqual({ k: "other", s: "same" });
    });

    same("extract gives each manager's configuration; applying it back is a no-op", async () => {
      const web: ApplyConfiguration<Deployment> = {
        metadata: { name: "ssa-web", labels: { owner: "alpha" } },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "ssa-web" } },
          template: {
            metadata: { labels: { app: "ssa-web" } },
            spec: { containers: [{ name: "app", image: "example.invalid/app:1" }] },
          },
        },
      };
      await deployments().apply(web, { fieldManager: "alpha" });
      const both = await deployments().apply(
        {
          metadata: { name: "ssa-web", labels: { team: "beta" } },
          spec: {
            template: { spec: { containers: [{ name: "sidecar", image: "example.invalid/sidecar:1" }] } },
          },
        },
        { fieldManager: "beta" },
      );
      expect(both.spec?.template.spec?.containers.map((c) => c.name)).toEqual(["app", "sidecar"]);
      // The selector is an atomic struct, owned whole; containers are keyed by name.
      expect(owners(both).find((e) => e.manager === "alpha")?.fieldsV1).toEqual({
        "f:metadata": { "f:labels": { "f:owner": {} } },
        "f:spec": {
          "f:replicas": {},
          "f:selector": {},
          "f:template": {
            "f:metadata": { "f:labels": { "f:app": {} } },
            "f:spec": { "f:containers": { 'k:{"name":"app"}': { ".": {}, "f:image": {}, "f:name": {} } } },
          },
        },
      });
      const alpha = extract(both, "alpha");
      expect(alpha).toEqual({
        apiVersion: "apps/v1",
        kind: "Deployment",
        ...web,
        metadata: { ...web.metadata, namespace: backend().namespace },
      });
      expect(extract(both, "beta")).toEqual({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "ssa-web", namespace: backend().namespace, labels: { team: "beta" } },
        spec: {
          template: { spec: { containers: [{ name: "sidecar", image: "example.invalid/sidecar:1" }] } },
        },
      });
      const again = await deployments().apply(alpha, { fieldManager: "alpha" });
      expect(again.metadata?.resourceVersion).toBe(both.metadata?.resourceVersion);
      // Extract, modify, apply: alpha's container changes, beta's stays.
      alpha.spec!.template!.spec!.containers![0]!.image = "example.invalid/app:2";
      const updated = await deployments().apply(alpha, { fieldManager: "alpha" });
      expect(updated.spec?.template.spec?.containers.map((c) => `${c.name}=${c.image}`)).toEqual([
        "app=example.invalid/app:2",
        "sidecar=example.invalid/sidecar:1",
      ]);
    });

    same("applyStatus owns the status under the status subresource", async () => {
      await deployments().apply(deployment("ssa-status") as ApplyConfiguration<Deployment>, {
        fieldManager: "alpha",
      });
      const status = await deployments().applyStatus(
        {
          metadata: { name: "ssa-status" },
          status: { observedGeneration: 1, conditions: [{ type: "Progressing", status: "True" }] },
        },
        { fieldManager: "status-writer", force: true },
      );
      expect(owners(status).filter((e) => e.manager === "status-writer")).toEqual([
        {
          manager: "status-writer",
          operation: "Apply",
          subresource: "status",
          fieldsV1: {
            "f:status": {
              "f:conditions": { 'k:{"type":"Progressing"}': { ".": {}, "f:status": {}, "f:type": {} } },
              "f:observedGeneration": {},
            },
          },
        },
      ]);
      expect(extract(status, "status-writer", "status")).toEqual({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "ssa-status", namespace: backend().namespace },
        status: { observedGeneration: 1, conditions: [{ type: "Progressing", status: "True" }] },
      });
    });

    same("a custom resource takes server-side apply", async () => {
      const widgets = new DynamicClient(backend().clientset.http)
        .resource({ group: "example.kubegen.dev", version: "v1", resource: "widgets" })
        .namespace(backend().namespace);
      const widget = (size: string) => ({
        apiVersion: "example.kubegen.dev/v1",
        kind: "Widget",
        metadata: { name: "ssa-widget" },
        spec: { size },
      });
      const made = await widgets.apply(widget("small"), { fieldManager: "alpha" });
      expect(owners(made)).toEqual([
        { manager: "alpha", operation: "Apply", subresource: "", fieldsV1: { "f:spec": { "f:size": {} } } },
      ]);
      expect(await failure(widgets.apply(widget("large"), { fieldManager: "beta" }))).toMatchObject({
        code: 409,
        message: 'Apply failed with 1 conflict: conflict with "alpha": .spec.size',
      });
    });
  });

  describe("where the fake differs", () => {
    differs(
      "the apiserver validates objects against Kubernetes' rules; the fake checks names only",
      async (kind) => {
        const call = cms().create({ metadata: { name: "bad-label", labels: { "bad label": "x" } } });
        if (kind === "apiserver") expect(await failure(call)).toMatchObject({ code: 422, reason: "Invalid" });
        else expect((await call).metadata?.labels).toEqual({ "bad label": "x" });
      },
    );

    differs(
      "the apiserver fills in defaults (a Deployment's strategy); the fake stores what it is given",
      async (kind) => {
        const made = await deployments().create(deployment("defaults"));
        if (kind === "apiserver") expect(made.spec?.strategy?.type).toBe("RollingUpdate");
        else expect(made.spec?.strategy).toBeUndefined();
      },
    );
  });
}
