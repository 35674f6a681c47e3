/**
 * A control plane with kube-controller-manager, kube-scheduler and KWOK (`startControlPlane({ kwok:
 * true })`), proven through the generated clients: a Deployment gets a ReplicaSet and Running pods
 * on a simulated node, owners garbage-collect their dependents, deleting a namespace finishes, and a
 * new namespace gets its `default` ServiceAccount, whose token the token controller mints and the
 * apiserver accepts. A second control plane with `controllers: true` alone shows what happens
 * without nodes: the controllers act, and the pods wait unschedulable. The shared control plane of
 * the other e2e files runs none of these components.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Deployment } from "../../generated/kubernetes/apps/v1.js";
import type { Pod } from "../../generated/kubernetes/core/v1.js";
import { Clientset } from "../../generated/kubernetes/index.js";
import { ScaleClient } from "../../runtime/clients/scale.js";
import { isNotFound } from "../../runtime/errors.js";
import { missingBinaries } from "../cluster/build.js";
import { type ControlPlane, startControlPlane } from "../cluster/control-plane.js";
import { clientConfigFor } from "../support/client-config.js";

const options = { kwok: true } as const;
// `kwok` implies the controllers: these are the binaries both control planes of this file need.
// The first run on a machine builds three more binaries from source (minutes each on 2 cores);
// once they are cached, the control plane is up in seconds.
const missing = await missingBinaries(options);
const startTimeout = missing.length > 0 ? 45 * 60_000 : 3 * 60_000;

let cp: ControlPlane;
let clientset: Clientset;

beforeAll(async () => {
  cp = await startControlPlane({ ...options, log: (line) => process.stderr.write(`${line}\n`) });
  clientset = Clientset.forConfig(await clientConfigFor(undefined, cp.kubeconfig));
}, startTimeout);

afterAll(async () => {
  await clientset?.close();
  await cp?.stop();
  // Every process is stopped and the folder (PKI, etcd data, KWOK's workdir, logs) is gone.
  if (cp) expect(existsSync(cp.dir)).toBe(false);
});

/** Polls `probe` until it returns something other than undefined. */
async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

async function gone(probe: () => Promise<unknown>): Promise<true | undefined> {
  try {
    await probe();
    return undefined;
  } catch (error) {
    if (isNotFound(error)) return true;
    throw error;
  }
}

let nsCount = 0;
async function newNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${Date.now().toString(36)}-${nsCount++}`;
  await clientset.coreV1.namespaces().create({ metadata: { name } });
  return name;
}

function deployment(name: string, replicas: number): Deployment {
  const labels = { app: name };
  return {
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          // KWOK pulls and runs nothing: the image is only a name.
          containers: [{ name: "app", image: "registry.invalid/kubegen/app:1" }],
          // KWOK deletes pods at once; no grace period keeps namespace deletion quick.
          terminationGracePeriodSeconds: 0,
        },
      },
    },
  };
}

const ownedBy =
  (owner: { metadata?: { uid?: string } }) => (o: { metadata?: { ownerReferences?: { uid: string }[] } }) =>
    o.metadata?.ownerReferences?.some((r) => r.uid === owner.metadata?.uid) === true;

describe("a control plane with controllers, scheduler and KWOK", () => {
  it("says which components it runs, and its simulated node is Ready", async () => {
    expect(cp.components).toEqual({
      controllerManager: true,
      scheduler: true,
      kwok: true,
      nodes: ["kwok-node-0"],
      podLogFile: expect.stringMatching(/pod\.log$/),
      portForward: { podPort: 8080, host: "127.0.0.1", port: expect.any(Number) },
    });
    expect(cp.binaries.kwokVersion).toBe("v0.8.0");
    const node = await clientset.coreV1.nodes().get("kwok-node-0");
    expect(node.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    // KWOK's node-initialize stage reports the loopback address and its kubelet port.
    expect(node.status?.addresses).toContainEqual({ type: "InternalIP", address: "127.0.0.1" });
    expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).toBeGreaterThan(0);
    expect(node.spec?.taints ?? []).toEqual([]);
  });

  it("a Deployment gets a ReplicaSet and Running pods on the KWOK node", async () => {
    const ns = await newNamespace("deploy");
    const created = await clientset.appsV1.deployments(ns).create(deployment("web", 2));

    const rs = await eventually("the ReplicaSet", async () =>
      (await clientset.appsV1.replicaSets(ns).list()).items.find(ownedBy(created)),
    );
    expect(rs.spec?.replicas).toBe(2);

    const pods = await eventually("two Running pods", async () => {
      const items = (await clientset.coreV1.pods(ns).list()).items.filter(ownedBy(rs));
      return items.length === 2 && items.every((p: Pod) => p.status?.phase === "Running") ? items : undefined;
    });
    for (const pod of pods) {
      expect(pod.spec?.nodeName).toBe("kwok-node-0");
      expect(pod.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
      expect(pod.status?.podIP).toMatch(/^10\.244\./);
    }
    // The deployment controller sees them ready.
    const ready = await eventually("the Deployment's readyReplicas", async () => {
      const d = await clientset.appsV1.deployments(ns).get("web");
      return d.status?.readyReplicas === 2 ? d : undefined;
    });
    expect(ready.status?.availableReplicas).toBe(2);
  }, 120_000);

  it("scales a Deployment with the ScaleClient and the generated scale subresource, and the pods follow", async () => {
    const ns = await newNamespace("scale");
    const created = await clientset.appsV1.deployments(ns).create(deployment("web", 1));
    const runningPods = (count: number) =>
      eventually(`${count} Running pods`, async () => {
        const rs = (await clientset.appsV1.replicaSets(ns).list()).items.find(ownedBy(created));
        if (!rs) return undefined;
        const items = (await clientset.coreV1.pods(ns).list()).items.filter(ownedBy(rs));
        return items.length === count && items.every((p: Pod) => p.status?.phase === "Running")
          ? items
          : undefined;
      });
    await runningPods(1);
    const scaleClient = ScaleClient.forConfig(await clientConfigFor(undefined, cp.kubeconfig));
    try {
      const scales = scaleClient.scales(ns);
      const before = await scales.get("deployments.apps", "web");
      expect(before.spec?.replicas).toBe(1);
      expect(before.status?.selector).toBe("app=web");
      await scales.update("deployments.apps", { ...before, spec: { replicas: 3 } });
      await runningPods(3);
      // The scale's status follows what the controllers did.
      const seen = await eventually("the scale's status at 3", async () => {
        const s = await scales.get("deployments.apps", "web");
        return s.status?.replicas === 3 ? s : undefined;
      });
      expect(seen.spec?.replicas).toBe(3);
    } finally {
      await scaleClient.close();
    }
    // Down again through the typed client's own subresource.
    await clientset.appsV1.deployments(ns).patchScale("web", { spec: { replicas: 1 } });
    await runningPods(1);
    expect((await clientset.appsV1.deployments(ns).getScale("web")).status?.replicas).toBe(1);
  }, 180_000);

  it("garbage-collects a ReplicaSet and its pods when their Deployment goes (Background)", async () => {
    const ns = await newNamespace("gc");
    const created = await clientset.appsV1.deployments(ns).create(deployment("doomed", 1));
    const rs = await eventually("the ReplicaSet", async () =>
      (await clientset.appsV1.replicaSets(ns).list()).items.find(ownedBy(created)),
    );
    await eventually("a pod", async () => (await clientset.coreV1.pods(ns).list()).items.find(ownedBy(rs)));

    await clientset.appsV1.deployments(ns).delete("doomed", { propagationPolicy: "Background" });
    await eventually("the Deployment gone", () => gone(() => clientset.appsV1.deployments(ns).get("doomed")));
    // The garbage collector deletes the dependents: the ReplicaSet, then (through it) the pod.
    await eventually("the ReplicaSet gone", () =>
      gone(() => clientset.appsV1.replicaSets(ns).get(rs.metadata?.name ?? "")),
    );
    await eventually("the pods gone", async () =>
      (await clientset.coreV1.pods(ns).list()).items.length === 0 ? true : undefined,
    );
  }, 120_000);

  it("finishes deleting a namespace with a pod and a ConfigMap in it", async () => {
    const ns = await newNamespace("bye");
    await clientset.coreV1.configMaps(ns).create({ metadata: { name: "data" }, data: { a: "1" } });
    await clientset.coreV1.pods(ns).create({
      metadata: { name: "lonely" },
      spec: {
        containers: [{ name: "app", image: "registry.invalid/kubegen/app:1" }],
        terminationGracePeriodSeconds: 0,
      },
    });
    await eventually("the pod Running", async () =>
      (await clientset.coreV1.pods(ns).get("lonely")).status?.phase === "Running" ? true : undefined,
    );

    await clientset.coreV1.namespaces().delete(ns);
    expect((await clientset.coreV1.namespaces().get(ns)).status?.phase).toBe("Terminating");
    // The namespace controller empties it and removes the `kubernetes` finalizer.
    await eventually("the namespace gone", () => gone(() => clientset.coreV1.namespaces().get(ns)), 90_000);
  }, 120_000);

  it("gives a new namespace its default ServiceAccount, root CA and a working token", async () => {
    const ns = await newNamespace("sa");
    await eventually("the default ServiceAccount", () => clientset.coreV1.serviceAccounts(ns).get("default"));
    const rootCa = await eventually("kube-root-ca.crt", () =>
      clientset.coreV1.configMaps(ns).get("kube-root-ca.crt"),
    );
    expect(rootCa.data?.["ca.crt"]).toContain("BEGIN CERTIFICATE");

    // The serviceaccount-token controller fills a token Secret for the account.
    await clientset.coreV1.secrets(ns).create({
      metadata: { name: "default-token", annotations: { "kubernetes.io/service-account.name": "default" } },
      type: "kubernetes.io/service-account-token",
    });
    const secret = await eventually("the token in the Secret", async () => {
      const s = await clientset.coreV1.secrets(ns).get("default-token");
      return s.data?.token ? s : undefined;
    });
    const token = Buffer.from(secret.data?.token ?? "", "base64").toString("utf8");
    expect(Buffer.from(secret.data?.["ca.crt"] ?? "", "base64").toString("utf8")).toContain(
      "BEGIN CERTIFICATE",
    );

    // The apiserver accepts the token as the ServiceAccount's.
    const review = await clientset.authenticationV1.tokenReviews().create({ spec: { token } });
    expect(review.status?.authenticated).toBe(true);
    expect(review.status?.user?.username).toBe(`system:serviceaccount:${ns}:default`);
  }, 120_000);
});

describe("a control plane with controllers and scheduler but no nodes", () => {
  let bare: ControlPlane;
  let client: Clientset;
  beforeAll(async () => {
    bare = await startControlPlane({ controllers: true, log: () => {} });
    client = Clientset.forConfig(await clientConfigFor(undefined, bare.kubeconfig));
  }, startTimeout);
  afterAll(async () => {
    await client?.close();
    await bare?.stop();
    if (bare) expect(existsSync(bare.dir)).toBe(false);
  });

  it("says it has no KWOK, and its pods are created but stay Pending, unschedulable", async () => {
    expect(bare.components).toEqual({ controllerManager: true, scheduler: true, kwok: false, nodes: [] });
    expect((await client.coreV1.nodes().list()).items).toEqual([]);

    const ns = `pending-${Date.now().toString(36)}`;
    await client.coreV1.namespaces().create({ metadata: { name: ns } });
    const created = await client.appsV1.deployments(ns).create(deployment("idle", 1));
    const rs = await eventually("the ReplicaSet", async () =>
      (await client.appsV1.replicaSets(ns).list()).items.find(ownedBy(created)),
    );
    // The scheduler tried and found no node: it says so on the pod.
    const pod = await eventually("the pod marked unschedulable", async () =>
      (await client.coreV1.pods(ns).list()).items.find(
        (p) =>
          ownedBy(rs)(p) &&
          p.status?.conditions?.some((c) => c.type === "PodScheduled" && c.reason === "Unschedulable"),
      ),
    );
    expect(pod.status?.phase).toBe("Pending");
    expect(pod.spec?.nodeName).toBeUndefined();
  }, 120_000);
});

describe("pod logs, exec, attach and port-forward through the apiserver to KWOK", () => {
  const namespace = "default";
  let podName: string;

  beforeAll(async () => {
    const pods = clientset.coreV1.pods(namespace);
    const pod = await pods.create({
      metadata: { generateName: "streams-" },
      spec: { containers: [{ name: "app", image: "example.invalid/app:1" }] },
    });
    podName = pod.metadata!.name!;
    await eventually("a Running pod", async () =>
      (await pods.get(podName)).status?.phase === "Running" ? true : undefined,
    );
  }, 120_000);

  it("reads logs whole, by tail, and line by line", async () => {
    const { appendFile } = await import("node:fs/promises");
    // KWOK serves every container's logs from this CRI-format file.
    await appendFile(
      cp.components.podLogFile!,
      "2026-11-30T10:00:00.000000000Z stdout F first line\n2026-11-30T10:00:01.000000000Z stdout F second line\n",
    );
    const pods = clientset.coreV1.pods(namespace);
    expect(await pods.getLogs(podName, { container: "app" })).toBe("first line\nsecond line\n");
    expect(await pods.getLogs(podName, { container: "app", tailLines: 1 })).toBe("second line\n");
    const lines: string[] = [];
    for await (const line of pods.logLines(podName, { container: "app", timestamps: true })) lines.push(line);
    expect(lines).toEqual([
      "2026-11-30T10:00:00.000000000Z first line",
      "2026-11-30T10:00:01.000000000Z second line",
    ]);
  });

  it("follows the log: lines appended later arrive, and aborting ends the stream", async () => {
    const { appendFile } = await import("node:fs/promises");
    const pods = clientset.coreV1.pods(namespace);
    const abort = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      try {
        for await (const line of pods.logLines(podName, {
          container: "app",
          follow: true,
          tailLines: 0,
          signal: abort.signal,
        })) {
          seen.push(line);
          if (line === "appended later") abort.abort();
        }
      } catch (err) {
        if (!abort.signal.aborted) throw err;
      }
    })();
    // Appended once the stream is open: only a followed stream sees it.
    await new Promise((r) => setTimeout(r, 1000));
    await appendFile(cp.components.podLogFile!, "2026-11-30T10:00:02.000000000Z stdout F appended later\n");
    await following;
    expect(seen).toEqual(["appended later"]);
  });

  it("execs a command and reads its output and exit code over WebSocket", async () => {
    const pods = clientset.coreV1.pods(namespace);
    const result = await pods.exec(podName, ["sh", "-c", "echo out; echo err >&2"], { container: "app" });
    expect(result).toEqual({ stdout: "out\n", stderr: "err\n", exitCode: 0 });
    // KWOK loses a failing command's exit code (it wraps the error), so the apiserver relays an
    // InternalError naming it, not a NonZeroExitCode: a command that fails there is an error.
    const failed = await pods
      .exec(podName, ["sh", "-c", "exit 3"], { container: "app" })
      .catch((e: unknown) => e);
    expect(String(failed)).toContain("exit status 3");
  });

  it("attaches to a pod: what the container writes after attaching arrives on stdout", async () => {
    const { appendFile } = await import("node:fs/promises");
    const pods = clientset.coreV1.pods(namespace);
    // v5 from us; the apiserver translates it to SPDY toward KWOK, which streams the log file's
    // new lines as the container's output (KWOK's attach ignores stdin and never ends by itself).
    const proc = await pods.attach(podName, { container: "app" });
    expect(proc.protocol).toBe("v5.channel.k8s.io");
    let out = "";
    const reading = (async () => {
      for await (const chunk of proc.stdout) {
        out += Buffer.from(chunk).toString();
        if (out.includes("written while attached")) break;
      }
    })();
    await new Promise((r) => setTimeout(r, 1000));
    await appendFile(
      cp.components.podLogFile!,
      "2026-11-30T10:00:03.000000000Z stdout F written while attached\n",
    );
    await reading;
    proc.close();
    expect(out).toContain("written while attached");
    expect(out).not.toContain("first line");
    expect(await proc.exitCode).toBe(0);
  });

  it("forwards local ports to a TCP echo server behind the pod, many connections at once", async () => {
    const { createServer, connect } = await import("node:net");
    const target = cp.components.portForward!;
    // KWOK dials this address for the pod's port 8080; only loopback is involved.
    const accepted = new Set<import("node:net").Socket>();
    const echo = createServer((socket) => {
      accepted.add(socket);
      socket.pipe(socket);
    });
    await new Promise<void>((r) => echo.listen(target.port, target.host, r));
    const errors: Error[] = [];
    const forward = await clientset.coreV1
      .pods(namespace)
      .portForward(podName, [`:${target.podPort}`, ":9999"], { onError: (e) => errors.push(e) });
    const talk = (port: number, text: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, "127.0.0.1", () => socket.write(text));
        let got = "";
        socket.on("data", (d) => {
          got += d.toString();
          if (got.length >= text.length) socket.end();
        });
        socket.on("close", () => resolve(got));
        socket.on("error", (e: NodeJS.ErrnoException) =>
          e.code === "ECONNRESET" ? resolve(got) : reject(e),
        );
      });
    try {
      const [echoPort, nowherePort] = forward.ports.map((p) => p.local) as [number, number];
      expect(forward.ports).toEqual([
        { local: echoPort, remote: target.podPort },
        { local: nowherePort, remote: 9999 },
      ]);
      const texts = Array.from({ length: 5 }, (_, i) => `through the pod ${i} `.repeat(200 * (i + 1)));
      expect(await Promise.all(texts.map((t) => talk(echoPort, t)))).toEqual(texts);
      // A pod port with no forward: the error channel says so, for that connection only.
      expect(await talk(nowherePort, "anyone?")).toBe("");
      expect(errors.map((e) => e.message)).toEqual([
        expect.stringContaining("no forward found for port 9999"),
      ]);
      expect(await talk(echoPort, "still forwarding")).toBe("still forwarding");
    } finally {
      await forward.close();
      // KWOK's tunnel waits for both directions: it keeps its connection to the target open until
      // the target ends it, even once the client is gone (a kubelet's runtime closes it).
      for (const socket of accepted) socket.destroy();
      await new Promise((r) => echo.close(r));
    }
  });

  it("copies a folder into the pod and back out with tar over exec (cp)", async () => {
    const { mkdtemp, mkdir, writeFile, readFile, readdir, rm, symlink } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const pods = clientset.coreV1.pods(namespace);
    const local = await mkdtemp(join(tmpdir(), "kubegen-cp-e2e-"));
    try {
      const src = join(local, "src");
      await mkdir(join(src, "nested"), { recursive: true });
      await writeFile(join(src, "a.txt"), "alpha\n");
      await writeFile(join(src, "nested", "b.bin"), Buffer.alloc(50_000, 7));
      await symlink("../a.txt", join(src, "nested", "to-a"));
      // KWOK runs exec'd commands in a folder of the control plane's, so container paths are
      // relative to it. It never passes stdin's end on: tar stops at the archive's last record.
      const sent = await pods.copyToPod(podName, src, "copied-in", { container: "app" });
      expect(sent.entries).toBe(5);
      expect((await pods.exec(podName, ["cat", "copied-in/a.txt"], { container: "app" })).stdout).toBe(
        "alpha\n",
      );
      expect(
        (await pods.exec(podName, ["readlink", "copied-in/nested/to-a"], { container: "app" })).stdout,
      ).toBe("../a.txt\n");

      const back = join(local, "back");
      const got = await pods.copyFromPod(podName, "copied-in", back, { container: "app" });
      expect(got.entries).toBe(5);
      expect(await readFile(join(back, "a.txt"), "utf8")).toBe("alpha\n");
      expect((await readFile(join(back, "nested", "b.bin"))).equals(Buffer.alloc(50_000, 7))).toBe(true);
      expect((await readdir(join(back, "nested"))).sort()).toEqual(["b.bin", "to-a"]);
      expect(await readFile(join(back, "nested", "to-a"), "utf8")).toBe("alpha\n");

      // A single file, written in the pod by a command.
      await pods.exec(podName, ["sh", "-c", "echo made in the pod > made.txt"], { container: "app" });
      await pods.copyFromPod(podName, "made.txt", join(local, "made.txt"), { container: "app" });
      expect(await readFile(join(local, "made.txt"), "utf8")).toBe("made in the pod\n");
    } finally {
      await pods.exec(podName, ["rm", "-rf", "copied-in", "made.txt"], { container: "app" }).catch(() => {});
      await rm(local, { recursive: true, force: true });
    }
  });
});

describe("the exec, logs, cp and port-forward examples, against the control plane with KWOK", () => {
  async function runExample(name: string): Promise<string> {
    const { execFile } = await import("node:child_process");
    const { promisify } = await import("node:util");
    const { join, resolve } = await import("node:path");
    const repo = resolve(import.meta.dirname, "../..");
    const { stdout } = await promisify(execFile)(
      join(repo, "node_modules/.bin/tsx"),
      [join(repo, "examples", name)],
      { cwd: repo, env: { ...process.env, KUBECONFIG: cp.kubeconfig }, timeout: 60_000 },
    );
    return stdout;
  }

  it("exec.ts runs a command, then streams one", async () => {
    const out = await runExample("exec.ts");
    expect(out).toContain("stdout: hello from the pod\nstderr: to stderr\nexit code: 0\n");
    expect(out).toMatch(/streamed: line 1\n(.|\n)*line 3\n/);
    expect(out).toContain("streamed command exit code: 0");
  }, 90_000);

  it("logs.ts reads the last lines and follows the log", async () => {
    const { appendFile } = await import("node:fs/promises");
    await appendFile(
      cp.components.podLogFile!,
      "2026-11-30T10:00:04.000000000Z stdout F for the logs example\n",
    );
    const out = await runExample("logs.ts");
    expect(out).toMatch(/^last lines: ".*for the logs example\\n"$/m);
    expect(out).toContain("followed: 2026-11-30T10:00:04.000000000Z for the logs example\n");
    expect(out).toContain("stopped following");
  }, 90_000);

  it("cp.ts copies a folder into a pod and back out", async () => {
    expect((await runExample("cp.ts")).trim().split("\n")).toEqual([
      "copied in: 2 entries",
      "copied out: 2 entries",
      "greeting: hello through tar",
    ]);
  }, 90_000);

  it("port-forward.ts talks to the pod's port 8080 through a local port", async () => {
    const { createServer } = await import("node:net");
    const target = cp.components.portForward!;
    const accepted = new Set<import("node:net").Socket>();
    const echo = createServer((socket) => {
      accepted.add(socket);
      socket.pipe(socket);
    });
    await new Promise<void>((r) => echo.listen(target.port, target.host, r));
    try {
      const out = await runExample("port-forward.ts");
      expect(out).toContain("forwarding 127.0.0.1:<free port> -> port-forward-example:8080");
      expect(out).toContain("sent ping, got ping");
    } finally {
      for (const socket of accepted) socket.destroy();
      await new Promise((r) => echo.close(r));
    }
  }, 90_000);
});
