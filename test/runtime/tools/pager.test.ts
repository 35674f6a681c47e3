/**
 * ListPager against a local server: paging with limit/continue, the full list after an expired
 * continue token, and the page buffer fetching ahead while items are handled.
 */
import { describe, expect, it } from "vitest";
import { ResourceClient } from "../../../runtime/clients/resource-client.js";
import { isResourceExpired } from "../../../runtime/errors.js";
import { ListPager } from "../../../runtime/tools/pager.js";
import { type ConfigMap, configMaps } from "../../support/resources.js";
import { client, json, serve } from "../transport/local-server.js";

const names = Array.from({ length: 10 }, (_, i) => `cm-${i}`);

/** Serves `names` in pages of `limit`; the continue token is the next index. */
async function pagingServer(options: { expireAt?: number } = {}) {
  const server = await serve((req, res) => {
    const q = new URL(req.url!, "http://x").searchParams;
    const limit = Number(q.get("limit") ?? 0) || names.length;
    const start = Number(q.get("continue") ?? 0);
    if (options.expireAt !== undefined && start === options.expireAt) {
      json(res, 410, { kind: "Status", status: "Failure", reason: "Expired", code: 410, message: "too old" });
      return;
    }
    const end = Math.min(start + limit, names.length);
    json(res, 200, {
      kind: "ConfigMapList",
      metadata: { resourceVersion: "7", ...(end < names.length ? { continue: String(end) } : {}) },
      items: names.slice(start, end).map((name) => ({ metadata: { name } })),
    });
  });
  const cm = new ResourceClient<ConfigMap>(client(server.url), configMaps, "ns");
  const queries = () => server.seen.map((s) => new URL(s.url, "http://x").searchParams);
  return { ...server, cm, queries };
}

describe("ListPager", () => {
  it("lists in pages of pageSize, clearing resourceVersion on continuations", async () => {
    const { cm, queries } = await pagingServer();
    const pager = new ListPager<ConfigMap>((o) => cm.list(o), { pageSize: 4 });
    const result = await pager.list({ resourceVersion: "0" });
    expect(result.list.items.map((i) => i.metadata?.name)).toEqual(names);
    expect(result.paginated).toBe(true);
    expect(result.fullListFallback).toBe(false);
    expect(queries().map((q) => [q.get("limit"), q.get("continue"), q.get("resourceVersion")])).toEqual([
      ["4", null, "0"],
      ["4", "4", null],
      ["4", "8", null],
    ]);
  });

  it("falls back to one full list at the original resourceVersion when a continue token expires", async () => {
    const { cm, queries } = await pagingServer({ expireAt: 6 });
    const fallbacks: unknown[] = [];
    const pager = new ListPager<ConfigMap>((o) => cm.list(o), {
      pageSize: 3,
      onFullListFallback: (err) => fallbacks.push(err),
    });
    const result = await pager.list({ resourceVersion: "5", resourceVersionMatch: "NotOlderThan" });
    // The pages read before the expiry are dropped: each name once.
    expect(result.list.items.map((i) => i.metadata?.name)).toEqual(names);
    expect(result.fullListFallback).toBe(true);
    expect(fallbacks).toHaveLength(1);
    expect(isResourceExpired(fallbacks[0])).toBe(true);
    expect(
      queries().map((q) => [
        q.get("limit"),
        q.get("continue"),
        q.get("resourceVersion"),
        q.get("resourceVersionMatch"),
      ]),
    ).toEqual([
      ["3", null, "5", "NotOlderThan"],
      ["3", "3", null, null],
      ["3", "6", null, null],
      [null, null, "5", "NotOlderThan"],
    ]);
  });

  it("throws the Expired error when fullListIfExpired is off, and from eachListItem", async () => {
    const { cm } = await pagingServer({ expireAt: 3 });
    const off = new ListPager<ConfigMap>((o) => cm.list(o), { pageSize: 3, fullListIfExpired: false });
    await expect(off.list()).rejects.toSatisfy(isResourceExpired);
    const seen: string[] = [];
    const on = new ListPager<ConfigMap>((o) => cm.list(o), { pageSize: 3 });
    await expect(
      (async () => {
        for await (const item of on.eachListItem()) seen.push(item.metadata!.name!);
      })(),
    ).rejects.toSatisfy(isResourceExpired);
    expect(seen).toEqual(["cm-0", "cm-1", "cm-2"]);
  });

  it("fetches up to pageBufferSize pages ahead while the caller works on an item", async () => {
    const { cm, seen } = await pagingServer();
    const pager = new ListPager<ConfigMap>((o) => cm.list(o), { pageSize: 2, pageBufferSize: 2 });
    const items = pager.eachListItem();
    const first = await items.next();
    expect(first.value?.metadata?.name).toBe("cm-0");
    // Page 1 is being handled; pages 2 and 3 fill the buffer, and page 4 waits for room.
    await expect.poll(() => seen.length, { timeout: 5000 }).toBe(3);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toHaveLength(3);
    const rest: string[] = [];
    for await (const item of items) rest.push(item.metadata!.name!);
    expect(rest).toEqual(names.slice(1));
    expect(seen).toHaveLength(5);
  });

  it("fetches nothing ahead without a buffer, and stopping the loop stops the fetching", async () => {
    const { cm, seen } = await pagingServer();
    const unbuffered = new ListPager<ConfigMap>((o) => cm.list(o), { pageSize: 2, pageBufferSize: 0 });
    const items = unbuffered.eachListItem();
    await items.next();
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toHaveLength(1);
    await items.return(undefined);

    const buffered = new ListPager<ConfigMap>((o) => cm.list(o), { pageSize: 2, pageBufferSize: 1 });
    const more = buffered.eachListItem();
    await more.next();
    // Page 1 handled, page 2 fetched ahead; then the loop stops and page 3 is never asked for.
    await expect.poll(() => seen.length, { timeout: 5000 }).toBe(3);
    await more.return(undefined);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toHaveLength(3);
  });
});
