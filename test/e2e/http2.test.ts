/**
 * HTTP/2 against the real apiserver, which allows 100 concurrent streams per connection (its
 * `--http2-max-streams-per-connection` default): more watches than that all start and all receive
 * their events, over two HTTP/2 connections, and a burst of GETs shares one connection.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { TLSSocket } from "node:tls";
import { afterAll, expect, it } from "vitest";
import { Clientset } from "../../generated/kubernetes/index.js";
import { adminConfig } from "../support/client-config.js";
import { useTestNamespace } from "../support/cluster.js";

const namespace = useTestNamespace("kubegen-e2e-http2");

/** The sockets undici connects while `fn` runs, with the protocol ALPN chose for each. */
async function connectionsDuring<T>(fn: () => Promise<T>): Promise<{ result: T; protocols: string[] }> {
  const protocols: string[] = [];
  const onConnected = (message: unknown) =>
    protocols.push((message as { socket: TLSSocket }).socket.alpnProtocol || "http/1.1");
  subscribe("undici:client:connected", onConnected);
  try {
    return { result: await fn(), protocols };
  } finally {
    unsubscribe("undici:client:connected", onConnected);
  }
}

const clientsets: Clientset[] = [];
afterAll(() => Promise.all(clientsets.map((c) => c.close())));
async function clientset(http2: boolean): Promise<Clientset> {
  const c = Clientset.forConfig({ ...(await adminConfig()), qps: -1 }, { http2, warningHandler: () => {} });
  clientsets.push(c);
  return c;
}

it("runs 150 watches over two HTTP/2 connections, each receiving its events", async () => {
  const watching = await clientset(true);
  const writer = await clientset(false);
  const n = 150;
  const abort = new AbortController();
  const { result: events, protocols } = await connectionsDuring(async () => {
    let established = 0;
    let onEstablished = () => {};
    const allEstablished = new Promise<void>((r) => (onEstablished = r));
    const received = Array.from({ length: n }, async (_, i) => {
      const cms = watching.coreV1.configMaps(namespace());
      let resourceVersion: string | undefined;
      // The apiserver closes a watcher it finds slow ("unresponsiveness", as on a busy machine):
      // then go on from the last version seen, as a reflector does.
      for (;;) {
        for await (const event of cms.watch({
          labelSelector: `watch=w${i}`,
          allowWatchBookmarks: true,
          signal: abort.signal,
          ...(resourceVersion
            ? { resourceVersion }
            : { sendInitialEvents: true, resourceVersionMatch: "NotOlderThan" as const }),
        })) {
          resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion;
          const annotations = event.object.metadata?.annotations ?? {};
          if (event.type === "BOOKMARK" && annotations["k8s.io/initial-events-end"] === "true") {
            if (++established === n) onEstablished();
          } else if (event.type === "ADDED") return event.object.metadata?.name;
        }
      }
    });
    await allEstablished;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        writer.coreV1
          .configMaps(namespace())
          .create({ metadata: { name: `cm-${i}`, labels: { watch: `w${i}` } }, data: { i: String(i) } }),
      ),
    );
    return Promise.all(received);
  });
  abort.abort();
  expect(events).toEqual(Array.from({ length: n }, (_, i) => `cm-${i}`));
  // The writer speaks HTTP/1.1; the watches take two HTTP/2 connections of at most 100 streams
  // (before Http2Pool: one each, 150).
  expect(protocols.filter((p) => p === "h2")).toEqual(["h2", "h2"]);
}, 60_000);

it("sends 300 concurrent GETs over one HTTP/2 connection", async () => {
  const c = await clientset(true);
  await c.coreV1.configMaps(namespace()).create({ metadata: { name: "get-me" }, data: { a: "b" } });
  const { result, protocols } = await connectionsDuring(() =>
    Promise.all(Array.from({ length: 300 }, () => c.coreV1.configMaps(namespace()).get("get-me"))),
  );
  expect(result.every((cm) => cm.data?.a === "b")).toBe(true);
  // The create above opened the connection; the GETs opened none.
  expect(protocols).toEqual([]);
});
