/**
 * The shared types stage on small hand-written models: structural keys, sharing within a module
 * (naming, docs, what is and is not merged, nesting, cycles, depth), and built-in types reused,
 * matched against the committed index of the pinned Kubernetes release.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { ApiModel, Property, Shape, TypeDef } from "../../../generator/model/ir.js";
import {
  type BuiltinTypes,
  builtinTypesFromJson,
  builtinTypesOf,
  builtinTypesToJson,
  shareTypes,
  typeKey,
} from "../../../generator/normalize/share.js";

const repo = resolve(import.meta.dirname, "../../..");
const indexFile = join(repo, "generator/builtin-types.json");
const builtins = builtinTypesFromJson(readFileSync(indexFile, "utf8"), indexFile);

const M = "x.kubegen.dev/v1";
const str: Shape = { kind: "string" };
const num: Shape = { kind: "number" };
const bool: Shape = { kind: "boolean" };
const ref = (name: string, module = M): Shape => ({ kind: "ref", ref: { module, name } });
const arr = (items: Shape): Shape => ({ kind: "array", items });
const map = (values: Shape): Shape => ({ kind: "map", values });
const intOrString: Shape = { kind: "intOrString" };
const p = (name: string, shape: Shape, extra: Partial<Property> = {}): Property => ({
  name,
  required: false,
  shape,
  ...extra,
});
const req = (name: string, shape: Shape, extra: Partial<Property> = {}) =>
  p(name, shape, { required: true, ...extra });
const obj = (...properties: Property[]): Shape => ({ kind: "object", properties, open: false });
const def = (name: string, shape: Shape, extra: Partial<TypeDef> = {}): TypeDef => ({
  name,
  origin: `test ${name}`,
  shape,
  ...extra,
});
/** A kind whose spec holds the given properties, as from-crd.ts makes one. */
const kind = (name: string, ...properties: Property[]): TypeDef =>
  def(name, obj(...properties), { typeMeta: { apiVersion: M, kind: name }, constructorHelper: true });

function model(...types: TypeDef[]): ApiModel {
  return {
    modules: [
      {
        path: M,
        groupVersion: { group: "x.kubegen.dev", version: "v1", clientName: "xV1" },
        stability: "stable",
        source: "test",
        types: [...types].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
        resources: [],
      },
    ],
  };
}

const typesOf = (m: ApiModel) => m.modules[0]!.types;
const namesOf = (m: ApiModel) => typesOf(m).map((t) => t.name);
const typeNamed = (m: ApiModel, name: string) => typesOf(m).find((t) => t.name === name)!;
/** The shape a kind's property has after the stage. */
const propertyShape = (m: ApiModel, type: string, property: string) =>
  (typeNamed(m, type).shape as Extract<Shape, { kind: "object" }>).properties.find(
    (q) => q.name === property,
  )!.shape;

describe("typeKey", () => {
  const endpoint = obj(req("host", str, { description: "The host." }), p("port", num, { default: "443" }));

  it("leaves out the name, descriptions, defaults, deprecation and origin, at every depth", () => {
    const a = def("A", endpoint, { description: "A doc", origin: "a.yaml" });
    const b = def("B", obj(req("host", str), p("port", num, { deprecated: "use C" })), { default: "{}" });
    expect(typeKey(a)).toBe(typeKey(b));
  });

  it("keeps every other field, including fields the IR does not have yet", () => {
    const plain = def("A", obj(p("items", arr(str))));
    // An array field someone may add later (list-map keys) must make types differ by itself.
    const keyed = def(
      "A",
      obj(p("items", { kind: "array", items: str, listMapKeys: ["name"] } as unknown as Shape)),
    );
    expect(typeKey(plain)).not.toBe(typeKey(keyed));
    expect(typeKey(def("A", obj(p("x", str))))).not.toBe(typeKey(def("A", obj(req("x", str)))));
    expect(typeKey(def("A", { kind: "object", properties: [p("x", str)], open: true }))).not.toBe(
      typeKey(def("A", obj(p("x", str)))),
    );
  });

  it("writes refs as the token says", () => {
    const a = def("A", obj(p("c", ref("C1"))));
    const b = def("B", obj(p("c", ref("C2"))));
    expect(typeKey(a)).not.toBe(typeKey(b));
    expect(typeKey(a, () => "same")).toBe(typeKey(b, () => "same"));
  });
});

describe("structural sharing", () => {
  it("merges identical types under the shortest name, ties in code-unit order, and rewrites every ref", () => {
    const input = model(
      kind("Thing", p("spec", ref("ThingSpec"))),
      def(
        "ThingSpec",
        obj(p("b", ref("ThingSpecBb")), p("a", ref("ThingSpecAa")), p("c", ref("ThingSpecC"))),
      ),
      def("ThingSpecBb", obj(req("host", str))),
      def("ThingSpecAa", obj(req("host", str))),
      def("ThingSpecC", obj(req("host", str))),
    );
    const { model: out, stats } = shareTypes(input);
    expect(namesOf(out)).toEqual(["Thing", "ThingSpec", "ThingSpecC"]);
    for (const prop of ["a", "b", "c"])
      expect(propertyShape(out, "ThingSpec", prop)).toEqual(ref("ThingSpecC"));
    expect(stats).toEqual({ typesBefore: 5, typesAfter: 3, builtinImports: 0 });

    const tie = shareTypes(
      model(
        kind("Thing", p("b", ref("ThingBb")), p("a", ref("ThingAa"))),
        def("ThingBb", obj(req("host", str))),
        def("ThingAa", obj(req("host", str))),
      ),
    ).model;
    expect(namesOf(tie)).toEqual(["Thing", "ThingAa"]);
  });

  it("shares types that differ only in descriptions, defaults and deprecation; the docs are the first described duplicate's in name order", () => {
    const { model: out } = shareTypes(
      model(
        kind("Thing", p("x", ref("ThingXx")), p("y", ref("ThingYy")), p("z", ref("ThingLonger"))),
        def("ThingXx", obj(req("host", str), p("port", num, { default: "443" }))),
        def("ThingYy", obj(req("host", str, { description: "Y's host" }), p("port", num)), {
          description: "Y doc",
        }),
        def("ThingLonger", obj(req("host", str), p("port", num, { deprecated: "old" })), {
          description: "Longer doc",
        }),
      ),
    );
    expect(namesOf(out)).toEqual(["Thing", "ThingXx"]);
    // ThingXx has the shortest name but no description; ThingYy is next in name order.
    expect(typeNamed(out, "ThingXx")).toEqual({
      name: "ThingXx",
      origin: "test ThingYy",
      description: "Y doc",
      shape: obj(req("host", str, { description: "Y's host" }), p("port", num)),
    });
  });

  it("keeps types apart that differ in required, nullability, enums, openness or embedding", () => {
    const variants: Shape[] = [
      obj(req("host", str)),
      obj(p("host", str)),
      obj(req("host", { kind: "nullable", inner: str })),
      obj(req("host", { kind: "literals", values: ["a", "b"] })),
      { kind: "object", properties: [req("host", str)], open: true },
      { kind: "embeddedResource", properties: [req("host", str)], open: false },
    ];
    const names = variants.map((_, i) => `ThingV${i}`);
    const input = model(
      kind("Thing", ...names.map((n) => p(n, ref(n)))),
      ...variants.map((shape, i) => def(names[i]!, shape)),
    );
    expect(namesOf(shareTypes(input).model)).toEqual(namesOf(input));
  });

  it("collapses parents once their children have (nested sharing)", () => {
    const { model: out } = shareTypes(
      model(
        kind("Thing", p("routes", arr(ref("ThingRoutes"))), p("mirrors", arr(ref("ThingMirrors")))),
        def("ThingRoutes", obj(p("endpoint", ref("ThingRoutesEndpoint")), p("weight", num))),
        def("ThingMirrors", obj(p("endpoint", ref("ThingMirrorsEndpoint")), p("weight", num))),
        def("ThingRoutesEndpoint", obj(req("host", str), p("port", num))),
        def("ThingMirrorsEndpoint", obj(req("host", str), p("port", num, { description: "doc" }))),
      ),
    );
    expect(namesOf(out)).toEqual(["Thing", "ThingRoutes", "ThingRoutesEndpoint"]);
    expect(propertyShape(out, "Thing", "mirrors")).toEqual(arr(ref("ThingRoutes")));
    expect(propertyShape(out, "ThingRoutes", "endpoint")).toEqual(ref("ThingRoutesEndpoint"));
  });

  it("never merges kinds, list types or the types resources name, even when identical", () => {
    const list = (name: string) =>
      def(name, obj(p("items", arr(ref("Alpha")))), { typeMeta: { apiVersion: M, kind: name } });
    const input = model(
      kind("Alpha", p("spec", ref("AlphaSpec"))),
      kind("Beta", p("spec", ref("BetaSpec"))),
      list("AlphaList"),
      list("BetaList"),
      def("AlphaSpec", obj(p("x", str))),
      def("BetaSpec", obj(p("x", str))),
      // A resource's object type without type meta, and a type of the same shape as it and the kinds.
      def("Delta", obj(p("spec", ref("AlphaSpec")))),
      def("Gamma", obj(p("spec", ref("AlphaSpec")))),
    );
    input.modules[0]!.resources.push({
      accessor: "deltas",
      plural: "deltas",
      singular: "delta",
      kind: "Delta",
      listKind: "DeltaList",
      namespaced: true,
      verbs: ["get"],
      subresources: [],
      shortNames: [],
      categories: [],
      objectType: { module: M, name: "Delta" },
      listType: { module: M, name: "Delta" },
    });
    const { model: out } = shareTypes(input);
    // BetaSpec is shorter than AlphaSpec; everything else keeps its name.
    expect(namesOf(out)).toEqual(["Alpha", "AlphaList", "Beta", "BetaList", "BetaSpec", "Delta", "Gamma"]);
    expect(propertyShape(out, "Alpha", "spec")).toEqual(ref("BetaSpec"));
  });

  it("merges identical cycles (the IR allows them; CRDs have none)", () => {
    const { model: out } = shareTypes(
      model(
        kind("Thing", p("a", ref("NodeA")), p("b", ref("NodeB"))),
        def("NodeA", obj(p("next", ref("NodeA2")))),
        def("NodeA2", obj(p("next", ref("NodeA")))),
        def("NodeB", obj(p("next", ref("NodeB")))),
      ),
    );
    // Unfolded, all three are the same infinite chain.
    expect(namesOf(out)).toEqual(["NodeA", "Thing"]);
    expect(propertyShape(out, "NodeA", "next")).toEqual(ref("NodeA"));
  });

  it("leaves its input alone and gives the same output every time", () => {
    const input = model(
      kind("Thing", p("a", ref("ThingA")), p("b", ref("ThingB"))),
      def("ThingA", obj(p("x", str))),
      def("ThingB", obj(p("x", str))),
    );
    const copy = structuredClone(input);
    const first = shareTypes(input, { builtins });
    expect(input).toEqual(copy);
    expect(shareTypes(copy, { builtins })).toEqual(first);
  });

  it("handles deep chains of types and deeply nested shapes without recursion", () => {
    const depth = 20_000;
    const chain = (prefix: string) =>
      Array.from({ length: depth }, (_, i) =>
        def(
          `${prefix}${i}`,
          obj(p("v", num), ...(i + 1 < depth ? [p("next", ref(`${prefix}${i + 1}`))] : [])),
        ),
      );
    let nested: Shape = num;
    for (let i = 0; i < 100_000; i++) nested = arr(nested);
    const input = model(
      kind("Thing", p("a", ref("A0")), p("b", ref("B0")), p("deep", nested)),
      ...chain("A"),
      ...chain("B"),
    );
    const { stats } = shareTypes(input, { builtins });
    expect(stats.typesBefore).toBe(2 * depth + 1);
    expect(stats.typesAfter).toBe(depth + 1);
  }, 60_000);
});

describe("built-in types", () => {
  const shared = (...types: TypeDef[]) => shareTypes(model(...types), { builtins });
  const core = (name: string) => ref(name, "core/v1");
  const meta = (name: string) => ref(name, "meta/v1");

  const labelSelector = [
    def(
      "ThingSelector",
      obj(p("matchExpressions", arr(ref("ThingSelectorMatchExpressions"))), p("matchLabels", map(str))),
    ),
    def("ThingSelectorMatchExpressions", obj(req("key", str), req("operator", str), p("values", arr(str)))),
  ];

  it("uses the built-in type for an exact copy, and drops the copy's insides", () => {
    const { model: out, stats } = shared(
      kind("Thing", p("selector", ref("ThingSelector"))),
      ...labelSelector,
    );
    expect(propertyShape(out, "Thing", "selector")).toEqual(meta("LabelSelector"));
    expect(namesOf(out)).toEqual(["Thing"]);
    expect(stats).toEqual({ typesBefore: 3, typesAfter: 1, builtinImports: 1 });
  });

  it("uses nothing without built-in types (--no-builtin-types)", () => {
    const { model: out } = shareTypes(
      model(kind("Thing", p("selector", ref("ThingSelector"))), ...labelSelector),
    );
    expect(namesOf(out)).toEqual(["Thing", "ThingSelector", "ThingSelectorMatchExpressions"]);
  });

  /**
   * A core/v1 Container as controller-gen writes one built against an older Kubernetes: no
   * resizePolicy, restartPolicy, probes...; env sources without fileKeyRef; resources without
   * claims; enums as plain strings; quantities as int-or-string.
   */
  const oldContainer = (overrides: Property[] = [], extra: Property[] = []): TypeDef[] => {
    const props = new Map(
      [
        p("args", arr(str)),
        p("command", arr(str)),
        p("env", arr(ref("CEnv"))),
        p("image", str),
        p("imagePullPolicy", str),
        req("name", str),
        p("ports", arr(ref("CPorts"))),
        p("resources", ref("CResources")),
        p("stdin", bool),
        p("stdinOnce", bool),
        p("terminationMessagePath", str),
        p("terminationMessagePolicy", { kind: "literals", values: ["File", "FallbackToLogsOnError"] }),
        p("tty", bool),
        p("volumeMounts", arr(ref("CVolumeMounts"))),
        p("workingDir", str),
        ...overrides,
        ...extra,
      ].map((q) => [q.name, q]),
    );
    return [
      def("C", obj(...[...props.values()].sort((a, b) => (a.name < b.name ? -1 : 1)))),
      def("CEnv", obj(req("name", str), p("value", str), p("valueFrom", ref("CEnvValueFrom")))),
      def(
        "CEnvValueFrom",
        obj(p("fieldRef", ref("CEnvValueFromFieldRef")), p("secretKeyRef", ref("CEnvValueFromSecretKeyRef"))),
      ),
      def("CEnvValueFromFieldRef", obj(p("apiVersion", str), req("fieldPath", str))),
      def("CEnvValueFromSecretKeyRef", obj(req("key", str), p("name", str), p("optional", bool))),
      def(
        "CPorts",
        obj(
          req("containerPort", num),
          p("hostIP", str),
          p("hostPort", num),
          p("name", str),
          p("protocol", str),
        ),
      ),
      def("CResources", obj(p("limits", map(intOrString)), p("requests", map(intOrString)))),
      def(
        "CVolumeMounts",
        obj(req("mountPath", str), req("name", str), p("readOnly", bool), p("subPath", str)),
      ),
    ];
  };
  const pod = (...containerTypes: TypeDef[]) =>
    shared(kind("Pod2", p("containers", arr(ref("C")))), ...containerTypes);

  it("uses the built-in Container for an older Container (version skew), not EphemeralContainer", () => {
    const { model: out, stats } = pod(...oldContainer());
    expect(propertyShape(out, "Pod2", "containers")).toEqual(arr(core("Container")));
    expect(namesOf(out)).toEqual(["Pod2"]);
    expect(stats.builtinImports).toBe(1);
  });

  it("does not use it for a near miss: a property of another type", () => {
    const { model: out } = pod(...oldContainer([p("workingDir", num)]));
    expect(propertyShape(out, "Pod2", "containers")).toEqual(arr(ref("C")));
  });

  it("does not use it for a near miss: a property Kubernetes does not have", () => {
    const { model: out } = pod(...oldContainer([], [p("restartAfter", str)]));
    expect(propertyShape(out, "Pod2", "containers")).toEqual(arr(ref("C")));
  });

  it("does not use it for a near miss: a nested port number written as a string", () => {
    const types = oldContainer();
    const ports = types.findIndex((t) => t.name === "CPorts");
    types[ports] = def("CPorts", obj(req("containerPort", str), p("name", str)));
    const { model: out } = pod(...types);
    expect(propertyShape(out, "Pod2", "containers")).toEqual(arr(ref("C")));
    // The parts that do match stand alone where the rules allow (4+ properties).
    expect(propertyShape(out, "C", "volumeMounts")).toEqual(arr(core("VolumeMount")));
  });

  it("does not use it when required differs", () => {
    const { model: out } = pod(...oldContainer([p("name", str)]));
    expect(propertyShape(out, "Pod2", "containers")).toEqual(arr(ref("C")));
  });

  it("reads Time, IntOrString and enums through: a controller-gen metav1.Condition is meta/v1 Condition", () => {
    const { model: out } = shared(
      kind("Thing", p("conditions", arr(ref("ThingConditions")))),
      def(
        "ThingConditions",
        obj(
          req("lastTransitionTime", str),
          req("message", str),
          p("observedGeneration", num),
          req("reason", str),
          req("status", { kind: "literals", values: ["True", "False", "Unknown"] }),
          req("type", str),
        ),
      ),
    );
    expect(propertyShape(out, "Thing", "conditions")).toEqual(arr(meta("Condition")));
  });

  it("takes a small object only when its property names or its description identify the type", () => {
    const named = (description?: string) =>
      shared(
        kind("Thing", p("pullSecrets", arr(ref("ThingPullSecrets")))),
        def("ThingPullSecrets", obj(p("name", str)), description ? { description } : {}),
      ).model;
    expect(propertyShape(named(), "Thing", "pullSecrets")).toEqual(arr(ref("ThingPullSecrets")));
    expect(propertyShape(named("A reference to a secret."), "Thing", "pullSecrets")).toEqual(
      arr(ref("ThingPullSecrets")),
    );
    expect(
      propertyShape(
        named("LocalObjectReference contains enough information to locate it."),
        "Thing",
        "pullSecrets",
      ),
    ).toEqual(arr(core("LocalObjectReference")));
    // { matchExpressions, matchLabels } is in LabelSelector only: no description needed (above).
  });

  it("breaks a tie between identical built-in types by the description, else takes none", () => {
    const keyRef = (description?: string) =>
      shared(
        kind("Thing", p("password", ref("ThingPassword"))),
        def(
          "ThingPassword",
          obj(req("key", str), p("name", str), p("optional", bool)),
          description ? { description } : {},
        ),
      ).model;
    // ConfigMapKeySelector and SecretKeySelector have the same shape.
    expect(propertyShape(keyRef(), "Thing", "password")).toEqual(ref("ThingPassword"));
    expect(
      propertyShape(keyRef("SecretKeySelector selects a key of a Secret."), "Thing", "password"),
    ).toEqual(core("SecretKeySelector"));
  });

  it("counts the descriptions of merged duplicates as evidence", () => {
    const { model: out } = shared(
      kind("Thing", p("a", ref("ThingA")), p("b", ref("ThingBbbb"))),
      def("ThingA", obj(req("key", str), p("name", str), p("optional", bool))),
      def("ThingBbbb", obj(req("key", str), p("name", str), p("optional", bool)), {
        description: "SecretKeySelector selects a key of a Secret.",
      }),
    );
    expect(propertyShape(out, "Thing", "a")).toEqual(core("SecretKeySelector"));
    expect(propertyShape(out, "Thing", "b")).toEqual(core("SecretKeySelector"));
  });

  it("matches an inline object against the object a built-in ref names", () => {
    const strategy = (description?: string) =>
      shared(
        kind("Thing", p("strategy", ref("ThingStrategy"))),
        def(
          "ThingStrategy",
          obj(
            p("rollingUpdate", obj(p("maxSurge", intOrString), p("maxUnavailable", intOrString))),
            p("type", str),
          ),
          description ? { description } : {},
        ),
      ).model;
    // DaemonSetUpdateStrategy has the same shape once enums are plain strings: the description decides.
    expect(propertyShape(strategy(), "Thing", "strategy")).toEqual(ref("ThingStrategy"));
    expect(
      propertyShape(strategy("DeploymentStrategy describes how to replace pods."), "Thing", "strategy"),
    ).toEqual(ref("DeploymentStrategy", "apps/v1"));
  });

  it("collapses parents that differed only in which copy of a built-in type they named", () => {
    const second = oldContainer([], []).map((t) =>
      def(
        t.name.replace(/^C/, "D"),
        JSON.parse(JSON.stringify(t.shape).replaceAll(`"name":"C`, `"name":"D`)),
      ),
    );
    // D lacks `tty`: not a duplicate of C, yet both are Containers.
    const d = second.find((t) => t.name === "D")!;
    (d.shape as Extract<Shape, { kind: "object" }>).properties = (
      d.shape as Extract<Shape, { kind: "object" }>
    ).properties.filter((q) => q.name !== "tty");
    const { model: out } = shared(
      kind("Thing", p("a", ref("ThingA")), p("b", ref("ThingB"))),
      def("ThingA", obj(p("containers", arr(ref("C"))))),
      def("ThingB", obj(p("containers", arr(ref("D"))))),
      ...oldContainer(),
      ...second,
    );
    expect(namesOf(out)).toEqual(["Thing", "ThingA"]);
    expect(propertyShape(out, "Thing", "b")).toEqual(ref("ThingA"));
    expect(propertyShape(out, "ThingA", "containers")).toEqual(arr(core("Container")));
  });
});

describe("the index of built-in types", () => {
  it("takes the GA and shared types of the Kubernetes packages, without docs, kinds or CRDs", () => {
    const module = (path: string, stability: "stable" | "alpha", types: TypeDef[]) => ({
      path,
      stability,
      source: "test",
      types,
      resources: [],
    });
    const index = builtinTypesOf(
      {
        modules: [
          module("core/v1", "stable", [
            def("Pod", obj(p("spec", str)), {
              origin: "io.k8s.api.core.v1.Pod",
              typeMeta: { apiVersion: "v1", kind: "Pod" },
            }),
            def("Probe", obj(p("port", num, { description: "doc" })), { origin: "io.k8s.api.core.v1.Probe" }),
          ]),
          module("gateway/v1", "stable", [
            def("GatewaySpec", obj(p("x", str)), { origin: "io.k8s.networking.gateway.v1.GatewaySpec" }),
          ]),
          module("resource/v1alpha3", "alpha", [
            def("DeviceTaint", obj(p("x", str)), { origin: "io.k8s.api.resource.v1alpha3.DeviceTaint" }),
          ]),
        ],
      },
      "test",
    );
    expect(index).toEqual({
      source: "test",
      types: [{ module: "core/v1", name: "Probe", shape: obj(p("port", num)) }],
    });
  });

  it("round-trips, one type per line", () => {
    const small: BuiltinTypes = {
      source: "test",
      types: [{ module: "core/v1", name: "A", shape: obj(p("x", str)) }],
    };
    const text = builtinTypesToJson(small);
    expect(text.split("\n")).toHaveLength(4);
    expect(builtinTypesFromJson(text, "f")).toEqual(small);
    expect(() => builtinTypesFromJson("{}", "some/file.json")).toThrow(/some\/file\.json: not an index/);
  });

  it("holds the GA and shared types of the pinned release, without docs or kinds", () => {
    const names = new Set(builtins.types.map((t) => `${t.module} ${t.name}`));
    for (const n of [
      "core/v1 Container",
      "meta/v1 LabelSelector",
      "meta/v1 Time",
      "apimachinery/resource Quantity",
    ])
      expect(names).toContain(n);
    expect(names).not.toContain("core/v1 Pod");
    expect([...names].some((n) => /v\d+(alpha|beta)/.test(n))).toBe(false);
    const docKeys: string[] = [];
    JSON.parse(readFileSync(indexFile, "utf8"), (key, value) => {
      if (["description", "default", "deprecated"].includes(key)) docKeys.push(key);
      return value;
    });
    expect(docKeys).toEqual([]);
  });
});
