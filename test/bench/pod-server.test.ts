// The informer benchmark's fixture server speaks the apiserver's protocol as the reflector reads it
// (paged lists, streaming lists ending at the annotated bookmark, idle watches, metadata-only
// answers), so the benchmark cannot quietly measure something else. No timings here.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { buildFixture, makePod, type PodServer, podJson, startPodServer } from "../../bench/pod-server.js";
import { Clientset } from "../../generated/kubernetes/index.js";
import {
  type ClientConfig,
  MetadataClient,
  MetadataInformerFactory,
  partialObjectMetadataAccept,
  partialObjectMetadataListAccept,
  SharedIndexInformer,
} from "../../runtime/index.js";

const count = 20;
let server: PodServer;

beforeAll(async () => {
  server = await startPodServer(count);
});
afterAll(async () => {
  await server.close();
});

interface Json {
  kind?: string;
  apiVersion?: string;
  metadata: {
    resourceVersion?: string;
    continue?: string;
    remainingItemCount?: number;
    [k: string]: unknown;
  };
  items: { kind?: string; metadata: { name: string; managedFields?: unknown }; spec?: unknown }[];
}

async function get(query: string, accept = "application/json") {
  const res = await fetch(`${server.url}/api/v1/pods?${query}`, { headers: { accept } });
  return { status: res.status, body: (await res.json()) as Json };
}

type Event = { type: string; object: Json["items"][number] & { metadata: Json["metadata"] } };

/** Reads watch events until the bookmark that ends the initial events; the response is left open. */
async function initialEvents(accept: string, signal: AbortSignal): Promise<Event[]> {
  const res = await fetch(
    `${server.url}/api/v1/pods?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
    { headers: { accept }, signal },
  );
  expect(res.status).toBe(200);
  const events: Event[] = [];
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of res.body!) {
    text += decoder.decode(chunk, { stream: true });
    const lines = text.split("\n");
    text = lines.pop()!;
    for (const line of lines) {
      const event = JSON.parse(line) as Event;
      events.push(event);
      if (event.type === "BOOKMARK") return events;
    }
  }
  throw new Error("the watch ended before its bookmark");
}

const names = Array.from({ length: count }, (_, i) => makePod(i).metadata.name);

describe("the pods", () => {
  it("are the same for the same index, ~8 KB of JSON each, managedFields about 40% of it", () => {
    expect(makePod(7)).toEqual(makePod(7));
    expect(JSON.parse(podJson(7).pod)).toEqual(makePod(7));
    expect(JSON.parse(podJson(7).metadata)).toEqual({
      kind: "PartialObjectMetadata",
      apiVersion: "meta.k8s.io/v1",
      metadata: makePod(7).metadata,
    });
    const fixture = buildFixture(200);
    expect(fixture.podBytes / 200).toBeGreaterThan(7_000);
    expect(fixture.podBytes / 200).toBeLessThan(9_500);
    expect(fixture.managedFieldsBytes / fixture.podBytes).toBeGreaterThan(0.35);
    expect(fixture.managedFieldsBytes / fixture.podBytes).toBeLessThan(0.45);
    expect(new Set(Array.from({ length: 200 }, (_, i) => makePod(i).metadata.uid)).size).toBe(200);
  });
});

describe("the pod server", () => {
  it("lists every pod at once, and in pages with continue tokens, at one resourceVersion", async () => {
    const all = await get("");
    expect(all.status).toBe(200);
    expect(all.body.kind).toBe("PodList");
    expect(all.body.metadata).toEqual({ resourceVersion: "1020" });
    expect(all.body.items.map((p) => p.metadata.name)).toEqual(names);
    // As the apiserver's, a list's items carry no type; the rest is the pod.
    const { apiVersion: _, kind: __, ...untyped } = makePod(3);
    expect(all.body.items[3]).toEqual(untyped);

    const pages: Json[] = [];
    let next = "";
    do {
      const page = await get(`limit=7${next && `&continue=${next}`}`);
      expect(page.status).toBe(200);
      pages.push(page.body);
      next = page.body.metadata.continue ?? "";
    } while (next);
    expect(pages.map((p) => p.items.length)).toEqual([7, 7, 6]);
    expect(pages.map((p) => p.metadata.remainingItemCount)).toEqual([13, 6, undefined]);
    expect(pages.every((p) => p.metadata.resourceVersion === "1020")).toBe(true);
    expect(pages.flatMap((p) => p.items.map((i) => i.metadata.name))).toEqual(names);
    expect((await get("limit=7&continue=bm9wZQ")).status).toBe(400);
  });

  it("streams a list as ADDED events and the initial-events-end bookmark, then keeps the watch open", async () => {
    const stop = new AbortController();
    const events = await initialEvents("application/json", stop.signal);
    expect(events.map((e) => e.type)).toEqual([...Array(count).fill("ADDED"), "BOOKMARK"]);
    expect(events[5]!.object).toEqual(makePod(5));
    expect(events.at(-1)!.object.metadata).toEqual({
      resourceVersion: "1020",
      annotations: { "k8s.io/initial-events-end": "true" },
    });
    expect(server.openWatches()).toBe(1);
    stop.abort();
    await vi.waitFor(() => expect(server.openWatches()).toBe(0));
  });

  it("keeps a watch from a resourceVersion open, and refuses what the apiserver refuses", async () => {
    const stop = new AbortController();
    const res = await fetch(
      `${server.url}/api/v1/pods?watch=true&resourceVersion=1020&allowWatchBookmarks=true`,
      {
        signal: stop.signal,
      },
    );
    expect(res.status).toBe(200);
    expect(server.openWatches()).toBe(1);
    stop.abort();
    await vi.waitFor(() => expect(server.openWatches()).toBe(0));

    const invalid = await get("watch=true&sendInitialEvents=true&allowWatchBookmarks=true");
    expect([invalid.status, invalid.body.kind]).toEqual([422, "Status"]);
    expect((await get("", "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1")).status).toBe(406);
    expect((await fetch(`${server.url}/api/v1/namespaces`)).status).toBe(404);
  });

  it("answers metadata only when Accept asks for PartialObjectMetadata(List)", async () => {
    const list = await get("limit=5", partialObjectMetadataListAccept);
    expect([list.body.apiVersion, list.body.kind]).toEqual(["meta.k8s.io/v1", "PartialObjectMetadataList"]);
    expect(list.body.metadata.continue).toBeTruthy();
    expect(list.body.items[2]).toEqual({
      kind: "PartialObjectMetadata",
      apiVersion: "meta.k8s.io/v1",
      metadata: makePod(2).metadata,
    });

    const stop = new AbortController();
    const events = await initialEvents(partialObjectMetadataAccept, stop.signal);
    stop.abort();
    expect(events).toHaveLength(count + 1);
    expect(
      events.every((e) => e.object.kind === "PartialObjectMetadata" && e.object.spec === undefined),
    ).toBe(true);
    expect(events[0]!.object.metadata.managedFields).toBeDefined();
  });

  it("syncs the runtime's informers: listed, streamed, and metadata only", async () => {
    const config: ClientConfig = {
      server: server.url,
      namespace: "default",
      tls: {},
      auth: { type: "none" },
    };
    const clientset = Clientset.forConfig(config);
    const metadata = MetadataClient.forConfig(config);
    const stop = new AbortController();
    try {
      for (const initialList of ["list", "streaming"] as const) {
        const informer = new SharedIndexInformer(clientset.coreV1.pods(), { initialList, pageSize: 7 });
        void informer.run(stop.signal);
        expect(await informer.waitForCacheSync(stop.signal)).toBe(true);
        expect(informer.lastInitialList).toBe(initialList);
        expect(informer.lastSyncResourceVersion).toBe("1020");
        expect(informer.indexer.listKeys().sort()).toEqual(
          names.map((name, i) => `${makePod(i).metadata.namespace}/${name}`).sort(),
        );
      }
      const factory = new MetadataInformerFactory(metadata, { initialList: "list", pageSize: 7 });
      const { informer } = factory.forResource({ group: "", version: "v1", resource: "pods" });
      factory.start(stop.signal);
      expect(await factory.waitForCacheSync(stop.signal)).toEqual({ "v1/pods": true });
      expect(informer.indexer.size).toBe(count);
      expect(informer.indexer.list().every((o) => o.kind === "PartialObjectMetadata")).toBe(true);
    } finally {
      stop.abort();
      await clientset.close();
      await metadata.close();
    }
  });
});

describe("the pod server's transport", () => {
  it("gzips a list when asked and told to, as the apiserver; kubegen reads it the same", async () => {
    const zipped = await startPodServer(600, { gzip: true });
    try {
      const { request } = await import("undici");
      const res = await request(`${zipped.url}/api/v1/pods`, { headers: { "accept-encoding": "gzip" } });
      expect(res.headers["content-encoding"]).toBe("gzip");
      const { gunzipSync } = await import("node:zlib");
      const body = JSON.parse(gunzipSync(Buffer.from(await res.body.arrayBuffer())).toString()) as Json;
      expect(body.items).toHaveLength(600);
      // 600 pods are about 5 MB: the clientset decodes them as they arrive, from gzip.
      const clientset = Clientset.forConfig({
        server: zipped.url,
        namespace: "default",
        tls: {},
        auth: { type: "none" },
        qps: -1,
      });
      const list = await clientset.coreV1.pods().list();
      expect(list.items.map((p) => p.metadata?.name)).toEqual(body.items.map((p) => p.metadata.name));
      expect(list.items[599]).toEqual(body.items[599]);
      await clientset.close();
    } finally {
      await zipped.close();
    }
  });

  it("counts the connections it accepted", async () => {
    const res = await fetch(`${server.url}/bench/connections`);
    expect(((await res.json()) as { connections: number }).connections).toBeGreaterThan(0);
  });
});
