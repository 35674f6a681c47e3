/**
 * Typed server-side apply and `extract` on the real apiserver: two field managers apply to one
 * Deployment; a conflicting apply without `force` is a Conflict naming the other manager, with
 * `force` it wins; `extract` returns exactly the fields a manager owns, applying it back changes
 * nothing, and "extract, modify, apply" changes only what was modified. The status subresource
 * too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Deployment } from "../../generated/kubernetes/apps/v1.js";
import { Clientset } from "../../generated/kubernetes/index.js";
import { extract } from "../../runtime/core/extract.js";
import type { ApplyConfiguration } from "../../runtime/core/object.js";
import { isConflict, type StatusError } from "../../runtime/errors.js";
import { adminConfig } from "../support/client-config.js";
import { useTestNamespace } from "../support/cluster.js";

const namespace = useTestNamespace("apply");
let clientset: Clientset;

beforeAll(async () => {
  clientset = Clientset.forConfig(await adminConfig());
});
afterAll(() => clientset.close());

const deployments = () => clientset.appsV1.deployments(namespace());

const web: ApplyConfiguration<Deployment> = {
  metadata: { name: "web", labels: { owner: "alpha" } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "app", image: "example.invalid/app:1" }] },
    },
  },
};

describe("server-side apply with two managers, and extract", () => {
  it("conflicts name the other manager; force wins; extract returns exactly what a manager owns", async () => {
    const applied = await deployments().apply(web, { fieldManager: "alpha" });
    expect(applied.spec?.replicas).toBe(2);

    // beta adds a label and a second container: no conflict, beta now co-owns the object.
    const betaFields: ApplyConfiguration<Deployment> = {
      metadata: { name: "web", labels: { team: "beta" } },
      spec: { template: { spec: { containers: [{ name: "sidecar", image: "example.invalid/sidecar:1" }] } } },
    };
    await deployments().apply(betaFields, { fieldManager: "beta" });

    // An apply states everything its manager wants to own; beta now wants replicas too, which
    // alpha owns: a Conflict that names alpha and the field.
    const withReplicas = { ...betaFields, spec: { ...betaFields.spec, replicas: 5 } };
    let conflict: StatusError | undefined;
    try {
      await deployments().apply(withReplicas, { fieldManager: "beta" });
    } catch (err) {
      conflict = err as StatusError;
    }
    expect(isConflict(conflict)).toBe(true);
    expect(conflict?.message).toMatch(/conflict with "alpha".*\.spec\.replicas/s);

    // With force, beta takes replicas over.
    const forced = await deployments().apply(withReplicas, { fieldManager: "beta", force: true });
    expect(forced.spec?.replicas).toBe(5);

    // alpha still owns its label, the selector, the template's label and its container — not replicas.
    const alpha = extract(forced, "alpha");
    expect(alpha).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: namespace(), labels: { owner: "alpha" } },
      spec: {
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "app", image: "example.invalid/app:1" }] },
        },
      },
    });
    const beta = extract(forced, "beta");
    expect(beta).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: namespace(), labels: { team: "beta" } },
      spec: {
        replicas: 5,
        template: { spec: { containers: [{ name: "sidecar", image: "example.invalid/sidecar:1" }] } },
      },
    });
    expect(extract(forced, "nobody")).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: namespace() },
    });

    // Applying the extract back is a no-op: nothing changes, not even the resourceVersion.
    const again = await deployments().apply(alpha, { fieldManager: "alpha" });
    expect(again.metadata?.resourceVersion).toBe(forced.metadata?.resourceVersion);

    // Extract, modify, apply: only the modified field changes, and alpha keeps what it owned.
    const modified = extract(again, "alpha");
    modified.spec!.template!.spec!.containers![0]!.image = "example.invalid/app:2";
    const updated = await deployments().apply(modified, { fieldManager: "alpha" });
    expect(updated.spec?.template?.spec?.containers?.map((c) => `${c.name} ${c.image}`)).toEqual([
      "app example.invalid/app:2",
      "sidecar example.invalid/sidecar:1",
    ]);
    expect(updated.spec?.replicas).toBe(5);
    expect(extract(updated, "alpha")).toEqual({
      ...alpha,
      spec: {
        ...alpha.spec,
        template: {
          ...alpha.spec!.template,
          spec: { containers: [{ name: "app", image: "example.invalid/app:2" }] },
        },
      },
    });
  });

  it("extracts what applyStatus set, by subresource", async () => {
    await deployments().apply({ ...web, metadata: { name: "status-web" } }, { fieldManager: "alpha" });
    const withStatus = await deployments().applyStatus(
      {
        metadata: { name: "status-web" },
        status: { observedGeneration: 1, conditions: [{ type: "Progressing", status: "True" }] },
      },
      { fieldManager: "status-writer", force: true },
    );
    expect(extract(withStatus, "status-writer", "status")).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "status-web", namespace: namespace() },
      status: { observedGeneration: 1, conditions: [{ type: "Progressing", status: "True" }] },
    });
    // The main resource's entry of that manager is a different one: there is none.
    expect(extract(withStatus, "status-writer")).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "status-web", namespace: namespace() },
    });
  });
});
