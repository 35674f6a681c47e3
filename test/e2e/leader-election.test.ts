/**
 * Leader election against the real apiserver, with short durations (lease 2 s, renew 1.5 s, retry
 * 0.3 s): candidates in this process and in child processes contend for one Lease; exactly one
 * leads at a time, a release hands over at once, and a leader that stops renewing is replaced
 * within the lease duration.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Clientset } from "../../generated/kubernetes/index.js";
import { runLeaderElection } from "../../runtime/tools/leader-election.js";
import { adminConfig } from "../support/client-config.js";
import { testCluster, useTestNamespace } from "../support/cluster.js";

const namespace = useTestNamespace("le");
let clientset: Clientset;

beforeAll(async () => {
  clientset = Clientset.forConfig(await adminConfig());
});
afterAll(() => clientset.close());

const timing = { leaseDurationMs: 2_000, renewDeadlineMs: 1_500, retryPeriodMs: 300 };

async function until(check: () => boolean, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - start;
}

/** An in-process candidate that records whether it leads; `overlaps` counts two leaders at once. */
function candidate(
  name: string,
  identity: string,
  state: { leading: Set<string>; overlaps: number; seen: string[] },
  releaseOnCancel: boolean,
) {
  const controller = new AbortController();
  const done = runLeaderElection({
    clientset,
    namespace: namespace(),
    name,
    identity,
    ...timing,
    releaseOnCancel,
    signal: controller.signal,
    callbacks: {
      onStartedLeading: (signal) => {
        state.leading.add(identity);
        if (state.leading.size > 1) state.overlaps++;
        signal.addEventListener("abort", () => state.leading.delete(identity));
      },
      onNewLeader: (id) => state.seen.push(`${identity} sees ${id}`),
    },
  });
  return { identity, controller, done };
}

describe("leader election on a Lease", () => {
  it("one leader at a time; release hands over at once; a silent leader is replaced", async () => {
    const state = { leading: new Set<string>(), overlaps: 0, seen: [] as string[] };
    const a = candidate("in-process", "a", state, true);
    await until(() => state.leading.size === 1, 5_000);
    const b = candidate("in-process", "b", state, false);
    const c = candidate("in-process", "c", state, false);
    // Several renewals pass; the first leader keeps the lease, the others wait.
    await new Promise((r) => setTimeout(r, 3_000));
    expect([...state.leading]).toEqual(["a"]);
    expect(state.seen).toEqual(expect.arrayContaining(["a sees a", "b sees a", "c sees a"]));
    const held = await clientset.coordinationV1.leases(namespace()).get("in-process");
    expect(held.spec?.holderIdentity).toBe("a");
    expect(held.spec?.leaseDurationSeconds).toBe(2);
    expect(held.spec?.leaseTransitions).toBe(0);
    expect(held.spec?.renewTime).toMatch(/\.\d{6}Z$/);

    // The leader aborts with releaseOnCancel: another takes over within about one retry period.
    a.controller.abort();
    await a.done;
    const handover = await until(() => state.leading.size === 1, 2_000);
    expect(handover).toBeLessThan(1_500);
    const second = [...state.leading][0];
    expect(["b", "c"]).toContain(second);

    // The new leader stops renewing without releasing: the last one takes the lease once it
    // has not changed for the lease duration, not sooner.
    const [stops, stays] = second === "b" ? [b, c] : [c, b];
    stops.controller.abort();
    await stops.done;
    const replaced = await until(() => state.leading.has(stays.identity), 5_000);
    expect(replaced).toBeGreaterThan(1_000);
    expect(replaced).toBeLessThan(2_000 + 2.2 * 300 + 1_000);

    const final = await clientset.coordinationV1.leases(namespace()).get("in-process");
    expect(final.spec?.holderIdentity).toBe(stays.identity);
    expect(final.spec?.leaseTransitions).toBe(2);
    stays.controller.abort();
    await stays.done;
    expect(state.overlaps).toBe(0);
  }, 30_000);

  it("candidates in two processes: one leads; SIGTERM releases, SIGKILL expires", async () => {
    const repo = join(import.meta.dirname, "../..");
    const kubeconfig = testCluster().kubeconfig;
    const context = testCluster().contexts.admin || "";
    const procs = new Map<string, { child: ChildProcess; lines: string[] }>();
    const start = (identity: string) => {
      // node --import tsx: one process, so SIGKILL really stops the candidate.
      const child = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          join(repo, "test/fixtures/leader-election/candidate.ts"),
          namespace(),
          "two-procs",
          identity,
        ],
        { cwd: repo, env: { ...process.env, KUBECONFIG: kubeconfig, KUBE_CONTEXT: context } },
      );
      const lines: string[] = [];
      let buffered = "";
      child.stdout.on("data", (d: Buffer) => {
        buffered += d.toString();
        const parts = buffered.split("\n");
        buffered = parts.pop() ?? "";
        lines.push(...parts);
      });
      procs.set(identity, { child, lines });
    };
    const leads = (id: string) => {
      const lines = procs.get(id)?.lines ?? [];
      return lines.includes("started") && !lines.includes("stopped");
    };
    try {
      start("p1");
      start("p2");
      await until(() => leads("p1") || leads("p2"), 20_000);
      await new Promise((r) => setTimeout(r, 1_500));
      const first = leads("p1") ? "p1" : "p2";
      const other = first === "p1" ? "p2" : "p1";
      expect(leads(other)).toBe(false);
      await until(() => procs.get(other)?.lines.includes(`leader ${first}`) ?? false, 5_000);

      // SIGTERM: the leader releases on its way out and the other takes over at once.
      procs.get(first)?.child.kill("SIGTERM");
      const handover = await until(() => leads(other), 5_000);
      expect(handover).toBeLessThan(1_500);
      await until(() => procs.get(first)?.child.exitCode === 0, 5_000);
      expect(procs.get(first)?.lines).toContain("stopped");

      // A fresh candidate waits; SIGKILL of the leader (no release) hands over after expiry.
      start("p3");
      await until(() => procs.get("p3")?.lines.includes(`leader ${other}`) ?? false, 20_000);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(leads("p3")).toBe(false);
      procs.get(other)?.child.kill("SIGKILL");
      const replaced = await until(() => leads("p3"), 6_000);
      expect(replaced).toBeGreaterThan(500);
      const lease = await clientset.coordinationV1.leases(namespace()).get("two-procs");
      expect(lease.spec?.holderIdentity).toBe("p3");
    } finally {
      for (const { child } of procs.values()) if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 60_000);
});
