/**
 * Leader election's decisions against an in-memory Lease store (with resourceVersion checks) and a
 * fake clock: acquiring a free or expired lease, respecting a valid one, judging expiry by the
 * local time of the last observed change, conflicts, release, and the run loop.
 */
import { describe, expect, it } from "vitest";
import { StatusError } from "../../../runtime/errors.js";
import {
  type LeaderElectionOptions,
  LeaderElector,
  type LeaseClient,
  type LeaseLike,
  microTime,
  runLeaderElection,
} from "../../../runtime/tools/leader-election.js";

/** One Lease in memory; update checks resourceVersion like the apiserver. */
class FakeLeaseStore implements LeaseClient {
  lease: LeaseLike | undefined;
  private rv = 0;
  writes = 0;
  failWrites = false;

  async get(name: string): Promise<LeaseLike> {
    if (!this.lease)
      throw new StatusError({ code: 404, reason: "NotFound", message: `leases "${name}" not found` });
    return structuredClone(this.lease);
  }
  async create(object: LeaseLike): Promise<LeaseLike> {
    if (this.lease) throw new StatusError({ code: 409, reason: "AlreadyExists", message: "exists" });
    return this.store(object);
  }
  async update(object: LeaseLike): Promise<LeaseLike> {
    if (this.failWrites) throw new Error("connection refused");
    if (object.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion)
      throw new StatusError({ code: 409, reason: "Conflict", message: "the object has been modified" });
    return this.store(object);
  }
  private store(object: LeaseLike): LeaseLike {
    this.writes++;
    this.lease = structuredClone({
      ...object,
      metadata: { ...object.metadata, resourceVersion: String(++this.rv) },
    });
    return structuredClone(this.lease);
  }
}

function fakeClock(start = 1_000_000) {
  const clock = {
    t: start,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
      await new Promise((r) => setImmediate(r));
    },
  };
  return clock;
}

const base = (store: LeaseClient, identity: string, clock = fakeClock()): LeaderElectionOptions => ({
  client: store,
  namespace: "ns",
  name: "lock",
  identity,
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
  clock,
});

describe("LeaderElector.tryAcquireOrRenew", () => {
  it("creates a missing Lease with this holder and client-go's fields", async () => {
    const store = new FakeLeaseStore();
    const clock = fakeClock();
    const a = new LeaderElector(base(store, "a", clock));
    expect(await a.tryAcquireOrRenew()).toBe(true);
    expect(store.lease?.spec).toEqual({
      holderIdentity: "a",
      leaseDurationSeconds: 15,
      acquireTime: microTime(clock.t),
      renewTime: microTime(clock.t),
      leaseTransitions: 0,
    });
    expect(store.lease?.spec?.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(a.isLeader()).toBe(true);
  });

  it("renewing keeps acquireTime and transitions and moves renewTime", async () => {
    const store = new FakeLeaseStore();
    const clock = fakeClock();
    const a = new LeaderElector(base(store, "a", clock));
    await a.tryAcquireOrRenew();
    const acquired = store.lease?.spec?.acquireTime;
    clock.t += 2_000;
    expect(await a.tryAcquireOrRenew()).toBe(true);
    expect(store.lease?.spec?.acquireTime).toBe(acquired);
    expect(store.lease?.spec?.renewTime).toBe(microTime(clock.t));
    expect(store.lease?.spec?.leaseTransitions).toBe(0);
  });

  it("leaves a valid lease alone and takes it once unchanged for the lease duration", async () => {
    const store = new FakeLeaseStore();
    const clockA = fakeClock();
    const clockB = fakeClock();
    const a = new LeaderElector(base(store, "a", clockA));
    const b = new LeaderElector(base(store, "b", clockB));
    await a.tryAcquireOrRenew();
    expect(await b.tryAcquireOrRenew()).toBe(false);
    expect(b.getLeader()).toBe("a");
    clockB.t += 14_999;
    expect(await b.tryAcquireOrRenew()).toBe(false);
    clockB.t += 2;
    expect(await b.tryAcquireOrRenew()).toBe(true);
    expect(store.lease?.spec?.holderIdentity).toBe("b");
    expect(store.lease?.spec?.leaseTransitions).toBe(1);
    expect(store.lease?.spec?.acquireTime).toBe(microTime(clockB.t));
  });

  it("judges expiry by its own observation time, not the holder's timestamps (clock skew)", async () => {
    const store = new FakeLeaseStore();
    // The holder's clock runs an hour behind: its renewTime looks long expired to b.
    const clockA = fakeClock(1_000_000);
    const clockB = fakeClock(1_000_000 + 3_600_000);
    const a = new LeaderElector(base(store, "a", clockA));
    const b = new LeaderElector(base(store, "b", clockB));
    await a.tryAcquireOrRenew();
    expect(await b.tryAcquireOrRenew()).toBe(false);
    // Each renewal changes the record, which restarts b's countdown.
    for (let i = 0; i < 10; i++) {
      clockA.t += 2_000;
      clockB.t += 10_000;
      expect(await a.tryAcquireOrRenew()).toBe(true);
      expect(await b.tryAcquireOrRenew()).toBe(false);
    }
    expect(store.lease?.spec?.holderIdentity).toBe("a");
  });

  it("treats a Conflict as losing the round", async () => {
    const store = new FakeLeaseStore();
    const a = new LeaderElector(base(store, "a"));
    await a.tryAcquireOrRenew();
    const staleGet = store.get.bind(store);
    const stale = await staleGet("lock");
    // Another writer updates between our read and our write.
    store.get = async () => {
      await store.update({ ...stale, spec: { ...stale.spec, holderIdentity: "a" } });
      return stale;
    };
    const errors: unknown[] = [];
    const again = new LeaderElector({ ...base(store, "a"), onError: (e) => errors.push(e) });
    expect(await again.tryAcquireOrRenew()).toBe(false);
    expect(errors).toEqual([]);
  });

  it("takes a released lease (empty holder) at once", async () => {
    const store = new FakeLeaseStore();
    const a = new LeaderElector(base(store, "a"));
    const b = new LeaderElector(base(store, "b"));
    await a.tryAcquireOrRenew();
    expect(await b.tryAcquireOrRenew()).toBe(false);
    expect(await a.release()).toBe(true);
    expect(store.lease?.spec?.holderIdentity).toBe("");
    expect(store.lease?.spec?.leaseDurationSeconds).toBe(1);
    expect(await b.tryAcquireOrRenew()).toBe(true);
    expect(store.lease?.spec?.holderIdentity).toBe("b");
    expect(store.lease?.spec?.leaseTransitions).toBe(1);
  });

  it("validates the durations as client-go does", () => {
    const store = new FakeLeaseStore();
    expect(() => new LeaderElector({ ...base(store, "a"), renewDeadlineMs: 15_000 })).toThrow(
      /leaseDuration must be greater than renewDeadline/,
    );
    expect(() => new LeaderElector({ ...base(store, "a"), retryPeriodMs: 9_000 })).toThrow(
      /1.2 × retryPeriod/,
    );
    expect(() => new LeaderElector({ ...base(store, "a"), identity: "" })).toThrow(/identity/);
    const d = new LeaderElector({ client: store, namespace: "ns", name: "l", identity: "a" });
    expect([d.leaseDurationMs, d.renewDeadlineMs, d.retryPeriodMs]).toEqual([15_000, 10_000, 2_000]);
  });
});

describe("runLeaderElection", () => {
  it("leads, and stops leading when renewals fail past the renew deadline", async () => {
    const store = new FakeLeaseStore();
    const clock = fakeClock();
    const events: string[] = [];
    let leadingSignal: AbortSignal | undefined;
    const done = runLeaderElection({
      ...base(store, "a", clock),
      callbacks: {
        onStartedLeading: (signal) => {
          leadingSignal = signal;
          events.push("started");
          store.failWrites = true;
        },
        onStoppedLeading: () => events.push("stopped"),
        onNewLeader: (id) => events.push(`leader ${id}`),
      },
    });
    await done;
    expect(events).toEqual(["leader a", "started", "stopped"]);
    expect(leadingSignal?.aborted).toBe(true);
    // It gave up no later than the renew deadline after its last renewal.
    expect(clock.t - 1_000_000).toBeLessThanOrEqual(2_000 + 10_000);
  });

  it("releases the lease on abort with releaseOnCancel", async () => {
    const store = new FakeLeaseStore();
    const controller = new AbortController();
    const done = runLeaderElection({
      ...base(store, "a"),
      releaseOnCancel: true,
      signal: controller.signal,
      callbacks: { onStartedLeading: () => controller.abort() },
    });
    await done;
    expect(store.lease?.spec?.holderIdentity).toBe("");
  });

  it("keeps the holder on abort without releaseOnCancel, and calls onStoppedLeading without leading", async () => {
    const store = new FakeLeaseStore();
    const controller = new AbortController();
    await runLeaderElection({
      ...base(store, "a"),
      signal: controller.signal,
      callbacks: { onStartedLeading: () => controller.abort() },
    });
    expect(store.lease?.spec?.holderIdentity).toBe("a");
    const stopped: string[] = [];
    const never = new AbortController();
    const b = runLeaderElection({
      ...base(store, "b"),
      signal: never.signal,
      callbacks: {
        onStartedLeading: () => {
          stopped.push("started");
        },
        onStoppedLeading: () => stopped.push("stopped"),
      },
    });
    never.abort();
    await b;
    expect(stopped).toEqual(["stopped"]);
  });
});
