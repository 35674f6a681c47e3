/**
 * An event recorder on `events.k8s.io/v1`, as client-go's `tools/events`: `eventf` creates an
 * Event about an object; the same event (action, reason, controller, regarding, related) repeated
 * while its series is open updates that Event's `series` (count, lastObservedTime) instead of
 * creating another. A series closes when it has not been seen for 6 minutes.
 */
import { format } from "node:util";
import { microTime } from "./leader-election.js";

/** An object reference as Events carry it. */
export interface EventObjectReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** The part of an `events.k8s.io/v1` Event the recorder writes. */
export interface EventLike {
  apiVersion?: "events.k8s.io/v1";
  kind?: "Event";
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  eventTime: string | null;
  series?: { count: number; lastObservedTime: string | null };
  reportingController?: string;
  reportingInstance?: string;
  action?: string;
  reason?: string;
  regarding?: EventObjectReference;
  related?: EventObjectReference;
  note?: string;
  type?: string;
}

/** What the recorder calls: `clientset.eventsV1.events(ns)` fits. */
export interface EventClient<E extends EventLike = EventLike> {
  create(object: E, options?: { signal?: AbortSignal }): Promise<E>;
  patch(
    name: string,
    patch: { series: { count: number; lastObservedTime: string } },
    type?: "application/merge-patch+json",
  ): Promise<E>;
}

/** A clientset with the `events.k8s.io/v1` group, such as the generated `Clientset`. */
export interface EventClientset<E extends EventLike = EventLike> {
  eventsV1: { events(namespace: string): EventClient<E> };
}

export interface EventRecorderOptions {
  clientset: EventClientset;
  /** `reportingController`, e.g. `example.com/my-controller`. */
  reportingController: string;
  /** `reportingInstance`, e.g. the pod name. */
  reportingInstance: string;
  /** How long a series stays open after its last occurrence; default 6 minutes (client-go's). */
  seriesWindowMs?: number;
  /** Errors while writing Events (they are never thrown, as client-go only logs them). */
  onError?(err: unknown): void;
  now?(): number;
}

/** client-go's `finishTime`: a series not seen for this long is over. */
export const EVENT_SERIES_WINDOW_MS = 6 * 60_000;
/** The apiserver's limit on `note`. */
export const MAX_EVENT_NOTE_LENGTH = 1024;

export const EventTypes = { normal: "Normal", warning: "Warning" } as const;

/** Anything with the metadata of a Kubernetes object, or a reference. */
export type EventSubject =
  | EventObjectReference
  | {
      apiVersion?: string;
      kind?: string;
      metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
    };

function referenceOf(subject: EventSubject): EventObjectReference {
  if ("metadata" in subject && subject.metadata) {
    const m = subject.metadata;
    const ref: EventObjectReference = {
      apiVersion: subject.apiVersion,
      kind: subject.kind,
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
    };
    return Object.fromEntries(Object.entries(ref).filter(([, v]) => v !== undefined));
  }
  return { ...(subject as EventObjectReference) };
}

interface SeriesEntry {
  event: EventLike;
  lastSeen: number;
}

export class EventRecorder {
  private readonly options: EventRecorderOptions;
  private readonly cache = new Map<string, SeriesEntry>();
  private readonly pending = new Map<string, Promise<unknown>>();
  private sequence = 0;

  constructor(options: EventRecorderOptions) {
    if (!options.reportingController || !options.reportingInstance)
      throw new Error("event recorder: reportingController and reportingInstance are required");
    this.options = options;
  }

  /**
   * Records an event about `regarding` (and optionally `related`); `note` is a printf-style
   * format for `args`. Resolves to the Event as stored, or undefined if writing it failed.
   */
  eventf(
    regarding: EventSubject,
    related: EventSubject | undefined,
    type: string,
    reason: string,
    action: string,
    note: string,
    ...args: unknown[]
  ): Promise<EventLike | undefined> {
    const ref = referenceOf(regarding);
    const rel = related ? referenceOf(related) : undefined;
    const text = (args.length ? format(note, ...args) : note).slice(0, MAX_EVENT_NOTE_LENGTH);
    const key = JSON.stringify([action, reason, this.options.reportingController, ref, rel ?? null]);
    // One write at a time per series, so repeats aggregate rather than race.
    const previous = this.pending.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.record(key, ref, rel, type, reason, action, text));
    this.pending.set(key, next);
    void next.finally(() => {
      if (this.pending.get(key) === next) this.pending.delete(key);
    });
    return next;
  }

  private async record(
    key: string,
    regarding: EventObjectReference,
    related: EventObjectReference | undefined,
    type: string,
    reason: string,
    action: string,
    note: string,
  ): Promise<EventLike | undefined> {
    const now = this.options.now?.() ?? Date.now();
    const window = this.options.seriesWindowMs ?? EVENT_SERIES_WINDOW_MS;
    this.expire(now, window);
    const namespace = regarding.namespace || "default";
    const events = this.options.clientset.eventsV1.events(namespace);
    const open = this.cache.get(key);
    try {
      if (open?.event.metadata?.name) {
        const series = {
          count: (open.event.series?.count ?? 1) + 1,
          lastObservedTime: microTime(now),
        };
        const updated = await events.patch(
          open.event.metadata.name,
          { series },
          "application/merge-patch+json",
        );
        this.cache.set(key, { event: updated, lastSeen: now });
        return updated;
      }
      const created = await events.create({
        apiVersion: "events.k8s.io/v1",
        kind: "Event",
        // client-go's name: the object's name and the time in hexadecimal nanoseconds.
        metadata: { name: `${regarding.name}.${this.nameSuffix(now)}`, namespace },
        eventTime: microTime(now),
        reportingController: this.options.reportingController,
        reportingInstance: this.options.reportingInstance,
        action,
        reason,
        regarding,
        ...(related ? { related } : {}),
        note,
        type,
      });
      this.cache.set(key, { event: created, lastSeen: now });
      return created;
    } catch (err) {
      // A series whose Event is gone (deleted, expired by TTL) starts over next time.
      this.cache.delete(key);
      this.options.onError?.(err);
      return undefined;
    }
  }

  /** Hexadecimal nanoseconds; a counter fills the sub-millisecond digits so names stay unique. */
  private nameSuffix(now: number): string {
    this.sequence = (this.sequence + 1) % 1_000_000;
    return (BigInt(now) * 1_000_000n + BigInt(this.sequence)).toString(16);
  }

  private expire(now: number, window: number): void {
    for (const [key, entry] of this.cache) if (now - entry.lastSeen > window) this.cache.delete(key);
  }
}
