/**
 * RetryWatcher against a local server that cuts the stream, ends it, goes quiet and finally
 * answers 410: the events delivered are exactly the server's log, each once, in order.
 */
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { ResourceClient } from "../../../runtime/clients/resource-client.js";
import type { WatchEvent } from "../../../runtime/core/watch.js";
import { isForbidden } from "../../../runtime/errors.js";
import { RetryWatcher, WatchExpiredError } from "../../../runtime/tools/retry-watcher.js";
import { type ConfigMap, configMaps } from "../../support/resources.js";
import { client, json, serve } from "../transport/local-server.js";

type Wire = { type: string; object: Record<string, unknown> };
const event = (type: string, rv: number, name = `cm-${rv}`): Wire => ({
  type,
  object:
    type === "BOOKMARK"
      ? { metadata: { resourceVersion: String(rv) } }
      : { metadata: { name, resourceVersion: String(rv) } },
});
const line = (e: Wire) => `${JSON.stringify(e)}\n`;
const expired = {
  type: "ERROR",
  object: {
    kind: "Status",
    status: "Failure",
    reason: "Expired",
    code: 410,
    message: "too old resource version",
  },
};

/** The server's history; each watch call is sent what follows the resourceVersion it asked for. */
const history: Wire[] = [
  event("ADDED", 11),
  event("MODIFIED", 12, "cm-11"),
  event("ADDED", 13),
  event("BOOKMARK", 15),
  event("ADDED", 16),
  event("DELETED", 17, "cm-11"),
  event("ADDED", 18),
  event("MODIFIED", 19, "cm-18"),
];

/** What each call does after sending `count` events: cut the socket, end, hang or send 410. */
type Step = { count: number; after: "cut" | "end" | "hang" | "expire" };

async function scriptedServer(steps: Step[]) {
  return serve((req, res, _body, n) => {
    const step = steps[n - 1] ?? { count: 0, after: "hang" };
    const from = Number(new URL(req.url!, "http://x").searchParams.get("resourceVersion"));
    const next = history.filter(
      (e) =>
        Number(e.object.metadata && (e.object.metadata as { resourceVersion: string }).resourceVersion) >
        from,
    );
    res.writeHead(200, { "content-type": "application/json" });
    for (const e of next.slice(0, step.count)) res.write(line(e));
    finish(res, step.after);
  });
}

function finish(res: ServerResponse, after: Step["after"]) {
  if (after === "end") res.end();
  else if (after === "expire") res.end(line(expired as Wire));
  else if (after === "cut") {
    // Half a line, then the connection drops.
    res.write('{"type":"ADDED","object":{"metadata":{"na');
    setTimeout(() => res.socket?.destroy(), 20);
  }
}

const names = (events: WatchEvent<ConfigMap>[]) =>
  events.map((e) => `${e.type} ${e.object.metadata?.name ?? "-"} ${e.object.metadata?.resourceVersion}`);

describe("RetryWatcher", () => {
  it("resumes after a cut, a server timeout and an idle stream; ends with WatchExpiredError on 410", async () => {
    const { url, seen } = await scriptedServer([
      { count: 2, after: "cut" },
      { count: 2, after: "end" },
      { count: 2, after: "hang" },
      { count: 2, after: "expire" },
    ]);
    const cm = new ResourceClient<ConfigMap>(client(url), configMaps, "ns");
    const restarts: string[] = [];
    const causes: boolean[] = [];
    const watcher = new RetryWatcher(cm, "10", {
      minRestartDelayMs: 10,
      idleTimeoutMs: 1000,
      timeoutSeconds: 30,
      onRestart: (rv, err) => {
        restarts.push(rv);
        causes.push(err !== undefined);
      },
    });
    const delivered: WatchEvent<ConfigMap>[] = [];
    const err = await (async () => {
      for await (const e of watcher) delivered.push(e);
    })().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(WatchExpiredError);
    expect((err as WatchExpiredError).resourceVersion).toBe("19");
    // Bookmarks pass through, as client-go's RetryWatcher does.
    expect(names(delivered)).toEqual([
      "ADDED cm-11 11",
      "MODIFIED cm-11 12",
      "ADDED cm-13 13",
      "BOOKMARK - 15",
      "ADDED cm-16 16",
      "DELETED cm-11 17",
      "ADDED cm-18 18",
      "MODIFIED cm-18 19",
    ]);
    expect(restarts).toEqual(["12", "15", "17"]);
    // The cut and the watchdog end a call with an error; the server's timeout ends it cleanly.
    expect(causes).toEqual([true, false, true]);
    const queries = seen.map((s) => new URL(s.url, "http://x").searchParams);
    expect(queries.map((q) => q.get("resourceVersion"))).toEqual(["10", "12", "15", "17"]);
    for (const q of queries) {
      expect(q.get("watch")).toBe("true");
      expect(q.get("allowWatchBookmarks")).toBe("true");
      expect(q.get("timeoutSeconds")).toBe("30");
    }
  });

  it("keeps bookmarks to itself when asked, and still resumes after them", async () => {
    const { url, seen } = await scriptedServer([
      { count: 4, after: "end" },
      { count: 1, after: "expire" },
    ]);
    const cm = new ResourceClient<ConfigMap>(client(url), configMaps, "ns");
    const watcher = new RetryWatcher(cm, "10", { minRestartDelayMs: 10, skipBookmarks: true });
    const delivered: WatchEvent<ConfigMap>[] = [];
    await expect(
      (async () => {
        for await (const e of watcher) delivered.push(e);
      })(),
    ).rejects.toBeInstanceOf(WatchExpiredError);
    expect(names(delivered)).toEqual([
      "ADDED cm-11 11",
      "MODIFIED cm-11 12",
      "ADDED cm-13 13",
      "ADDED cm-16 16",
    ]);
    expect(seen.map((s) => new URL(s.url, "http://x").searchParams.get("resourceVersion"))).toEqual([
      "10",
      "15",
    ]);
  });

  it("ends with WatchExpiredError when the new call is answered 410, and stops on 403", async () => {
    const gone = await serve((_req, res, _b, n) => {
      if (n === 1) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(line(event("ADDED", 11)));
      } else json(res, 410, expired.object);
    });
    const delivered: string[] = [];
    const err = await (async () => {
      const cm = new ResourceClient<ConfigMap>(client(gone.url), configMaps, "ns");
      for await (const e of new RetryWatcher(cm, "10", { minRestartDelayMs: 10 })) delivered.push(e.type);
    })().catch((e: unknown) => e);
    expect(delivered).toEqual(["ADDED"]);
    expect(err).toBeInstanceOf(WatchExpiredError);
    expect((err as WatchExpiredError).resourceVersion).toBe("11");
    expect(gone.seen).toHaveLength(2);

    const denied = await serve((_req, res) =>
      json(res, 403, { kind: "Status", status: "Failure", reason: "Forbidden", code: 403, message: "no" }),
    );
    const cm = new ResourceClient<ConfigMap>(client(denied.url), configMaps, "ns");
    await expect(
      (async () => {
        for await (const _ of new RetryWatcher(cm, "10", { minRestartDelayMs: 10 })) break;
      })(),
    ).rejects.toSatisfy(isForbidden);
    expect(denied.seen).toHaveLength(1);
  });

  it("waits minRestartDelayMs between calls and honours retryAfterSeconds of a 500", async () => {
    const { url, seen } = await serve((_req, res, _b, n) => {
      if (n === 1) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end();
      } else if (n === 2)
        json(res, 500, {
          kind: "Status",
          status: "Failure",
          reason: "InternalError",
          code: 500,
          message: "etcd",
          details: { retryAfterSeconds: 1 },
        });
      else json(res, 410, expired.object);
    });
    const cm = new ResourceClient<ConfigMap>(client(url), configMaps, "ns");
    // The times the watcher starts its calls (the server's clock would add network delays).
    const starts: number[] = [];
    const timed = {
      watch: (o: Parameters<typeof cm.watch>[0]) => {
        starts.push(Date.now());
        return cm.watch(o);
      },
    };
    await expect(
      (async () => {
        for await (const _ of new RetryWatcher(timed, "10", { minRestartDelayMs: 200 })) break;
      })(),
    ).rejects.toBeInstanceOf(WatchExpiredError);
    expect(seen).toHaveLength(3);
    expect(starts).toHaveLength(3);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(195);
    // The 500 asked for a second: that, not the 200 ms, sets the wait.
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(995);
  });

  it("rejects resourceVersion '' and '0', and stops quietly when the signal aborts", async () => {
    const cm = { watch: () => (async function* () {})() };
    expect(() => new RetryWatcher(cm, "")).toThrow(RangeError);
    expect(() => new RetryWatcher(cm, "0")).toThrow(RangeError);

    const { url, seen } = await scriptedServer([{ count: 1, after: "hang" }]);
    const abort = new AbortController();
    const watcher = new RetryWatcher(new ResourceClient<ConfigMap>(client(url), configMaps, "ns"), "10", {
      signal: abort.signal,
    });
    const delivered: string[] = [];
    for await (const e of watcher) {
      delivered.push(e.object.metadata!.resourceVersion!);
      abort.abort();
    }
    expect(delivered).toEqual(["11"]);
    expect(watcher.resourceVersion).toBe("11");
    expect(seen).toHaveLength(1);
  });
});
