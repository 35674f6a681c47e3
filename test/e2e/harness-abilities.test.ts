/**
 * What the test harness can do to a control plane of a test file's own, proven on the real
 * apiserver: stop and restart the kube-apiserver on the same port while etcd keeps the data;
 * compact etcd often enough that a watch from an old resourceVersion gets 410; and cut every
 * connection through a loopback TCP proxy while a watch is open.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResourceClient } from "../../runtime/clients/resource-client.js";
import type { ClientConfig } from "../../runtime/config/types.js";
import { isGone, isResourceExpired, isTransportError, type StatusError } from "../../runtime/errors.js";
import { HttpClient } from "../../runtime/rest/http-client.js";
import { type ControlPlane, startControlPlane } from "../cluster/control-plane.js";
import { clientConfigFor } from "../support/client-config.js";
import { type ConfigMap, configMaps } from "../support/resources.js";
import { configThroughProxy, startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

let cp: ControlPlane;
let config: ClientConfig;
let http: HttpClient;
const cm = (client = http) => new ResourceClient<ConfigMap>(client, configMaps, "default");

beforeAll(async () => {
  // A control plane of this file's own: the shared one must not go down under other test files.
  // Without the watch cache, watches read etcd directly, so its compaction shows at once.
  cp = await startControlPlane({ log: () => {}, etcdCompactionInterval: "4s", watchCache: false });
  config = await clientConfigFor(undefined, cp.kubeconfig);
  http = HttpClient.forConfig(config);
}, 120_000);

afterAll(async () => {
  await http?.close();
  await cp?.stop();
  // Every process is stopped and the folder (PKI, etcd data, logs) is gone.
  if (cp) expect(existsSync(cp.dir)).toBe(false);
});

describe("the harness's control plane", () => {
  it("restarts the kube-apiserver on the same port with the data kept", async () => {
    await cm().create({ metadata: { name: "survivor" }, data: { kept: "yes" } });

    await cp.stopApiserver();
    const whileDown = await cm()
      .get("survivor")
      .catch((e: unknown) => e);
    expect(isTransportError(whileDown, "ECONNECTION"), String(whileDown)).toBe(true);

    await cp.startApiserver();
    const after = await cm().get("survivor");
    expect(after.data).toEqual({ kept: "yes" });
    expect(new URL(config.server).port).toBe(new URL(cp.server).port);

    await cp.restartApiserver();
    expect((await cm().get("survivor")).data).toEqual({ kept: "yes" });
  }, 90_000);

  it("compacts etcd, so a watch from an old resourceVersion gets 410", async () => {
    const created = await cm().create({ metadata: { name: "compacted" }, data: { n: "0" } });
    const old = created.metadata?.resourceVersion;
    expect(old).toBeTruthy();
    for (let n = 1; n <= 3; n++) await cm().patch("compacted", { data: { n: String(n) } });

    // Before compaction reaches it, the watch replays the changes since `old`.
    const first = cm().watch({ resourceVersion: old, timeoutSeconds: 5 })[Symbol.asyncIterator]();
    const replayed = await first.next();
    await first.return?.();
    expect(replayed.value?.type).toBe("MODIFIED");

    // Each tick compacts to the revision of the tick before: within three intervals `old` is gone.
    const deadline = Date.now() + 30_000;
    let expired: StatusError | undefined;
    while (!expired && Date.now() < deadline) {
      const watch = cm().watch({ resourceVersion: old, timeoutSeconds: 5 })[Symbol.asyncIterator]();
      try {
        await watch.next();
        await watch.return?.();
        await new Promise((r) => setTimeout(r, 1000));
      } catch (error) {
        expired = error as StatusError;
      }
    }
    expect(expired, "no 410 within 30 s").toBeDefined();
    expect(expired?.code).toBe(410);
    // etcd's answer, as the apiserver passes it on: reason Expired (not Gone).
    expect(isResourceExpired(expired), String(expired)).toBe(true);
    expect(isGone(expired)).toBe(false);

    // A watch from the current resourceVersion still works.
    const latest = (await cm().get("compacted")).metadata?.resourceVersion;
    const current = cm().watch({ resourceVersion: latest, timeoutSeconds: 5 })[Symbol.asyncIterator]();
    const next = current.next();
    await cm().patch("compacted", { data: { n: "after" } });
    expect((await next).value?.object.data).toEqual({ n: "after" });
    await current.return?.();
  }, 60_000);

  describe("a TCP proxy in front of the apiserver", () => {
    let proxy: TcpProxy;
    let proxied: HttpClient;
    beforeAll(async () => {
      proxy = await startTcpProxy(Number(new URL(cp.server).port));
      proxied = HttpClient.forConfig(configThroughProxy(config, proxy));
    });
    afterAll(async () => {
      await proxied?.close();
      await proxy?.close();
    });

    it("carries requests, and cutAll() ends an open watch with an error", async () => {
      await cm(proxied).create({ metadata: { name: "proxied" } });
      const list = await cm(proxied).list();
      expect(list.items.map((c) => c.metadata?.name)).toContain("proxied");
      expect(proxy.accepted).toBeGreaterThan(0);

      const watch = cm(proxied)
        .watch({ resourceVersion: list.metadata?.resourceVersion })
        [Symbol.asyncIterator]();
      const next = watch.next();
      await cm().patch("proxied", { data: { seen: "before the cut" } });
      expect((await next).value?.object.data).toEqual({ seen: "before the cut" });
      expect(proxy.open).toBeGreaterThan(0);

      const ended = watch.next();
      proxy.cutAll();
      const error = await ended.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, "the watch ended without an error").toBeDefined();
      expect(isTransportError(error), String(error)).toBe(true);
      expect(proxy.open).toBe(0);

      // The proxy still accepts connections: the client reconnects.
      expect((await cm(proxied).get("proxied")).data).toEqual({ seen: "before the cut" });
    });
  });
});
