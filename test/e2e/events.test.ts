/**
 * The events.k8s.io/v1 recorder against the real apiserver: an Event with the reporting fields,
 * and the same event repeated updating one Event's series instead of creating more.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Clientset } from "../../generated/kubernetes/index.js";
import { EventRecorder, EventTypes } from "../../runtime/tools/events.js";
import { adminConfig } from "../support/client-config.js";
import { useTestNamespace } from "../support/cluster.js";

const namespace = useTestNamespace("events");
let clientset: Clientset;

beforeAll(async () => {
  clientset = Clientset.forConfig(await adminConfig());
});
afterAll(() => clientset.close());

describe("EventRecorder", () => {
  it("creates an Event, then counts repeats in its series", async () => {
    const ns = namespace();
    const cm = await clientset.coreV1.configMaps(ns).create({ metadata: { name: "subject" } });
    const errors: unknown[] = [];
    const recorder = new EventRecorder({
      clientset,
      reportingController: "kubegen.dev/test-controller",
      reportingInstance: "test-1",
      onError: (e) => errors.push(e),
    });
    const subject = { apiVersion: "v1", kind: "ConfigMap", metadata: cm.metadata };
    const first = await recorder.eventf(
      subject,
      undefined,
      EventTypes.normal,
      "Synced",
      "Sync",
      "synced %d keys",
      3,
    );
    expect(errors).toEqual([]);
    expect(first?.metadata?.name).toMatch(/^subject\.[0-9a-f]+$/);
    const stored = await clientset.eventsV1.events(ns).get(first?.metadata?.name ?? "");
    expect(stored).toMatchObject({
      reportingController: "kubegen.dev/test-controller",
      reportingInstance: "test-1",
      action: "Sync",
      reason: "Synced",
      type: "Normal",
      note: "synced 3 keys",
      regarding: { kind: "ConfigMap", name: "subject", namespace: ns, uid: cm.metadata?.uid },
    });
    expect(stored.eventTime).toMatch(/\.\d{6}Z$/);
    expect(stored.series ?? null).toBeNull();

    // Four more of the same, concurrently: one Event, series count 5.
    await Promise.all(
      [1, 2, 3, 4].map(() =>
        recorder.eventf(subject, undefined, EventTypes.normal, "Synced", "Sync", "synced %d keys", 3),
      ),
    );
    // A different reason is a different event.
    const other = await recorder.eventf(subject, undefined, EventTypes.warning, "Failed", "Sync", "boom");
    expect(errors).toEqual([]);
    const list = await clientset.eventsV1.events(ns).list();
    expect(list.items).toHaveLength(2);
    const series = list.items.find((e) => e.metadata?.name === first?.metadata?.name);
    expect(series?.series?.count).toBe(5);
    expect(series?.series?.lastObservedTime).toMatch(/\.\d{6}Z$/);
    expect(list.items.find((e) => e.metadata?.name === other?.metadata?.name)?.type).toBe("Warning");
  });

  it("starts a new Event once the series window has passed", async () => {
    const ns = namespace();
    let now = Date.now();
    const recorder = new EventRecorder({
      clientset,
      reportingController: "kubegen.dev/test-controller",
      reportingInstance: "test-1",
      seriesWindowMs: 60_000,
      now: () => now,
    });
    const subject = { kind: "ConfigMap", name: "windowed", namespace: ns, apiVersion: "v1" };
    const a = await recorder.eventf(subject, undefined, "Normal", "Tick", "Tick", "tick");
    now += 30_000;
    const b = await recorder.eventf(subject, undefined, "Normal", "Tick", "Tick", "tick");
    expect(b?.metadata?.name).toBe(a?.metadata?.name);
    expect(b?.series?.count).toBe(2);
    now += 61_000;
    const c = await recorder.eventf(subject, undefined, "Normal", "Tick", "Tick", "tick");
    expect(c?.metadata?.name).not.toBe(a?.metadata?.name);
    expect(c?.series ?? null).toBeNull();
    const list = await clientset.eventsV1.events(ns).list();
    expect(list.items.filter((e) => e.regarding?.name === "windowed")).toHaveLength(2);
  });
});
