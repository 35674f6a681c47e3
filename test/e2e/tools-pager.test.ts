/** ListPager on the real apiserver: many ConfigMaps read in pages, each once. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResourceClient } from "../../runtime/clients/resource-client.js";
import { HttpClient } from "../../runtime/rest/http-client.js";
import { ListPager } from "../../runtime/tools/pager.js";
import { adminConfig } from "../support/client-config.js";
import { useTestNamespace } from "../support/cluster.js";
import { type ConfigMap, configMaps } from "../support/resources.js";

const namespace = useTestNamespace("pager");
let http: HttpClient;
const cm = () => new ResourceClient<ConfigMap>(http, configMaps, namespace());

beforeAll(async () => {
  http = HttpClient.forConfig(await adminConfig());
});
afterAll(() => http.close());

describe("ListPager on the real apiserver", () => {
  it("lists 60 ConfigMaps in pages of 7, each once", async () => {
    const expected = Array.from({ length: 60 }, (_, i) => `paged-${String(i).padStart(2, "0")}`);
    for (let i = 0; i < expected.length; i += 10)
      await Promise.all(expected.slice(i, i + 10).map((name) => cm().create({ metadata: { name } })));

    const limits: (number | undefined)[] = [];
    const pager = new ListPager<ConfigMap>(
      (o) => {
        limits.push(o.limit);
        return cm().list(o);
      },
      { pageSize: 7, pageBufferSize: 2 },
    );
    const result = await pager.list();
    const names = result.list.items.map((i) => i.metadata!.name!).filter((n) => n.startsWith("paged-"));
    expect(names.sort()).toEqual(expected);
    expect(result.paginated).toBe(true);
    expect(result.fullListFallback).toBe(false);
    // 60 of ours plus kube-root-ca.crt: 61 items, 9 pages of 7.
    expect(limits).toEqual(Array(9).fill(7));

    const streamed: string[] = [];
    for await (const item of pager.eachListItem()) streamed.push(item.metadata!.name!);
    expect(streamed.filter((n) => n.startsWith("paged-")).sort()).toEqual(expected);
    expect(new Set(streamed).size).toBe(streamed.length);
  });
});
