/**
 * Starts a real etcd and kube-apiserver on 127.0.0.1 with random free ports, a generated PKI, RBAC,
 * and three identities, and writes a kubeconfig with one context per identity:
 *
 * - `kubegen-admin`: static bearer token, member of `system:masters`;
 * - `kubegen-admin-cert`: client certificate, member of `system:masters`;
 * - `kubegen-restricted`: static bearer token, bound only to a Role in the `kubegen-restricted`
 *   namespace (read and write ConfigMaps there), so tests can see 401 and 403.
 *
 * Opt-in per control plane (the shared one of the e2e global setup runs neither, to stay quick):
 * `controllers: true` adds kube-controller-manager and kube-scheduler, so namespaces finish
 * terminating, owners garbage-collect, Deployments get ReplicaSets and Pods, and every namespace gets
 * its `default` ServiceAccount; `kwok: true` adds those and KWOK, which plays the kubelet for
 * simulated nodes the harness creates, so scheduled pods turn Running.
 *
 * Everything lives in one temporary folder that `stop()` removes; every process is killed on every
 * exit path, and a watchdog kills them should this process die without cleaning up.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, rmSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent, request } from "undici";
import { stringify } from "yaml";
import { type ControlPlaneBinaries, ensureBinaries, formatElapsed, type Log } from "./build.js";
import { createTestPki, type TestPki } from "./pki.js";

export const contexts = {
  admin: "kubegen-admin",
  adminCert: "kubegen-admin-cert",
  restricted: "kubegen-restricted",
} as const;

export const restrictedUser = "kubegen-restricted";
export const restrictedNamespace = "kubegen-restricted";

export interface ControlPlaneOptions {
  /** Serve every API group/version, alpha and beta included, as upstream does when recording its OpenAPI. */
  allApis?: boolean;
  log?: Log;
  /** Milliseconds to wait for /readyz. */
  readyTimeout?: number;
  /**
   * The apiserver's `--etcd-compaction-interval` (a Go duration such as `"10s"`; upstream's default
   * is 5 minutes). Each tick compacts etcd to the revision seen at the tick before, so a watch from
   * a resourceVersion older than two intervals gets 410 (reason Expired), provided it reaches etcd:
   * see `watchCache`.
   */
  etcdCompactionInterval?: string;
  /**
   * `false` starts the apiserver with `--watch-cache=false`: watches and lists go to etcd, so they
   * see its compaction at once. With the cache on, a watch from an old resourceVersion is served
   * from the cache's own window of events, which compaction does not shorten.
   */
  watchCache?: boolean;
  /**
   * Also run kube-controller-manager and kube-scheduler (built on first use, from the apiserver's
   * module). With them the apiserver's ServiceAccount admission plugin is on, as in a real cluster.
   */
  controllers?: boolean;
  /**
   * Also run KWOK with simulated nodes (implies `controllers`): pods get scheduled onto the nodes and
   * KWOK's stages move them to Running, and deleted pods go at once.
   */
  kwok?: boolean;
  /** How many KWOK nodes to create (`kwok-node-0`, ...). Default 1. */
  kwokNodes?: number;
}

/** Which components a control plane runs, for tests that need pods to run or controllers to act. */
export interface ControlPlaneComponents {
  controllerManager: boolean;
  scheduler: boolean;
  kwok: boolean;
  /** Names of the simulated nodes, Ready and schedulable; empty without KWOK. */
  nodes: string[];
  /**
   * With KWOK: the log file (CRI format) every pod's containers read as their logs; append
   * `<RFC 3339 time> stdout F <text>` lines to it. Exec into any pod runs the command on this
   * machine, in a folder of the control plane's own (KWOK's ClusterExec).
   */
  podLogFile?: string;
  /**
   * With KWOK: where a port-forward to any pod's `podPort` goes (KWOK's ClusterPortForward dials
   * `host:port` on this machine). Nothing listens there until a test does; other pod ports fail
   * with an error on the forward's error channel.
   */
  portForward?: { podPort: number; host: "127.0.0.1"; port: number };
}

export interface ControlPlane {
  /** `https://127.0.0.1:<port>` */
  server: string;
  kubeconfig: string;
  dir: string;
  caCert: string;
  adminToken: string;
  restrictedToken: string;
  pki: TestPki;
  binaries: ControlPlaneBinaries;
  components: ControlPlaneComponents;
  /**
   * Stops the kube-apiserver (SIGTERM, then SIGKILL after 5 s) and leaves etcd running: until
   * `startApiserver()`, connections to `server` are refused. Only for a control plane the test
   * started itself; the shared one of the e2e global setup serves other test files.
   */
  stopApiserver(): Promise<void>;
  /** Starts the kube-apiserver again, on the same port, flags and etcd data, and waits for /readyz. */
  startApiserver(): Promise<void>;
  /** `stopApiserver()` then `startApiserver()`. */
  restartApiserver(): Promise<void>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous last resort: the normal path is stop().
  process.on("exit", () => {
    for (const child of live) child.kill("SIGKILL");
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function startProcess(
  binary: string,
  args: string[],
  logFile: string,
  flags: "w" | "a" = "w",
  env?: NodeJS.ProcessEnv,
): ChildProcess {
  const out = createWriteStream(logFile, { flags });
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"], env: env ?? process.env });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  live.add(child);
  child.on("exit", () => live.delete(child));
  return child;
}

/** Kills `pids` once `parent` is gone, in case the parent dies without running its exit hooks. */
function startWatchdog(parent: number, pids: number[]): ChildProcess {
  const script = `while kill -0 ${parent} 2>/dev/null; do sleep 1; done; kill -9 ${pids.join(" ")} 2>/dev/null`;
  const dog = spawn("sh", ["-c", script], { stdio: "ignore", detached: true });
  dog.unref();
  return dog;
}

async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

async function tail(file: string, lines = 40): Promise<string> {
  try {
    return (await readFile(file, "utf8")).trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  child: ChildProcess,
  logFile: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `kubegen: ${what} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${await tail(logFile)}`,
      );
    }
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`kubegen: ${what} was not ready within ${timeoutMs / 1000}s:\n${await tail(logFile)}`);
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const withKwok = options.kwok === true;
  const withControllers = withKwok || options.controllers === true;
  const binaries = await ensureBinaries(log, { controllers: withControllers, kwok: withKwok });
  installExitHook();
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), "kubegen-cluster-"));
  let agent: Agent | undefined;
  let watchdog: ChildProcess | undefined;

  // etcd first, then the components that talk to the apiserver; the apiserver of the moment is
  // apart (a restart replaces it).
  const children: ChildProcess[] = [];
  let apiserver: ChildProcess | undefined;
  const stop = async () => {
    await agent?.close().catch(() => {});
    // The apiserver's clients first, while it still answers them; etcd last.
    const [etcd, ...clients] = children;
    for (const child of clients.reverse()) await stopProcess(child);
    if (apiserver) await stopProcess(apiserver);
    if (etcd) await stopProcess(etcd);
    watchdog?.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  };
  /** A new watchdog for the processes of the moment (the apiserver's pid changes on a restart). */
  const guard = () => {
    watchdog?.kill("SIGKILL");
    const pids = [...children, ...(apiserver ? [apiserver] : [])].map((c) => c.pid);
    watchdog = startWatchdog(
      process.pid,
      pids.filter((pid): pid is number => pid !== undefined),
    );
  };

  try {
    const pki = await createTestPki(dir);
    const adminToken = randomBytes(24).toString("hex");
    const restrictedToken = randomBytes(24).toString("hex");
    const tokensFile = join(dir, "tokens.csv");
    await writeFile(
      tokensFile,
      `${adminToken},kubegen-admin,kubegen-admin,"system:masters"\n${restrictedToken},${restrictedUser},${restrictedUser}\n`,
      { mode: 0o600 },
    );

    const [etcdClientPort, etcdPeerPort, apiserverPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    const etcdPeerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    const etcdLog = join(dir, "etcd.log");
    const etcd = startProcess(
      binaries.etcd,
      [
        "--name=kubegen",
        `--data-dir=${join(dir, "etcd")}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${etcdPeerUrl}`,
        `--initial-advertise-peer-urls=${etcdPeerUrl}`,
        `--initial-cluster=kubegen=${etcdPeerUrl}`,
        "--unsafe-no-fsync",
        "--log-level=warn",
      ],
      etcdLog,
    );
    children.push(etcd);
    guard();
    await waitFor(
      "etcd",
      async () => {
        const res = await request(`${etcdUrl}/health`);
        const body = (await res.body.json()) as { health?: string };
        return res.statusCode === 200 && body.health === "true";
      },
      etcd,
      etcdLog,
      20_000,
    );

    const apiserverLog = join(dir, "kube-apiserver.log");
    const server = `https://127.0.0.1:${apiserverPort}`;
    const apiserverArgs = [
      `--etcd-servers=${etcdUrl}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${apiserverPort}`,
      `--cert-dir=${join(dir, "apiserver-certs")}`,
      `--tls-cert-file=${pki.servingCert}`,
      `--tls-private-key-file=${pki.servingKey}`,
      `--client-ca-file=${pki.caCert}`,
      `--token-auth-file=${tokensFile}`,
      "--authorization-mode=RBAC",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      // Cluster IPs are only allocated, never routed: nothing listens on them.
      "--service-cluster-ip-range=10.96.0.0/16",
      // A loopback address is not a valid endpoint for the `kubernetes` Service.
      "--endpoint-reconciler-type=none",
      "--profiling=false",
      "--v=1",
    ];
    if (!withControllers) {
      // No controller manager runs, so nothing would create the `default` service accounts pods need.
      apiserverArgs.push("--disable-admission-plugins=ServiceAccount");
    }
    if (withKwok) {
      // KWOK's nodes report 127.0.0.1 as their InternalIP and serve the kubelet API with the
      // apiserver's own serving certificate (SAN 127.0.0.1), so the apiserver can verify it.
      apiserverArgs.push(
        "--kubelet-preferred-address-types=InternalIP",
        `--kubelet-certificate-authority=${pki.caCert}`,
      );
    }
    if (options.allApis) {
      apiserverArgs.push("--runtime-config=api/all=true", "--feature-gates=AllAlpha=true,AllBeta=true");
    }
    if (options.etcdCompactionInterval !== undefined) {
      apiserverArgs.push(`--etcd-compaction-interval=${options.etcdCompactionInterval}`);
    }
    if (options.watchCache === false) apiserverArgs.push("--watch-cache=false");

    const ca = await readFile(pki.caCert, "utf8");
    agent = new Agent({ connect: { ca } });
    const startApiserver = async () => {
      if (apiserver && apiserver.exitCode === null && apiserver.signalCode === null) {
        throw new Error("kubegen: kube-apiserver is already running");
      }
      // Each run appends to the one log, so a failure shows what the earlier runs said too.
      const child = startProcess(binaries.kubeApiserver, apiserverArgs, apiserverLog, "a");
      apiserver = child;
      guard();
      await waitFor(
        "kube-apiserver",
        async () => {
          const res = await request(`${server}/readyz`, {
            dispatcher: agent,
            headers: { authorization: `Bearer ${adminToken}` },
          });
          await res.body.dump();
          return res.statusCode === 200;
        },
        child,
        apiserverLog,
        options.readyTimeout ?? 60_000,
      );
    };
    const stopApiserver = async () => {
      if (apiserver) await stopProcess(apiserver);
      // Pooled connections to the stopped server are dead; the readiness probe must not reuse them.
      await agent?.close().catch(() => {});
      agent = new Agent({ connect: { ca } });
    };
    await startApiserver();

    await bootstrapRestrictedIdentity(server, agent, adminToken);

    const kubeconfig = join(dir, "kubeconfig");
    const identities = {
      adminToken,
      restrictedToken,
      adminCert: await readFile(pki.adminCert, "utf8"),
      adminKey: await readFile(pki.adminKey, "utf8"),
    };
    await writeFile(kubeconfig, kubeconfigYaml(server, ca, identities), { mode: 0o600 });
    const components: ControlPlaneComponents = {
      controllerManager: withControllers,
      scheduler: withControllers,
      kwok: withKwok,
      nodes: [],
    };
    if (withControllers) {
      const featureGates = options.allApis ? ["--feature-gates=AllAlpha=true,AllBeta=true"] : [];
      await startControllers({
        dir,
        server,
        ca,
        pki,
        binaries,
        featureGates,
        children,
        guard,
        api: (path, init) => api(server, agent!, adminToken, path, init),
        timeoutMs: options.readyTimeout ?? 60_000,
      });
      if (withKwok) {
        const kwokCtx = {
          dir,
          binaries,
          pki,
          children,
          guard,
          api: (path: string, init?: Parameters<typeof api>[4]) =>
            api(server, agent!, adminToken, path, init),
          nodeCount: options.kwokNodes ?? 1,
          timeoutMs: options.readyTimeout ?? 60_000,
          podLogFile: undefined as string | undefined,
          portForward: undefined as ControlPlaneComponents["portForward"],
        };
        components.nodes = await startKwok(kwokCtx);
        components.podLogFile = kwokCtx.podLogFile;
        components.portForward = kwokCtx.portForward;
      }
    }
    const extras = [withControllers && "kube-controller-manager, kube-scheduler", withKwok && "KWOK"].filter(
      Boolean,
    );
    log(
      `kubegen: kube-apiserver ${binaries.kubernetesVersion}${extras.length ? ` with ${extras.join(", ")}` : ""} ready at ${server} in ${formatElapsed(Date.now() - started)}`,
    );
    return {
      server,
      kubeconfig,
      dir,
      caCert: pki.caCert,
      adminToken,
      restrictedToken,
      pki,
      binaries,
      components,
      stopApiserver,
      startApiserver,
      restartApiserver: async () => {
        await stopApiserver();
        await startApiserver();
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Synchronous clean-up for a process that is exiting right now. */
export function killAllNow(dir?: string): void {
  for (const child of live) child.kill("SIGKILL");
  if (dir) rmSync(dir, { recursive: true, force: true });
}

interface Identities {
  adminToken: string;
  restrictedToken: string;
  adminCert: string;
  adminKey: string;
}

function kubeconfigYaml(
  server: string,
  ca: string,
  { adminToken, restrictedToken, adminCert, adminKey }: Identities,
): string {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "kubegen-local", cluster: { server, "certificate-authority-data": b64(ca) } }],
    users: [
      { name: contexts.admin, user: { token: adminToken } },
      {
        name: contexts.adminCert,
        user: { "client-certificate-data": b64(adminCert), "client-key-data": b64(adminKey) },
      },
      { name: contexts.restricted, user: { token: restrictedToken } },
    ],
    contexts: [
      {
        name: contexts.admin,
        context: { cluster: "kubegen-local", user: contexts.admin, namespace: "default" },
      },
      {
        name: contexts.adminCert,
        context: { cluster: "kubegen-local", user: contexts.adminCert, namespace: "default" },
      },
      {
        name: contexts.restricted,
        context: { cluster: "kubegen-local", user: contexts.restricted, namespace: restrictedNamespace },
      },
    ],
    "current-context": contexts.admin,
  });
}

async function bootstrapRestrictedIdentity(
  server: string,
  dispatcher: Agent,
  adminToken: string,
): Promise<void> {
  const post = async (path: string, body: unknown) => {
    const res = await request(`${server}${path}`, {
      method: "POST",
      dispatcher,
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode !== 201 && res.statusCode !== 409) {
      throw new Error(`kubegen: bootstrap POST ${path} failed with ${res.statusCode}: ${text}`);
    }
  };
  await post("/api/v1/namespaces", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: restrictedNamespace },
  });
  await post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${restrictedNamespace}/roles`, {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name: "configmap-editor", namespace: restrictedNamespace },
    rules: [
      {
        apiGroups: [""],
        resources: ["configmaps"],
        verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
      },
    ],
  });
  await post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${restrictedNamespace}/rolebindings`, {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: "configmap-editor", namespace: restrictedNamespace },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "configmap-editor" },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: restrictedUser }],
  });
}

type Api = (
  path: string,
  init?: { method?: string; body?: unknown },
) => Promise<{ status: number; body: unknown }>;

/** One admin request to the apiserver, JSON in and out. */
async function api(
  server: string,
  dispatcher: Agent,
  adminToken: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: unknown }> {
  const res = await request(`${server}${path}`, {
    method: (init.method ?? "GET") as "GET",
    dispatcher,
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.body.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (an error page): keep the text.
  }
  return { status: res.statusCode, body };
}

/**
 * A kubeconfig for the components, with the admin client certificate (`system:masters`): the
 * components act with full rights, as they would with their own RBAC roles plus
 * `--use-service-account-credentials`, without the extra bootstrap.
 */
async function writeComponentKubeconfig(
  dir: string,
  server: string,
  ca: string,
  pki: TestPki,
): Promise<string> {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const file = join(dir, "components.kubeconfig");
  const yaml = stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "local", cluster: { server, "certificate-authority-data": b64(ca) } }],
    users: [
      {
        name: "admin",
        user: {
          "client-certificate-data": b64(await readFile(pki.adminCert, "utf8")),
          "client-key-data": b64(await readFile(pki.adminKey, "utf8")),
        },
      },
    ],
    contexts: [{ name: "local", context: { cluster: "local", user: "admin" } }],
    "current-context": "local",
  });
  await writeFile(file, yaml, { mode: 0o600 });
  return file;
}

interface ComponentContext {
  dir: string;
  binaries: ControlPlaneBinaries;
  pki: TestPki;
  children: ChildProcess[];
  guard: () => void;
  api: Api;
  timeoutMs: number;
}

async function startControllers(
  ctx: ComponentContext & { server: string; ca: string; featureGates: string[] },
): Promise<void> {
  const { dir, pki, binaries } = ctx;
  const kubeconfig = await writeComponentKubeconfig(dir, ctx.server, ctx.ca, pki);
  // Neither serves its own HTTPS endpoint (--secure-port=0): nothing listens but the apiserver, and
  // each runs alone, so leader election would only slow the start.
  const kcmLog = join(dir, "kube-controller-manager.log");
  const kcm = startProcess(
    binaries.kubeControllerManager!,
    [
      `--kubeconfig=${kubeconfig}`,
      "--leader-elect=false",
      "--bind-address=127.0.0.1",
      "--secure-port=0",
      // Without the key, the serviceaccount-token controller stays off.
      `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.caCert}`,
      `--cluster-signing-cert-file=${pki.caCert}`,
      `--cluster-signing-key-file=${pki.caKey}`,
      "--kube-api-qps=100",
      "--kube-api-burst=200",
      ...ctx.featureGates,
      "--v=1",
    ],
    kcmLog,
  );
  ctx.children.push(kcm);
  const schedulerLog = join(dir, "kube-scheduler.log");
  const scheduler = startProcess(
    binaries.kubeScheduler!,
    [
      `--kubeconfig=${kubeconfig}`,
      "--leader-elect=false",
      "--bind-address=127.0.0.1",
      "--secure-port=0",
      ...ctx.featureGates,
      "--v=1",
    ],
    schedulerLog,
  );
  ctx.children.push(scheduler);
  ctx.guard();
  // The serviceaccount controller's first work is `default/default`: the controllers are running.
  await waitFor(
    "kube-controller-manager",
    async () => (await ctx.api("/api/v1/namespaces/default/serviceaccounts/default")).status === 200,
    kcm,
    kcmLog,
    ctx.timeoutMs,
  );
  if (scheduler.exitCode !== null || scheduler.signalCode !== null) {
    throw new Error(
      `kubegen: kube-scheduler exited (${scheduler.exitCode ?? scheduler.signalCode}):\n${await tail(schedulerLog)}`,
    );
  }
}

interface NodeStatus {
  spec?: { taints?: { key: string }[] };
  status?: { conditions?: { type: string; status: string }[] };
}

/** Starts KWOK on a loopback port and creates its nodes; resolves with their names once they take pods. */
async function startKwok(
  ctx: ComponentContext & {
    nodeCount: number;
    podLogFile?: string;
    portForward?: ControlPlaneComponents["portForward"];
  },
): Promise<string[]> {
  const { dir, pki, binaries } = ctx;
  const port = await freePort();
  const workdir = join(dir, "kwok");
  await mkdir(workdir, { recursive: true });
  const kwokLog = join(dir, "kwok.log");
  // Streaming for every pod: logs (and attach) from one CRI-format file, exec as a local process in
  // a folder of its own, port-forward of pod port 8080 to a loopback port a test may listen on
  // (KWOK's static ClusterLogs, ClusterAttach, ClusterExec and ClusterPortForward rules).
  const execDir = join(workdir, "exec");
  await mkdir(execDir, { recursive: true });
  const podLogFile = join(workdir, "pod.log");
  await writeFile(podLogFile, "");
  const portForward = { podPort: 8080, host: "127.0.0.1", port: await freePort() } as const;
  const streaming = join(workdir, "streaming.yaml");
  await writeFile(
    streaming,
    [
      "apiVersion: kwok.x-k8s.io/v1alpha1",
      "kind: ClusterExec",
      "metadata: {name: exec}",
      `spec: {execs: [{local: {workDir: ${JSON.stringify(execDir)}}}]}`,
      "---",
      "apiVersion: kwok.x-k8s.io/v1alpha1",
      "kind: ClusterLogs",
      "metadata: {name: logs}",
      `spec: {logs: [{logsFile: ${JSON.stringify(podLogFile)}}]}`,
      "---",
      "apiVersion: kwok.x-k8s.io/v1alpha1",
      "kind: ClusterAttach",
      "metadata: {name: attach}",
      `spec: {attaches: [{logsFile: ${JSON.stringify(podLogFile)}}]}`,
      "---",
      "apiVersion: kwok.x-k8s.io/v1alpha1",
      "kind: ClusterPortForward",
      "metadata: {name: port-forward}",
      `spec: {forwards: [{ports: [${portForward.podPort}], target: {address: ${portForward.host}, port: ${portForward.port}}}]}`,
      "",
    ].join("\n"),
  );
  ctx.podLogFile = podLogFile;
  ctx.portForward = portForward;
  const kwok = startProcess(
    binaries.kwok!,
    [
      `--kubeconfig=${join(dir, "components.kubeconfig")}`,
      "--manage-all-nodes=true",
      "--node-ip=127.0.0.1",
      // The port is written into each node's status (daemonEndpoints), so it is a concrete one.
      `--node-port=${port}`,
      // Always the address too: with only --node-port KWOK binds every interface, and its server has
      // no authentication (anything that reaches it can run commands on this machine).
      `--server-address=127.0.0.1:${port}`,
      `--tls-cert-file=${pki.servingCert}`,
      `--tls-private-key-file=${pki.servingKey}`,
      "--node-lease-duration-seconds=40",
      "--cidr=10.244.0.0/16",
      `--config=${binaries.kwokStages!}`,
      `--config=${streaming}`,
    ],
    kwokLog,
    "w",
    // Otherwise KWOK also loads ~/.kwok/kwok.yaml.
    { ...process.env, KWOK_WORKDIR: workdir },
  );
  ctx.children.push(kwok);
  ctx.guard();
  await waitFor(
    "kwok",
    async () => {
      const res = await request(`http://127.0.0.1:${port}/healthz`);
      await res.body.dump();
      return res.statusCode === 200;
    },
    kwok,
    kwokLog,
    ctx.timeoutMs,
  );

  // KWOK never creates nodes; it takes over the ones that exist (--manage-all-nodes).
  const nodes = Array.from({ length: ctx.nodeCount }, (_, i) => `kwok-node-${i}`);
  for (const name of nodes) {
    const { status, body } = await ctx.api("/api/v1/nodes", {
      method: "POST",
      body: {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name,
          labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", type: "kwok" },
        },
      },
    });
    if (status !== 201)
      throw new Error(`kubegen: creating node ${name} failed with ${status}: ${JSON.stringify(body)}`);
  }
  // Schedulable once KWOK has made it Ready and the node lifecycle controller has lifted the
  // not-ready taint that admission put on at creation.
  for (const name of nodes) {
    await waitFor(
      `kwok node ${name}`,
      async () => {
        const node = (await ctx.api(`/api/v1/nodes/${name}`)).body as NodeStatus;
        const ready = node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
        const tainted = node.spec?.taints?.some((t) => t.key.startsWith("node.kubernetes.io/"));
        return ready === true && !tainted;
      },
      kwok,
      kwokLog,
      ctx.timeoutMs,
    );
  }
  return nodes;
}
