/** Option types to query parameters and bodies, as the apiserver names them: string assertions, no I/O. */
import { describe, expect, it } from "vitest";
import {
  applyOptionsToQuery,
  deleteOptionsBody,
  encodeQuery,
  goDuration,
  toQuery,
} from "../../../runtime/core/options.js";
import { PatchTypes } from "../../../runtime/core/patch.js";
import { type Cases, runCases } from "../../support/cases.js";

describe("toQuery + encodeQuery", () => {
  const cases: Cases<object, string> = [
    [
      "list options keep the apiserver's names",
      {
        given: {
          labelSelector: "app=web,tier!=db",
          fieldSelector: "metadata.name=x",
          limit: 50,
          continue: "tok",
          resourceVersion: "0",
          resourceVersionMatch: "NotOlderThan",
          timeoutSeconds: 30,
          allowWatchBookmarks: true,
          sendInitialEvents: false,
        },
        want:
          "labelSelector=app%3Dweb%2Ctier%21%3Ddb&fieldSelector=metadata.name%3Dx&limit=50&continue=tok" +
          "&resourceVersion=0&resourceVersionMatch=NotOlderThan&timeoutSeconds=30&allowWatchBookmarks=true" +
          "&sendInitialEvents=false",
      },
    ],
    [
      "dryRun repeats the key; undefined and call options are dropped",
      {
        given: {
          dryRun: ["All"],
          fieldManager: "me",
          fieldValidation: "Strict",
          force: undefined,
          signal: new AbortController().signal,
          timeout: 5,
        },
        want: "dryRun=All&fieldManager=me&fieldValidation=Strict",
      },
    ],
    [
      "apply with force",
      { given: { fieldManager: "ctl", force: true }, want: "fieldManager=ctl&force=true" },
    ],
    ["empty", { given: {}, want: "" }],
  ];
  runCases(cases, (given) => encodeQuery(toQuery(given)));

  it("keeps a __proto__ option as a parameter, not the query's prototype", () => {
    const query = toQuery(JSON.parse('{"__proto__":["a"],"limit":1}') as object);
    expect(Object.getPrototypeOf(query)).toBe(Object.prototype);
    expect(encodeQuery(query)).toBe("__proto__=a&limit=1");
  });

  it("refuses an object value, pointing delete options at the body", () => {
    expect(() => toQuery({ preconditions: { uid: "u" } })).toThrow(
      "option preconditions cannot be sent as a query parameter (delete options go in the body: deleteOptionsBody())",
    );
  });
});

describe("deleteOptionsBody", () => {
  it("is a meta.k8s.io/v1 DeleteOptions with only the fields set", () => {
    expect(
      deleteOptionsBody({
        propagationPolicy: "Foreground",
        gracePeriodSeconds: 0,
        preconditions: { resourceVersion: "7" },
        dryRun: ["All"],
      }),
    ).toEqual({
      apiVersion: "meta.k8s.io/v1",
      kind: "DeleteOptions",
      propagationPolicy: "Foreground",
      gracePeriodSeconds: 0,
      preconditions: { resourceVersion: "7" },
      dryRun: ["All"],
    });
    expect(deleteOptionsBody({})).toEqual({ apiVersion: "meta.k8s.io/v1", kind: "DeleteOptions" });
  });
});

describe("applyOptionsToQuery", () => {
  it("requires a field manager", () => {
    expect(applyOptionsToQuery({ fieldManager: "ctl", force: true })).toEqual({
      fieldManager: "ctl",
      force: true,
    });
    expect(() => applyOptionsToQuery({ fieldManager: "" })).toThrow(/needs ApplyOptions.fieldManager/);
  });
});

describe("goDuration (client-go's timeout= query value)", () => {
  const cases: Cases<number, string> = [
    ["zero", { given: 0, want: "0s" }],
    ["milliseconds", { given: 250, want: "250ms" }],
    ["seconds", { given: 32_000, want: "32s" }],
    ["fractional seconds", { given: 1500, want: "1.5s" }],
    ["minutes", { given: 90_000, want: "1m30s" }],
    ["hours", { given: 3_600_000 + 60_000 + 1000, want: "1h1m1s" }],
  ];
  runCases(cases, goDuration);

  it("rejects negative and non-finite durations", () => {
    expect(() => goDuration(-1)).toThrow(RangeError);
    expect(() => goDuration(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe("PatchTypes", () => {
  it("are the Content-Types the apiserver accepts", () => {
    expect(Object.values(PatchTypes).sort()).toEqual([
      "application/apply-patch+yaml",
      "application/json-patch+json",
      "application/merge-patch+json",
      "application/strategic-merge-patch+json",
    ]);
  });
});
