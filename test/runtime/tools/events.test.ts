/**
 * The event recorder's aggregation against an in-memory Event client: first occurrence creates,
 * repeats patch the series, a different key or an elapsed window creates anew, failures reach
 * onError and restart the series.
 */
import { describe, expect, it } from "vitest";
import { StatusError } from "../../../runtime/errors.js";
import {
  type EventClient,
  type EventLike,
  EventRecorder,
  MAX_EVENT_NOTE_LENGTH,
} from "../../../runtime/tools/events.js";

class FakeEvents implements EventClient {
  readonly stored = new Map<string, EventLike>();
  readonly calls: string[] = [];
  async create(object: EventLike): Promise<EventLike> {
    const name = object.metadata?.name ?? "";
    this.calls.push(`create ${name}`);
    if (this.stored.has(name)) throw new StatusError({ code: 409, reason: "AlreadyExists" });
    this.stored.set(name, structuredClone(object));
    return structuredClone(object);
  }
  async patch(name: string, patch: { series: { count: number; lastObservedTime: string } }) {
    this.calls.push(`patch ${name} ${patch.series.count}`);
    const existing = this.stored.get(name);
    if (!existing) throw new StatusError({ code: 404, reason: "NotFound" });
    existing.series = patch.series;
    return structuredClone(existing);
  }
}

function setup(windowMs?: number) {
  const events = new FakeEvents();
  const errors: unknown[] = [];
  const clock = { t: Date.UTC(2026, 0, 1) };
  const recorder = new EventRecorder({
    clientset: { eventsV1: { events: () => events } },
    reportingController: "example.com/ctl",
    reportingInstance: "pod-1",
    seriesWindowMs: windowMs,
    now: () => clock.t,
    onError: (e) => errors.push(e),
  });
  return { events, errors, clock, recorder };
}

const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "prod", uid: "u1" } };

describe("EventRecorder", () => {
  it("creates the first event with client-go's fields and name", async () => {
    const { events, recorder, clock } = setup();
    const e = await recorder.eventf(pod, undefined, "Warning", "Failed", "Pull", "pull %s: %d", "img", 3);
    expect(e).toMatchObject({
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { namespace: "prod" },
      reportingController: "example.com/ctl",
      reportingInstance: "pod-1",
      type: "Warning",
      reason: "Failed",
      action: "Pull",
      note: "pull img: 3",
      regarding: { apiVersion: "v1", kind: "Pod", name: "web", namespace: "prod", uid: "u1" },
      eventTime: new Date(clock.t).toISOString().replace("Z", "000Z"),
    });
    expect(e?.related).toBeUndefined();
    const hex = e?.metadata?.name?.split(".")[1] ?? "";
    expect(BigInt(`0x${hex}`) / 1_000_000n).toBe(BigInt(clock.t));
    expect(events.calls).toHaveLength(1);
  });

  it("counts repeats in the series, even when concurrent; other keys get their own Event", async () => {
    const { events, recorder, clock } = setup();
    const first = await recorder.eventf(pod, undefined, "Normal", "Synced", "Sync", "ok");
    clock.t += 1_000;
    await Promise.all([1, 2, 3].map(() => recorder.eventf(pod, undefined, "Normal", "Synced", "Sync", "ok")));
    const name = first?.metadata?.name ?? "";
    expect(events.calls).toEqual([`create ${name}`, `patch ${name} 2`, `patch ${name} 3`, `patch ${name} 4`]);
    expect(events.stored.get(name)?.series?.lastObservedTime).toBe(
      new Date(clock.t).toISOString().replace("Z", "000Z"),
    );
    const related = { kind: "Node", name: "n1" };
    await recorder.eventf(pod, related, "Normal", "Synced", "Sync", "ok");
    await recorder.eventf(pod, undefined, "Normal", "Synced", "Resync", "ok");
    expect(events.stored.size).toBe(3);
  });

  it("closes a series after the window and restarts one whose Event is gone", async () => {
    const { events, errors, recorder, clock } = setup(10_000);
    const a = await recorder.eventf(pod, undefined, "Normal", "R", "A", "n");
    clock.t += 10_001;
    const b = await recorder.eventf(pod, undefined, "Normal", "R", "A", "n");
    expect(b?.metadata?.name).not.toBe(a?.metadata?.name);
    events.stored.clear();
    clock.t += 1;
    expect(await recorder.eventf(pod, undefined, "Normal", "R", "A", "n")).toBeUndefined();
    expect(errors).toHaveLength(1);
    clock.t += 1;
    const c = await recorder.eventf(pod, undefined, "Normal", "R", "A", "n");
    expect(c?.series).toBeUndefined();
    expect(events.stored.size).toBe(1);
  });

  it("truncates long notes and puts namespace-less objects' events in default", async () => {
    const { recorder } = setup();
    const e = await recorder.eventf(
      { kind: "Node", name: "n1" },
      undefined,
      "Normal",
      "R",
      "A",
      "x".repeat(2000),
    );
    expect(e?.note).toHaveLength(MAX_EVENT_NOTE_LENGTH);
    expect(e?.metadata?.namespace).toBe("default");
  });
});
