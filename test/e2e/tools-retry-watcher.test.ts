/**
 * RetryWatcher on the real apiserver: each watch call lasts one second, so the watch is started
 * again several times while 50 ConfigMaps are created; every creation is seen once, in order.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResourceClient } from "../../runtime/clients/resource-client.js";
import { HttpClient } from "../../runtime/rest/http-client.js";
import { RetryWatcher } from "../../runtime/tools/retry-watcher.js";
import { adminConfig } from "../support/client-config.js";
import { useTestNamespace } from "../support/cluster.js";
import { type ConfigMap, configMaps } from "../support/resources.js";

const namespace = useTestNamespace("rw");
let http: HttpClient;
const cm = () => new ResourceClient<ConfigMap>(http, configMaps, namespace());

beforeAll(async () => {
  http = HttpClient.forConfig(await adminConfig());
});
afterAll(() => http.close());

describe("RetryWatcher on the real apiserver", () => {
  it("sees 50 creations once each, in order, across watch calls of one second", async () => {
    const start = (await cm().list()).metadata!.resourceVersion!;
    const expected = Array.from({ length: 50 }, (_, i) => `watched-${String(i).padStart(2, "0")}`);
    const restarts: string[] = [];
    const abort = new AbortController();
    const watcher = new RetryWatcher(cm(), start, {
      labelSelector: "set=retry",
      timeoutSeconds: 1,
      signal: abort.signal,
      onRestart: (rv) => restarts.push(rv),
    });
    const seen: { type: string; name: string; rv: string }[] = [];
    const watching = (async () => {
      for await (const e of watcher) {
        if (e.type === "BOOKMARK") continue;
        seen.push({ type: e.type, name: e.object.metadata!.name!, rv: e.object.metadata!.resourceVersion! });
        if (seen.length === expected.length) break;
      }
    })();

    const created: string[] = [];
    for (const name of expected) {
      const c = await cm().create({ metadata: { name, labels: { set: "retry" } } });
      created.push(c.metadata!.resourceVersion!);
      await new Promise((r) => setTimeout(r, 100));
    }
    await watching;
    abort.abort();

    expect(seen.map((e) => e.type)).toEqual(Array(50).fill("ADDED"));
    expect(seen.map((e) => e.name)).toEqual(expected);
    expect(seen.map((e) => e.rv)).toEqual(created);
    // The watch was started again several times along the way.
    expect(restarts.length).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
