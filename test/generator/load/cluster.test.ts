/** The live-cluster loader over an injected fetch: which documents it asks for, and its errors. */
import { describe, expect, it } from "vitest";
import { fetchOpenApi, fetchOpenApiV3 } from "../../../generator/load/cluster.js";

describe("fetchOpenApiV3", () => {
  it("fetches every group-version document through its hash URL, sorted, and skips the others", async () => {
    const asked: string[] = [];
    const progress: string[] = [];
    const docs = await fetchOpenApiV3(
      async (path) => {
        asked.push(path);
        if (path === "/openapi/v3") {
          return {
            paths: {
              "apis/apps/v1": { serverRelativeURL: "/openapi/v3/apis/apps/v1?hash=A" },
              "api/v1": { serverRelativeURL: "/openapi/v3/api/v1?hash=B" },
              apis: { serverRelativeURL: "/openapi/v3/apis?hash=C" },
              "apis/apps": { serverRelativeURL: "/openapi/v3/apis/apps?hash=D" },
              version: { serverRelativeURL: "/openapi/v3/version?hash=E" },
            },
          };
        }
        return { openapi: "3.0.0", paths: {}, from: path };
      },
      (line) => progress.push(line),
      1,
    );
    expect([...docs.keys()]).toEqual(["api/v1", "apis/apps/v1"]);
    expect(asked).toEqual(["/openapi/v3", "/openapi/v3/api/v1?hash=B", "/openapi/v3/apis/apps/v1?hash=A"]);
    expect(progress.at(-1)).toBe("fetched 2/2 OpenAPI documents (apis/apps/v1)");
  });

  it("says so when the server has no OpenAPI v3 index", async () => {
    await expect(fetchOpenApiV3(async () => ({ kind: "Status" }))).rejects.toThrow(/not an OpenAPI v3 index/);
  });

  it("passes a fetch failure on", async () => {
    await expect(
      fetchOpenApiV3(async () => {
        throw new Error("connect ECONNREFUSED 127.0.0.1:1");
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe("fetchOpenApi", () => {
  it("falls back to /openapi/v2 when /openapi/v3 is not served, converting it", async () => {
    const asked: string[] = [];
    const docs = await fetchOpenApi(async (path) => {
      asked.push(path);
      if (path === "/openapi/v3")
        throw Object.assign(new Error("the server could not find the requested resource"), { code: 404 });
      return {
        swagger: "2.0",
        paths: {
          "/api/v1/pods": {
            get: { responses: { "200": { schema: { $ref: "#/definitions/io.k8s.api.core.v1.PodList" } } } },
          },
        },
        definitions: { "io.k8s.api.core.v1.PodList": { type: "object" } },
      };
    });
    expect(asked).toEqual(["/openapi/v3", "/openapi/v2"]);
    const doc = docs.get("openapi/v2")!;
    expect(Object.keys(doc.components?.schemas ?? {})).toEqual(["io.k8s.api.core.v1.PodList"]);
    expect(
      doc.paths?.["/api/v1/pods"]?.get?.responses?.["200"]?.content?.["application/json"]?.schema?.$ref,
    ).toBe("#/components/schemas/io.k8s.api.core.v1.PodList");
  });

  it("does not fall back on other errors", async () => {
    await expect(
      fetchOpenApi(async () => {
        throw Object.assign(new Error("forbidden"), { code: 403 });
      }),
    ).rejects.toThrow("forbidden");
  });
});
