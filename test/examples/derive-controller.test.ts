/**
 * The example controller (examples/derive-controller.ts) unit-tested with the fake clientset, no
 * cluster: it derives a ConfigMap per source by server-side apply, follows an update, retries a
 * failure through its work queue, records Events, and a reactor's injected failure is retried too.
 */
import { describe, expect, it } from "vitest";
import { derivedName, runDeriveController, summarize } from "../../examples/derive-controller.js";
import { FakeClientset } from "../../generated/kubernetes/fake.js";
import { StatusError } from "../../runtime/errors.js";
import { EventRecorder } from "../../runtime/tools/events.js";

const until = async (check: () => Promise<boolean>, what: string): Promise<void> => {
  for (const deadline = Date.now() + 5000; !(await check()); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

const source = (name: string, data: Record<string, string>) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "apps", labels: { example: "controller" } },
  data,
});

describe("the example controller on the fake clientset", () => {
  it("derives, follows updates, retries, and records an Event per reconcile", async () => {
    const clientset = new FakeClientset({ objects: [source("a", { k: "1" }), source("b", {})] });
    const configMaps = clientset.coreV1.configMaps("apps");
    // The first apply of b-derived fails as an apiserver might: the work queue retries it.
    let failOnce = true;
    clientset.prependReactor("patch", "configmaps", (action) => {
      if (action.name !== derivedName("b") || !failOnce) return undefined;
      failOnce = false;
      return {
        error: new StatusError({
          kind: "Status",
          status: "Failure",
          code: 500,
          reason: "InternalError",
          message: "injected",
        }),
      };
    });
    const retried: string[] = [];
    const recorder = new EventRecorder({
      clientset,
      reportingController: "example.com/derive-controller",
      reportingInstance: "test",
    });
    const stop = new AbortController();
    const running = runDeriveController(
      {
        clientset,
        namespace: "apps",
        recorder,
        flaky: ["a"],
        onRetry: (name, err) => retried.push(`${name}: ${err.message}`),
      },
      stop.signal,
    );
    const derived = async () =>
      (await configMaps.list({ labelSelector: "example=controller-derived" })).items;
    await until(async () => (await derived()).length === 2, "two derived ConfigMaps");

    await configMaps.update({
      metadata: { name: "a", labels: { example: "controller" } },
      data: { k: "2", l: "3" },
    });
    const want = summarize({ k: "2", l: "3" });
    await until(
      async () => (await configMaps.get(derivedName("a"))).data?.sha256 === want.sha256,
      "a-derived to follow",
    );
    stop.abort();
    await running;

    const a = await configMaps.get(derivedName("a"));
    expect(a.data).toEqual({ source: "a", ...want });
    expect(a.metadata?.ownerReferences).toEqual([
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        name: "a",
        uid: (await configMaps.get("a")).metadata?.uid,
        controller: true,
      },
    ]);
    expect(retried.sort()).toEqual(["a: simulated transient error", expect.stringMatching(/^b: .*injected/)]);
    // Applied by its field manager, as server-side apply.
    expect(a.metadata?.managedFields?.map((m) => `${m.manager} ${m.operation}`)).toContain(
      "derive-controller Apply",
    );
    const events = (await clientset.eventsV1.events("apps").list()).items.map(
      (e) => `${e.reason} ${e.regarding?.name}`,
    );
    expect(events.sort()).toEqual(["Derived a", "Derived a", "Derived b"]);
    // Every write went through the clientset: the fake recorded it.
    expect(
      clientset.actions().filter((x) => x.verb === "patch" && x.patchType === "application/apply-patch+yaml")
        .length,
    ).toBeGreaterThanOrEqual(3);
  });
});
