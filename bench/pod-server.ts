/**
 * A loopback fixture apiserver for the informer benchmark: `count` realistic Pods (~8 KB of JSON
 * each, managedFields about 40% of it), generated deterministically and serialized once, served
 * the ways a reflector reads them:
 *
 * - `GET /api/v1/pods?limit=&continue=`: a `PodList` (one response without `limit`, else pages
 *   with a continue token and `remainingItemCount`), `metadata.resourceVersion` set;
 * - `GET /api/v1/pods?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`:
 *   a streaming list, an `ADDED` event per pod, then the `BOOKMARK` annotated
 *   `k8s.io/initial-events-end: "true"`, then the connection stays open, idle;
 * - `GET /api/v1/pods?watch=true&resourceVersion=N`: a watch with nothing to tell, open and idle;
 * - the metadata-only forms of both, when `Accept` asks for `as=PartialObjectMetadataList` (lists)
 *   or `as=PartialObjectMetadata` (watch events): `meta.k8s.io/v1` objects holding only metadata.
 *
 * Nothing changes after start: every pod has the resourceVersion it was created with and every list
 * is at {@link listResourceVersion}. Run as a program (`tsx bench/pod-server.ts <count>`, usually
 * forked by `bench/informer.ts`), it listens on 127.0.0.1 and sends `{ port, ... }` to its parent,
 * so the server's memory stays out of the process being measured.
 */
import { createServer, type IncomingMessage, Server, type ServerResponse } from "node:http";
import { createSecureServer, type Http2SecureServer } from "node:http2";
import type { AddressInfo } from "node:net";
import { createGzip } from "node:zlib";

/** The resourceVersion of pod `i` is `firstResourceVersion + i`. */
const firstResourceVersion = 1000;

/** The resourceVersion every list (and the initial-events-end bookmark) is at. */
export function listResourceVersion(count: number): string {
  return String(firstResourceVersion + count);
}

const namespaces = 40;
const hex = (n: number, width: number) => (n >>> 0).toString(16).padStart(width, "0").slice(-width);

/** A deterministic 32-bit hash (FNV-1a over the decimal digits of `i` and a salt). */
function hash(i: number, salt: number): number {
  let h = 0x811c9dc5 ^ salt;
  for (const c of String(i)) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

const uid = (i: number, salt: number) =>
  `${hex(hash(i, salt), 8)}-${hex(hash(i, salt + 1), 4)}-4${hex(hash(i, salt + 2), 3)}-8${hex(hash(i, salt + 3), 3)}-${hex(hash(i, salt + 4), 8)}${hex(hash(i, salt + 5), 4)}`;

/** A timestamp `seconds` after 2026-01-01T00:00:00Z, as the apiserver prints them. */
const timestamp = (seconds: number) =>
  new Date(Date.UTC(2026, 0, 1) + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

const k = (name: string) => `k:{"name":"${name}"}`;
const fields = (...names: string[]) => Object.fromEntries(names.map((n) => [`f:${n}`, {}]));

/** A container's part of the managedFields kube-controller-manager leaves when it creates a pod from its template. */
function containerFields(env: string[], sidecar: boolean) {
  const probeFields = {
    ".": {},
    ...fields("failureThreshold", "periodSeconds", "successThreshold", "timeoutSeconds"),
    "f:httpGet": { ".": {}, ...fields("path", "port", "scheme") },
  };
  const mount = (path: string, ...names: string[]) => ({
    [`k:{"mountPath":"${path}"}`]: { ".": {}, ...fields(...names) },
  });
  return {
    ".": {},
    ...fields("image", "imagePullPolicy", "name", "terminationMessagePath", "terminationMessagePolicy"),
    "f:env": Object.fromEntries(env.map((name) => [k(name), { ".": {}, ...fields("name", "value") }])),
    ...(sidecar
      ? {}
      : {
          "f:livenessProbe": probeFields,
          "f:ports": {
            ".": {},
            'k:{"containerPort":8080,"protocol":"TCP"}': {
              ".": {},
              ...fields("containerPort", "name", "protocol"),
            },
          },
          "f:readinessProbe": probeFields,
        }),
    "f:resources": {
      ".": {},
      "f:limits": { ".": {}, ...fields("cpu", "memory") },
      "f:requests": { ".": {}, ...fields("cpu", "memory") },
    },
    "f:volumeMounts": {
      ".": {},
      ...mount("/etc/config", "mountPath", "name", "readOnly"),
      ...(sidecar ? {} : mount("/var/cache", "mountPath", "name")),
    },
  };
}

const appEnv = ["LOG_LEVEL", "HTTP_PORT", "REGION", "FEATURE_FLAGS"];
const sidecarEnv = ["UPSTREAM", "LISTEN_PORT"];
const conditions = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"];

// The parts of managedFields every pod shares, built and serialized once rather than once a pod.
const annotationFields = {
  ".": {},
  ...fields(
    "checksum/config",
    "kubectl.kubernetes.io/restartedAt",
    "prometheus.io/port",
    "prometheus.io/scrape",
  ),
};
const labelFields = {
  ".": {},
  ...fields(
    "app",
    "app.kubernetes.io/name",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/version",
    "pod-template-hash",
    "tier",
  ),
};
const specFields = {
  "f:containers": {
    [k("app")]: containerFields(appEnv, false),
    [k("proxy")]: containerFields(sidecarEnv, true),
  },
  ...fields(
    "dnsPolicy",
    "enableServiceLinks",
    "restartPolicy",
    "schedulerName",
    "serviceAccountName",
    "terminationGracePeriodSeconds",
  ),
  "f:securityContext": {},
  "f:volumes": {
    ".": {},
    [k("config")]: { ".": {}, "f:configMap": { ".": {}, ...fields("defaultMode", "name") }, "f:name": {} },
    [k("cache")]: { ".": {}, "f:emptyDir": {}, "f:name": {} },
  },
};
const conditionFields = Object.fromEntries(
  conditions.map((type) => [
    `k:{"type":"${type}"}`,
    { ".": {}, ...fields("lastProbeTime", "lastTransitionTime", "status", "type") },
  ]),
);
const statusFields = fields("containerStatuses", "hostIP", "phase", "podIP", "startTime");
const sharedFieldsJson = {
  annotations: JSON.stringify(annotationFields),
  labels: JSON.stringify(labelFields),
  spec: JSON.stringify(specFields),
  conditions: JSON.stringify(conditionFields),
  status: JSON.stringify(statusFields),
};

const probe = (path: string, port: number) => ({
  httpGet: { path, port, scheme: "HTTP" },
  timeoutSeconds: 1,
  periodSeconds: 10,
  successThreshold: 1,
  failureThreshold: 3,
});

const containerStatus = (name: string, image: string, i: number, started: string) => ({
  name,
  state: { running: { startedAt: started } },
  lastState: {},
  ready: true,
  restartCount: 0,
  image,
  imageID: `registry.example.com/${name}@sha256:${hex(hash(i, 91), 8).repeat(8)}`,
  containerID: `containerd://${hex(hash(i, name.length), 8).repeat(8)}`,
  started: true,
});

/** Pod `i` without its managedFields, and those as JSON text (serialized from shared parts, for speed). */
function podParts(i: number) {
  const namespace = `team-${String(i % namespaces).padStart(2, "0")}`;
  const app = `service-${(i >> 6) % 97}`;
  const template = hex(hash(i >> 6, 7), 10);
  const name = `${app}-${template}-${hex(hash(i, 3), 5)}`;
  const created = timestamp(i);
  const started = timestamp(i + 4);
  const node = `node-${String(hash(i, 11) % 300).padStart(3, "0")}`;
  const image = `registry.example.com/${app}:1.${i % 40}.${i % 7}`;
  const sidecarImage = "registry.example.com/envoy-sidecar:1.31.2";
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const managedFields = managedFieldsJson(uid(i >> 6, 21), ip, created, started);
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      generateName: `${app}-${template}-`,
      namespace,
      uid: uid(i, 1),
      resourceVersion: String(firstResourceVersion + i),
      creationTimestamp: created,
      labels: {
        app,
        "app.kubernetes.io/name": app,
        "app.kubernetes.io/part-of": "storefront",
        "app.kubernetes.io/version": `1.${i % 40}.${i % 7}`,
        "pod-template-hash": template,
        tier: i % 3 === 0 ? "frontend" : "backend",
      },
      annotations: {
        "kubectl.kubernetes.io/restartedAt": timestamp(i >> 4),
        "prometheus.io/scrape": "true",
        "prometheus.io/port": "9090",
        "checksum/config": hex(hash(i >> 6, 13), 8).repeat(8),
      },
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: `${app}-${template}`,
          uid: uid(i >> 6, 21),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      volumes: [
        { name: "config", configMap: { name: `${app}-config`, defaultMode: 420 } },
        { name: "cache", emptyDir: {} },
        {
          name: "kube-api-access",
          projected: {
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
              { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
            ],
            defaultMode: 420,
          },
        },
      ],
      containers: [
        {
          name: "app",
          image,
          ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
          env: [
            { name: "LOG_LEVEL", value: i % 10 === 0 ? "debug" : "info" },
            { name: "HTTP_PORT", value: "8080" },
            { name: "REGION", value: ["eu-west-1", "us-east-1", "ap-south-1"][i % 3] },
            { name: "FEATURE_FLAGS", value: "checkout-v2,search-ranking,async-inventory" },
          ],
          resources: { limits: { cpu: "1", memory: "512Mi" }, requests: { cpu: "250m", memory: "256Mi" } },
          volumeMounts: [
            { name: "config", readOnly: true, mountPath: "/etc/config" },
            { name: "cache", mountPath: "/var/cache" },
            {
              name: "kube-api-access",
              readOnly: true,
              mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
            },
          ],
          livenessProbe: probe("/healthz", 8080),
          readinessProbe: probe("/readyz", 8080),
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
          imagePullPolicy: "IfNotPresent",
        },
        {
          name: "proxy",
          image: sidecarImage,
          env: [
            { name: "UPSTREAM", value: "127.0.0.1:8080" },
            { name: "LISTEN_PORT", value: "15001" },
          ],
          resources: { limits: { cpu: "500m", memory: "128Mi" }, requests: { cpu: "50m", memory: "64Mi" } },
          volumeMounts: [
            { name: "config", readOnly: true, mountPath: "/etc/config" },
            {
              name: "kube-api-access",
              readOnly: true,
              mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
            },
          ],
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
          imagePullPolicy: "IfNotPresent",
        },
      ],
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      dnsPolicy: "ClusterFirst",
      serviceAccountName: app,
      serviceAccount: app,
      nodeName: node,
      securityContext: {},
      schedulerName: "default-scheduler",
      tolerations: [
        {
          key: "node.kubernetes.io/not-ready",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
        {
          key: "node.kubernetes.io/unreachable",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: "PreemptLowerPriority",
    },
    status: {
      phase: "Running",
      conditions: conditions.map((type) => ({
        type,
        status: "True",
        lastProbeTime: null,
        lastTransitionTime: type === "PodScheduled" ? created : started,
      })),
      hostIP: `192.168.${(hash(i, 11) % 300) >> 8}.${hash(i, 11) % 256}`,
      hostIPs: [{ ip: `192.168.${(hash(i, 11) % 300) >> 8}.${hash(i, 11) % 256}` }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: created,
      containerStatuses: [
        containerStatus("app", image, i, started),
        containerStatus("proxy", sidecarImage, i, started),
      ],
      qosClass: "Burstable",
    },
  };
  return { pod, managedFields };
}

/**
 * The managedFields of a pod as kube-controller-manager (creating it from its ReplicaSet) and the
 * kubelet (its status) leave them; only the owner's uid, the pod IP and the times vary.
 */
function managedFieldsJson(ownerUid: string, ip: string, created: string, started: string): string {
  const ownerKey = JSON.stringify(`k:{"uid":"${ownerUid}"}`);
  const ipKey = JSON.stringify(`k:{"ip":"${ip}"}`);
  const entry = (manager: string, time: string) =>
    `"manager":"${manager}","operation":"Update","apiVersion":"v1","time":"${time}","fieldsType":"FieldsV1"`;
  return (
    `[{${entry("kube-controller-manager", created)},"fieldsV1":{"f:metadata":{"f:annotations":${sharedFieldsJson.annotations},` +
    `"f:generateName":{},"f:labels":${sharedFieldsJson.labels},"f:ownerReferences":{".":{},${ownerKey}:{}}},` +
    `"f:spec":${sharedFieldsJson.spec}}},` +
    `{${entry("kubelet", started)},"fieldsV1":{"f:status":{"f:conditions":${sharedFieldsJson.conditions},` +
    `${sharedFieldsJson.status.slice(1, -1)},"f:hostIPs":{},"f:podIPs":{".":{},${ipKey}:{".":{},"f:ip":{}}}}},` +
    `"subresource":"status"}]`
  );
}

/** Pod `i` of the fixture: the same object for the same `i`, every time. */
export function makePod(i: number): Record<string, unknown> & { metadata: Record<string, unknown> } {
  const { pod, managedFields } = podParts(i);
  return { ...pod, metadata: { ...pod.metadata, managedFields: JSON.parse(managedFields) } };
}

/** Pod `i` as JSON text, and its metadata as a `PartialObjectMetadata`; they parse to `makePod(i)` and its metadata. */
export function podJson(i: number): { pod: string; metadata: string; managedFieldsBytes: number } {
  const { pod, managedFields } = podParts(i);
  const { metadata, spec, status } = pod;
  const meta = `${JSON.stringify(metadata).slice(0, -1)},"managedFields":${managedFields}}`;
  return {
    pod: `{"apiVersion":"v1","kind":"Pod","metadata":${meta},"spec":${JSON.stringify(spec)},"status":${JSON.stringify(status)}}`,
    metadata: `{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":${meta}}`,
    // The member and its separator: what dropping the field saves.
    managedFieldsBytes: Buffer.byteLength(`,"managedFields":${managedFields}`),
  };
}

/** The serialized fixture: each pod once as a Pod and once as a PartialObjectMetadata. */
export interface PodFixture {
  readonly count: number;
  readonly pods: readonly Buffer[];
  readonly metadata: readonly Buffer[];
  /** Bytes of all pods' JSON, and of their `metadata.managedFields` alone. */
  readonly podBytes: number;
  readonly managedFieldsBytes: number;
}

export function buildFixture(count: number): PodFixture {
  const pods: Buffer[] = [];
  const metadata: Buffer[] = [];
  let podBytes = 0;
  let managedFieldsBytes = 0;
  for (let i = 0; i < count; i++) {
    const json = podJson(i);
    const pod = Buffer.from(json.pod);
    pods.push(pod);
    metadata.push(Buffer.from(json.metadata));
    podBytes += pod.length;
    managedFieldsBytes += json.managedFieldsBytes;
  }
  return { count, pods, metadata, podBytes, managedFieldsBytes };
}

/** Which representation a request's `Accept` asks for, or `undefined` when none can be served. */
function negotiate(accept: string | undefined, as: "PartialObjectMetadataList" | "PartialObjectMetadata") {
  for (const range of (accept ?? "*/*").split(",")) {
    const [type = "", ...params] = range.split(";").map((s) => s.trim());
    const p = Object.fromEntries(params.map((s) => s.split("=").map((x) => x.trim()) as [string, string]));
    if (type !== "application/json" && type !== "application/*" && type !== "*/*") continue;
    if (p.as === undefined) return "full";
    if (p.as === as && p.g === "meta.k8s.io" && p.v === "v1") return "metadata";
  }
  return undefined;
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message,
      reason,
      code,
    }),
  );
}

/** Writes `parts` in chunks of about 1 MiB, waiting for the socket to drain; false if the client left. */
async function writeAll(res: ServerResponse, parts: Iterable<Buffer>): Promise<boolean> {
  let batch: Buffer[] = [];
  let size = 0;
  const flush = async () => {
    const ok = res.write(Buffer.concat(batch, size));
    batch = [];
    size = 0;
    if (!ok && !res.destroyed)
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.on("drain", done);
        res.on("close", done);
      });
    return !res.destroyed;
  };
  for (const part of parts) {
    batch.push(part);
    size += part.length;
    if (size >= 1 << 20 && !(await flush())) return false;
  }
  return size === 0 || (await flush());
}

const comma = Buffer.from(",");
const openBrace = Buffer.from("{");
const podTypeMeta = '{"apiVersion":"v1","kind":"Pod",';

/**
 * `items[from..to)`, comma-separated. The apiserver writes a list's items without their type
 * (`apiVersion`, `kind`), except in a PartialObjectMetadataList: so does this.
 */
function* joined(items: readonly Buffer[], from: number, to: number, typed: boolean): Generator<Buffer> {
  for (let i = from; i < to; i++) {
    if (i > from) yield comma;
    if (typed) yield items[i]!;
    else yield* [openBrace, items[i]!.subarray(podTypeMeta.length)];
  }
}

async function list(
  fixture: PodFixture,
  query: URLSearchParams,
  asMetadata: boolean,
  res: ServerResponse,
  gzip: boolean,
) {
  const rv = listResourceVersion(fixture.count);
  const limit = Number(query.get("limit") ?? "0");
  let from = 0;
  const token = query.get("continue");
  if (token) {
    const [tokenRv, offset] = Buffer.from(token, "base64url").toString().split(":");
    from = Number(offset);
    if (tokenRv !== rv || !Number.isInteger(from) || from <= 0 || from > fixture.count)
      return status(res, 400, "BadRequest", "invalid continue token");
  }
  const to = limit > 0 ? Math.min(from + limit, fixture.count) : fixture.count;
  const meta: Record<string, unknown> = { resourceVersion: rv };
  if (to < fixture.count) {
    meta.continue = Buffer.from(`${rv}:${to}`).toString("base64url");
    meta.remainingItemCount = fixture.count - to;
  }
  const head = asMetadata
    ? { kind: "PartialObjectMetadataList", apiVersion: "meta.k8s.io/v1", metadata: meta }
    : { kind: "PodList", apiVersion: "v1", metadata: meta };
  const items = asMetadata ? fixture.metadata : fixture.pods;
  const open = Buffer.from(`${JSON.stringify(head).slice(0, -1)},"items":[`);
  function* body(): Generator<Buffer> {
    yield open;
    yield* joined(items, from, to, asMetadata);
    yield Buffer.from("]}");
  }
  if (gzip) {
    // As the apiserver: gzip when asked for (it does so above 128 KiB).
    res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
    const zip = createGzip({ level: 1 });
    const done = new Promise<void>((resolve, reject) => {
      zip.on("end", resolve);
      zip.on("error", reject);
    });
    zip.on("data", (chunk: Buffer) => {
      if (!res.write(chunk)) zip.pause();
    });
    res.on("drain", () => zip.resume());
    for (const part of body()) if (!zip.write(part)) await new Promise((r) => zip.once("drain", r));
    zip.end();
    await done;
    res.end();
    return;
  }
  res.writeHead(200, { "content-type": "application/json" });
  if (await writeAll(res, body())) res.end();
}

async function watch(fixture: PodFixture, query: URLSearchParams, asMetadata: boolean, res: ServerResponse) {
  const rv = listResourceVersion(fixture.count);
  const initialEvents = query.get("sendInitialEvents") === "true";
  if (initialEvents && query.get("resourceVersionMatch") !== "NotOlderThan")
    return status(res, 422, "Invalid", "sendInitialEvents requires resourceVersionMatch=NotOlderThan");
  if (initialEvents && query.get("allowWatchBookmarks") !== "true")
    return status(res, 422, "Invalid", "sendInitialEvents requires allowWatchBookmarks=true");
  if (!initialEvents && !query.get("resourceVersion"))
    return status(
      res,
      422,
      "Invalid",
      "this fixture watches only from a resourceVersion, or with sendInitialEvents",
    );
  // No transfer-encoding header: Node chunks an HTTP/1.1 answer without a length by itself, and
  // HTTP/2 forbids the header (the stream would fail).
  res.writeHead(200, { "content-type": "application/json" });
  res.flushHeaders?.();
  const timeout = Number(query.get("timeoutSeconds") ?? "0");
  if (timeout > 0) {
    const timer = setTimeout(() => res.end(), timeout * 1000);
    timer.unref();
    res.once("close", () => clearTimeout(timer));
  }
  if (!initialEvents) return;
  const items = asMetadata ? fixture.metadata : fixture.pods;
  const added = Buffer.from('{"type":"ADDED","object":');
  const end = Buffer.from("}\n");
  const bookmark = {
    type: "BOOKMARK",
    object: {
      kind: asMetadata ? "PartialObjectMetadata" : "Pod",
      apiVersion: asMetadata ? "meta.k8s.io/v1" : "v1",
      metadata: { resourceVersion: rv, annotations: { "k8s.io/initial-events-end": "true" } },
    },
  };
  function* events(): Generator<Buffer> {
    for (const item of items) yield* [added, item, end];
    yield Buffer.from(`${JSON.stringify(bookmark)}\n`);
  }
  // Then the watch stays open with nothing to tell, until the client closes it.
  await writeAll(res, events());
}

function handle(
  fixture: PodFixture,
  watches: Set<ServerResponse>,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const watching = ["true", "1"].includes(url.searchParams.get("watch") ?? "");
  if (watching) {
    watches.add(res);
    res.once("close", () => watches.delete(res));
  }
  const form = negotiate(
    req.headers.accept,
    watching ? "PartialObjectMetadata" : "PartialObjectMetadataList",
  );
  if (req.method !== "GET" || url.pathname !== "/api/v1/pods")
    status(res, 404, "NotFound", `${req.method} ${url.pathname}: not served by the pod fixture`);
  else if (form === undefined)
    status(res, 406, "NotAcceptable", `cannot answer Accept: ${req.headers.accept}`);
  else
    (watching
      ? watch(fixture, url.searchParams, form === "metadata", res)
      : list(
          fixture,
          url.searchParams,
          form === "metadata",
          res,
          /\bgzip\b/.test(req.headers["accept-encoding"] ?? ""),
        )
    ).catch((err: unknown) => res.destroy(err as Error));
}

/** A running fixture server. */
export interface PodServer {
  readonly url: string;
  readonly fixture: PodFixture;
  /** How many watch responses are still open (a watch stays open until the client leaves). */
  openWatches(): number;
  close(): Promise<void>;
}

/** Serving options: TLS (HTTP/2 and HTTP/1.1 by ALPN, as the apiserver), and gzip when asked. */
export interface PodServerOptions {
  tls?: { cert: string; key: string };
  /** Gzip list answers whose request accepts it, as the apiserver (default false: the benchmark compares uncompressed reads). */
  gzip?: boolean;
}

/** Builds the fixture and serves it on 127.0.0.1 (a free port). */
export async function startPodServer(count: number, options: PodServerOptions = {}): Promise<PodServer> {
  const fixture = buildFixture(count);
  const watches = new Set<ServerResponse>();
  const gzip = options.gzip ?? false;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (!gzip) delete req.headers["accept-encoding"];
    if (req.url === "/bench/connections") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ connections, sessions, watches: watches.size }));
      return;
    }
    handle(fixture, watches, req, res);
  };
  let connections = 0;
  let sessions = 0;
  const sockets = new Set<import("node:net").Socket>();
  const server: Server | Http2SecureServer = options.tls
    ? createSecureServer({ ...options.tls, allowHTTP1: true }, onRequest as never)
    : createServer(onRequest);
  if (server instanceof Server) server.keepAliveTimeout = 60_000;
  server.on("secureConnection", () => connections++);
  server.on("connection", (socket: import("node:net").Socket) => {
    if (!options.tls) connections++;
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.on("session", () => sessions++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    fixture,
    openWatches: () => watches.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** What the program sends its parent once it listens. */
export interface PodServerReady {
  url: string;
  count: number;
  podBytes: number;
  managedFieldsBytes: number;
  metadataBytes: number;
}

if (process.argv[1] === import.meta.filename && process.send) {
  const count = Number(process.argv[2]);
  if (!Number.isInteger(count) || count <= 0) throw new TypeError(`pod-server: bad count ${process.argv[2]}`);
  // Optional: the serving certificate and key files, for TLS (HTTP/2 and HTTP/1.1 by ALPN).
  const [certFile, keyFile] = process.argv.slice(3);
  const { readFileSync } = await import("node:fs");
  const tls =
    certFile && keyFile
      ? { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") }
      : undefined;
  const { url, fixture } = await startPodServer(count, { tls, gzip: process.env.BENCH_GZIP === "1" });
  const ready: PodServerReady = {
    url,
    count,
    podBytes: fixture.podBytes,
    managedFieldsBytes: fixture.managedFieldsBytes,
    metadataBytes: fixture.metadata.reduce((n, b) => n + b.length, 0),
  };
  process.send(ready);
  // The parent ends this process; losing the parent ends it too.
  process.on("disconnect", () => process.exit(0));
}
