/**
 * Leader election on a `coordination.k8s.io/v1` Lease, as client-go's `tools/leaderelection`:
 * candidates race to write their identity into the Lease; the holder renews it every retry period
 * and stops leading when it cannot renew within the renew deadline. Expiry is judged by the local
 * time at which this candidate last saw the record change, never by the holder's timestamps, so
 * clock skew between candidates does not matter.
 */
import { isConflict, isNotFound } from "../errors.js";

/** The Lease fields leader election reads and writes. */
export interface LeaseSpecFields {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}

/** The part of a Lease object leader election needs. */
export interface LeaseLike {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: LeaseSpecFields;
}

/** What leader election calls on a Lease client: `clientset.coordinationV1.leases(ns)` fits. */
export interface LeaseClient<L extends LeaseLike = LeaseLike> {
  get(name: string, options?: { signal?: AbortSignal }): Promise<L>;
  create(object: L, options?: { signal?: AbortSignal }): Promise<L>;
  update(object: L, options?: { signal?: AbortSignal }): Promise<L>;
}

/** A clientset with the `coordination.k8s.io/v1` group, such as the generated `Clientset`. */
export interface LeaseClientset<L extends LeaseLike = LeaseLike> {
  coordinationV1: { leases(namespace: string): LeaseClient<L> };
}

export interface LeaderCallbacks {
  /** Called once this candidate leads; `signal` aborts when it stops leading. */
  onStartedLeading?(signal: AbortSignal): void | Promise<void>;
  /** Called when the election ends, whether or not this candidate led (as client-go). */
  onStoppedLeading?(): void;
  /** Called when the observed leader changes, including to this candidate. */
  onNewLeader?(identity: string): void;
}

/** Time source; tests pass a fake one. */
export interface LeaderElectionClock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface LeaderElectionOptions {
  /** A Lease client, or a clientset from which `coordinationV1.leases(namespace)` is taken. */
  client?: LeaseClient;
  clientset?: LeaseClientset;
  namespace: string;
  /** The Lease's name. */
  name: string;
  /** This candidate's identity, unique among candidates (e.g. hostname + random suffix). */
  identity: string;
  /** How long non-leaders wait before taking an unrenewed lease; default 15 s. */
  leaseDurationMs?: number;
  /** How long the leader keeps retrying a renewal before it gives up; default 10 s. */
  renewDeadlineMs?: number;
  /** Wait between attempts; default 2 s. */
  retryPeriodMs?: number;
  /** On abort, clear the holder so another candidate takes over at once. */
  releaseOnCancel?: boolean;
  /** Ends the election (and leadership). */
  signal?: AbortSignal;
  callbacks?: LeaderCallbacks;
  /** Called with errors that do not end the election (failed reads or writes). */
  onError?(err: unknown): void;
  clock?: LeaderElectionClock;
}

/** client-go's defaults, used by kube components. */
export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;
/** client-go's jitter on the acquire retry: the wait is retryPeriod × [1, 1 + 1.2). */
export const LEADER_ELECTION_JITTER = 1.2;

/** Go's metav1.MicroTime in RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, "000Z");
}

const realClock: LeaderElectionClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    }),
};

/** The comparable part of a record (what client-go compares to notice a change). */
function recordKey(spec: LeaseSpecFields | undefined): string {
  const s = spec ?? {};
  return JSON.stringify([
    s.holderIdentity ?? "",
    s.leaseDurationSeconds ?? 0,
    s.acquireTime ?? null,
    s.renewTime ?? null,
    s.leaseTransitions ?? 0,
  ]);
}

/**
 * One candidate. `run()` campaigns until it leads, leads until it cannot renew or the signal
 * aborts, then resolves; it does not campaign again (as client-go's `Run`).
 */
export class LeaderElector {
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  private readonly client: LeaseClient;
  private readonly options: LeaderElectionOptions;
  private readonly clock: LeaderElectionClock;
  private observed: LeaseLike | undefined;
  private observedKey = "";
  private observedTime = 0;
  private reportedLeader = "";

  constructor(options: LeaderElectionOptions) {
    const client = options.client ?? options.clientset?.coordinationV1.leases(options.namespace);
    if (!client) throw new Error("leader election: pass client or clientset");
    if (!options.name) throw new Error("leader election: the Lease name is empty");
    if (!options.identity) throw new Error("leader election: the identity is empty");
    this.client = client;
    this.options = options;
    this.identity = options.identity;
    this.leaseDurationMs = options.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.renewDeadlineMs = options.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
    this.retryPeriodMs = options.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
    this.clock = options.clock ?? realClock;
    // client-go's validation: leaseDuration > renewDeadline > jitter × retryPeriod > 0.
    if (!(this.leaseDurationMs > this.renewDeadlineMs))
      throw new Error("leader election: leaseDuration must be greater than renewDeadline");
    if (!(this.renewDeadlineMs > LEADER_ELECTION_JITTER * this.retryPeriodMs))
      throw new Error("leader election: renewDeadline must be greater than 1.2 × retryPeriod");
    if (!(this.retryPeriodMs > 0)) throw new Error("leader election: retryPeriod must be positive");
  }

  /** The holder of the last record seen, or "". */
  getLeader(): string {
    return this.observed?.spec?.holderIdentity ?? "";
  }

  /** Whether the last record seen names this candidate. */
  isLeader(): boolean {
    return this.getLeader() === this.identity;
  }

  /**
   * One attempt to take or renew the lease: true if this candidate holds it afterwards. A valid
   * lease of another holder, a Conflict (another writer won the round) or an error give false.
   */
  async tryAcquireOrRenew(signal?: AbortSignal): Promise<boolean> {
    const now = this.clock.now();
    const spec: LeaseSpecFields = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    let current: LeaseLike;
    try {
      current = await this.client.get(this.options.name, { signal });
    } catch (err) {
      if (!isNotFound(err)) {
        this.options.onError?.(err);
        return false;
      }
      try {
        const created = await this.client.create(
          {
            apiVersion: "coordination.k8s.io/v1",
            kind: "Lease",
            metadata: { name: this.options.name, namespace: this.options.namespace },
            spec,
          },
          { signal },
        );
        this.observe(created, this.clock.now());
        return true;
      } catch (createErr) {
        this.options.onError?.(createErr);
        return false;
      }
    }
    // A changed record restarts the expiry countdown, on our clock.
    const key = recordKey(current.spec);
    if (key !== this.observedKey) this.observe(current, now);
    const old = current.spec ?? {};
    const holder = old.holderIdentity ?? "";
    if (holder !== "" && holder !== this.identity) {
      const durationMs = (old.leaseDurationSeconds ?? 0) * 1000;
      if (this.observedTime + durationMs > now) return false;
    }
    if (holder === this.identity) {
      spec.acquireTime = old.acquireTime ?? spec.acquireTime;
      spec.leaseTransitions = old.leaseTransitions ?? 0;
    } else {
      spec.leaseTransitions = (old.leaseTransitions ?? 0) + 1;
    }
    try {
      const updated = await this.client.update(
        { ...current, spec: { ...current.spec, ...spec } },
        { signal },
      );
      this.observe(updated, this.clock.now());
      return true;
    } catch (err) {
      if (!isConflict(err)) this.options.onError?.(err);
      return false;
    }
  }

  /** Clears the holder if this candidate holds the lease; true when released (or not held). */
  async release(): Promise<boolean> {
    if (!this.isLeader() || !this.observed) return true;
    const now = microTime(this.clock.now());
    const spec: LeaseSpecFields = {
      ...this.observed.spec,
      holderIdentity: "",
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
    };
    let lease: LeaseLike = this.observed;
    // One retry on a Conflict: an aborted renewal may have landed after all.
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const updated = await this.client.update({
          ...lease,
          spec: { ...lease.spec, ...spec, leaseTransitions: lease.spec?.leaseTransitions },
        });
        this.observe(updated, this.clock.now());
        return true;
      } catch (err) {
        if (!isConflict(err) || attempt > 0) {
          this.options.onError?.(err);
          return false;
        }
        try {
          lease = await this.client.get(this.options.name);
        } catch (getErr) {
          this.options.onError?.(getErr);
          return false;
        }
        if (lease.spec?.holderIdentity !== this.identity) return true;
      }
    }
    return false;
  }

  /** Campaigns, leads, and resolves once leadership ends or the signal aborts. */
  async run(): Promise<void> {
    const outer = this.options.signal ?? new AbortController().signal;
    const callbacks = this.options.callbacks ?? {};
    try {
      if (!(await this.acquire(outer))) return;
      const leading = new AbortController();
      const stop = () => leading.abort();
      outer.addEventListener("abort", stop, { once: true });
      try {
        Promise.resolve()
          .then(() => callbacks.onStartedLeading?.(leading.signal))
          .catch((err) => this.options.onError?.(err));
        await this.renew(leading.signal);
      } finally {
        outer.removeEventListener("abort", stop);
        leading.abort();
        if (this.options.releaseOnCancel) await this.release();
      }
    } finally {
      callbacks.onStoppedLeading?.();
    }
  }

  /** Retries with jitter until the lease is ours (true) or the signal aborts (false). */
  private async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      const ok = await this.tryAcquireOrRenew(signal);
      this.maybeReportTransition();
      if (ok) return true;
      const wait = this.retryPeriodMs * (1 + Math.random() * LEADER_ELECTION_JITTER);
      await this.clock.sleep(wait, signal);
    }
    return false;
  }

  /** Renews every retry period; returns when a renewal misses the deadline or the signal aborts. */
  private async renew(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const deadline = this.clock.now() + this.renewDeadlineMs;
      let renewed = false;
      while (!signal.aborted && this.clock.now() < deadline) {
        const attempt = AbortSignal.any([
          signal,
          AbortSignal.timeout(Math.max(1, deadline - this.clock.now())),
        ]);
        renewed = await this.tryAcquireOrRenew(attempt).catch(() => false);
        this.maybeReportTransition();
        if (renewed) break;
        await this.clock.sleep(
          Math.min(this.retryPeriodMs, Math.max(0, deadline - this.clock.now())),
          signal,
        );
      }
      if (!renewed || signal.aborted) return;
      await this.clock.sleep(this.retryPeriodMs, signal);
    }
  }

  private observe(lease: LeaseLike, at: number): void {
    this.observed = lease;
    this.observedKey = recordKey(lease.spec);
    this.observedTime = at;
  }

  private maybeReportTransition(): void {
    const leader = this.getLeader();
    if (leader === this.reportedLeader) return;
    this.reportedLeader = leader;
    if (leader) this.options.callbacks?.onNewLeader?.(leader);
  }
}

/**
 * Runs one candidate of a leader election on a Lease (client-go's `leaderelection.RunOrDie`);
 * resolves when it stops leading or `signal` aborts.
 */
export function runLeaderElection(options: LeaderElectionOptions): Promise<void> {
  return new LeaderElector(options).run();
}
