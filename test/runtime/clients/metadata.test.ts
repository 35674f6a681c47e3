/**
 * The metadata client against a small local server: the method, path and `Accept` header each
 * verb sends, and what it makes of the answers: PartialObjectMetadata as sent, full objects from
 * a server that ignores `as=` reduced to their metadata (as client-go does), and anything else
 * refused with an error that says what came back.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  MetadataClient,
  type MetadataResourceClient,
  partialObjectMetadataAccept,
  partialObjectMetadataListAccept,
} from "../../../runtime/clients/metadata.js";
import { PatchTypes } from "../../../runtime/core/patch.js";
import { type Cases, runCases } from "../../support/cases.js";

interface Seen {
  method: string;
  url: string;
  accept: string;
  contentType?: string;
  body?: string;
}

const seen: Seen[] = [];
/** What the server answers next (a list of events for a watch); when empty, it honours `as=`. */
let answers: unknown[] = [];
let server: Server;
let metadata: MetadataClient;

const secret = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "token", namespace: "ns", uid: "u-1", resourceVersion: "7", labels: { a: "b" } },
  data: { password: "c2VjcmV0" },
};
const partial = (name: string) => ({
  apiVersion: "meta.k8s.io/v1",
  kind: "PartialObjectMetadata",
  metadata: { name, uid: `uid-${name}`, resourceVersion: "7" },
});

/** The answer of a server that honours `as=`: shaped after the Accept header. */
function honouring(req: IncomingMessage): unknown {
  const accept = String(req.headers.accept);
  if (accept.includes("as=PartialObjectMetadataList")) {
    return {
      apiVersion: "meta.k8s.io/v1",
      kind: "PartialObjectMetadataList",
      metadata: { resourceVersion: "9" },
      items: [partial("one"), partial("two")],
    };
  }
  return partial("one");
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        accept: String(req.headers.accept),
        ...(req.headers["content-type"] ? { contentType: req.headers["content-type"] } : {}),
        ...(body ? { body } : {}),
      });
      if (new URL(req.url ?? "/", "http://x").searchParams.get("watch") === "true") {
        const events = answers.length ? answers.shift() : [{ type: "ADDED", object: honouring(req) }];
        res.writeHead(200, { "content-type": "application/json;stream=watch" });
        for (const event of events as unknown[]) res.write(`${JSON.stringify(event)}\n`);
        res.end();
        return;
      }
      const answer = answers.length ? answers.shift() : honouring(req);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  metadata = MetadataClient.forConfig(
    { server: url, namespace: "default", tls: {}, auth: { type: "none" }, qps: -1 },
    { retry: { maxRetries: 0 } },
  );
});
afterAll(async () => {
  await metadata.close();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  seen.length = 0;
  answers = [];
});

const secrets = () => metadata.resource({ group: "", version: "v1", resource: "secrets" }).namespace("ns");
const widgets = () => metadata.resource({ group: "example.com", version: "v1", resource: "widgets" });

/** A `want` that only needs to contain `text`. */
function containing(text: string): string {
  return expect.stringContaining(text) as unknown as string;
}

async function collect<T>(events: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe("the requests each verb sends", () => {
  const one = partialObjectMetadataAccept;
  const list = partialObjectMetadataListAccept;
  const cases: Cases<(client: MetadataResourceClient) => Promise<unknown>, Seen[]> = [
    [
      "get",
      {
        given: (c) => c.get("token", { resourceVersion: "0" }),
        want: [{ method: "GET", url: "/api/v1/namespaces/ns/secrets/token?resourceVersion=0", accept: one }],
      },
    ],
    [
      "list, with the list's Accept",
      {
        given: (c) => c.list({ labelSelector: "app=web", limit: 2 }),
        want: [
          {
            method: "GET",
            url: "/api/v1/namespaces/ns/secrets?labelSelector=app%3Dweb&limit=2",
            accept: list,
          },
        ],
      },
    ],
    [
      "watch, with the object's Accept (its events carry objects)",
      {
        given: (c) => collect(c.watch({ resourceVersion: "5" })),
        want: [
          { method: "GET", url: "/api/v1/namespaces/ns/secrets?resourceVersion=5&watch=true", accept: one },
        ],
      },
    ],
    [
      "patch, merge by default",
      {
        given: (c) => c.patch("token", { metadata: { labels: { x: "y" } } }),
        want: [
          {
            method: "PATCH",
            url: "/api/v1/namespaces/ns/secrets/token",
            accept: one,
            contentType: PatchTypes.merge,
            body: '{"metadata":{"labels":{"x":"y"}}}',
          },
        ],
      },
    ],
    [
      "patch, JSON patch",
      {
        given: (c) => c.patch("token", [{ op: "remove", path: "/metadata/labels/x" }], PatchTypes.json),
        want: [
          {
            method: "PATCH",
            url: "/api/v1/namespaces/ns/secrets/token",
            accept: one,
            contentType: PatchTypes.json,
            body: '[{"op":"remove","path":"/metadata/labels/x"}]',
          },
        ],
      },
    ],
    [
      "delete, options in the body",
      {
        given: (c) => c.delete("token", { propagationPolicy: "Foreground" }),
        want: [
          {
            method: "DELETE",
            url: "/api/v1/namespaces/ns/secrets/token",
            accept: one,
            contentType: "application/json",
            body: '{"apiVersion":"meta.k8s.io/v1","kind":"DeleteOptions","propagationPolicy":"Foreground"}',
          },
        ],
      },
    ],
    [
      "deleteCollection, with the list's Accept",
      {
        given: (c) => c.deleteCollection({ labelSelector: "a=b" }),
        want: [
          {
            method: "DELETE",
            url: "/api/v1/namespaces/ns/secrets?labelSelector=a%3Db",
            accept: list,
            contentType: "application/json",
            body: '{"apiVersion":"meta.k8s.io/v1","kind":"DeleteOptions"}',
          },
        ],
      },
    ],
  ];
  runCases(cases, async (call) => {
    await call(secrets());
    return seen;
  });

  it("pages follow continue tokens, each page with the list's Accept", async () => {
    const page = (items: string[], next?: string) => ({
      apiVersion: "meta.k8s.io/v1",
      kind: "PartialObjectMetadataList",
      metadata: { resourceVersion: "9", ...(next ? { continue: next } : {}) },
      items: items.map(partial),
    });
    answers = [page(["a"], "t1"), page(["b"])];
    const names: string[][] = [];
    for await (const p of widgets().pages({ limit: 1 }))
      names.push(p.items.map((i) => i.metadata.name ?? ""));
    expect(names).toEqual([["a"], ["b"]]);
    expect(seen.map((s) => [s.url, s.accept])).toEqual([
      ["/apis/example.com/v1/widgets?limit=1", partialObjectMetadataListAccept],
      ["/apis/example.com/v1/widgets?limit=1&continue=t1", partialObjectMetadataListAccept],
    ]);
  });
});

describe("the answers", () => {
  it("returns PartialObjectMetadata and lists as the server sent them", async () => {
    expect(await secrets().get("one")).toEqual(partial("one"));
    const list = await secrets().list();
    expect(list.kind).toBe("PartialObjectMetadataList");
    expect(list.metadata).toEqual({ resourceVersion: "9" });
    expect(list.items).toEqual([partial("one"), partial("two")]);
  });

  it("reduces full objects from a server that ignores as= to their metadata", async () => {
    answers = [
      secret,
      { apiVersion: "v1", kind: "SecretList", metadata: { resourceVersion: "8" }, items: [secret] },
    ];
    const want = { apiVersion: "meta.k8s.io/v1", kind: "PartialObjectMetadata", metadata: secret.metadata };
    expect(await secrets().get("token")).toEqual(want);
    expect(await secrets().list()).toEqual({
      apiVersion: "meta.k8s.io/v1",
      kind: "PartialObjectMetadataList",
      metadata: { resourceVersion: "8" },
      items: [want],
    });
  });

  it("reduces watch events' objects too, and lets bookmarks through with only a resourceVersion", async () => {
    answers = [
      [
        { type: "ADDED", object: secret },
        { type: "MODIFIED", object: partial("one") },
        {
          type: "BOOKMARK",
          object: { kind: "Secret", apiVersion: "v1", metadata: { resourceVersion: "12" } },
        },
      ],
    ];
    const events = await collect(secrets().watch());
    expect(events).toEqual([
      {
        type: "ADDED",
        object: { apiVersion: "meta.k8s.io/v1", kind: "PartialObjectMetadata", metadata: secret.metadata },
      },
      { type: "MODIFIED", object: partial("one") },
      {
        type: "BOOKMARK",
        object: {
          apiVersion: "meta.k8s.io/v1",
          kind: "PartialObjectMetadata",
          metadata: { resourceVersion: "12" },
        },
      },
    ]);
  });

  it("reads an empty list's null items as no items", async () => {
    answers = [
      { apiVersion: "meta.k8s.io/v1", kind: "PartialObjectMetadataList", metadata: {}, items: null },
    ];
    expect((await secrets().list()).items).toEqual([]);
  });

  it("passes a delete's Status through", async () => {
    const status = { apiVersion: "v1", kind: "Status", metadata: {}, status: "Success" };
    answers = [status, status];
    expect(await secrets().delete("token")).toEqual(status);
    expect(await secrets().deleteCollection()).toEqual(status);
  });

  const refusals: Cases<{ answer: unknown; call: "get" | "list" | "watch" }, string> = [
    [
      "metadata without any ObjectMeta field",
      {
        given: { answer: { kind: "Thing", apiVersion: "x/v1", metadata: { labels: {} } }, call: "get" },
        want:
          "metadata get of secrets/v1: the server answered Thing (x/v1), which is not PartialObjectMetadata " +
          "and does not appear to match the ObjectMeta schema",
      },
    ],
    [
      "no metadata",
      {
        given: { answer: { kind: "Thing", spec: {} }, call: "get" },
        want: containing("the server answered Thing, which is not PartialObjectMetadata"),
      },
    ],
    [
      "an array",
      {
        given: { answer: [1], call: "get" },
        want: "metadata get of secrets/v1: expected PartialObjectMetadata, got an array",
      },
    ],
    [
      "a list without items",
      {
        given: { answer: { kind: "PartialObjectMetadataList", apiVersion: "meta.k8s.io/v1" }, call: "list" },
        want: "metadata list of secrets/v1: expected PartialObjectMetadataList, got PartialObjectMetadataList (meta.k8s.io/v1)",
      },
    ],
    [
      "a list item that is not an object",
      {
        given: { answer: { kind: "SecretList", items: [{ metadata: {} }] }, call: "list" },
        want: containing("metadata list of secrets/v1: item 0: the server answered no kind"),
      },
    ],
    [
      "a watch event that is not an object",
      {
        given: { answer: [{ type: "ADDED", object: { kind: "Secret", metadata: {} } }], call: "watch" },
        want: containing("metadata watch of secrets/v1: the server answered Secret"),
      },
    ],
  ];
  runCases(refusals, async ({ answer, call }) => {
    answers = [answer];
    const run =
      call === "get" ? secrets().get("x") : call === "list" ? secrets().list() : collect(secrets().watch());
    return run.then(
      () => "no error",
      (e: unknown) => (e instanceof TypeError ? e.message : `not a TypeError: ${String(e)}`),
    );
  });
});

describe("MetadataClient", () => {
  it("needs a version and a resource", () => {
    expect(() => metadata.resource({ group: "apps", version: "", resource: "deployments" })).toThrow(
      "a metadata resource needs a version and a resource name",
    );
  });

  it("addresses cluster-scoped resources and all namespaces without .namespace()", async () => {
    await metadata.resource({ group: "", version: "v1", resource: "namespaces" }).get("kube-system");
    await metadata.resource({ group: "apps", version: "v1", resource: "deployments" }).list();
    expect(seen.map((s) => s.url)).toEqual(["/api/v1/namespaces/kube-system", "/apis/apps/v1/deployments"]);
  });

  it("closes only the HttpClient it made", async () => {
    let closed = 0;
    const caller = { ...metadata.caller, close: async () => void closed++ };
    await new MetadataClient(caller).close();
    expect(closed).toBe(0);
  });
});
