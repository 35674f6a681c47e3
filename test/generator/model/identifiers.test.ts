/** Names from input, as given/want tables: identifiers, type names, accessors, module paths. */
import { describe } from "vitest";
import {
  clientNameOf,
  isIdentifierName,
  lowerCamel,
  pascal,
  safeIdentifier,
  safeTypeName,
} from "../../../generator/model/identifiers.js";
import { accessorName, moduleOfSchemaId, stabilityOf } from "../../../generator/normalize/names.js";
import { type Cases, runCases } from "../../support/cases.js";

describe("safeIdentifier", () => {
  const cases: Cases<string, string> = [
    ["plain", { given: "pods", want: "pods" }],
    ["keyword", { given: "default", want: "default_" }],
    ["type keyword", { given: "string", want: "string_" }],
    ["hyphen", { given: "foo-bars", want: "foo_bars" }],
    ["leading digit", { given: "3d", want: "_3d" }],
    ["non-ASCII letter", { given: "Café", want: "Caf_" }],
    ["code-like input", { given: "w: any = (x), w2", want: "w__any____x___w2" }],
  ];
  runCases(cases, safeIdentifier);
});

describe("safeTypeName", () => {
  const cases: Cases<string, string> = [
    ["capitalized", { given: "widget", want: "Widget" }],
    ["global shadowed", { given: "Record", want: "Record_" }],
    ["keyword after capitalizing stays safe", { given: "object", want: "Object_" }],
    ["dotted", { given: "a.b", want: "A_b" }],
  ];
  runCases(cases, safeTypeName);
});

describe("isIdentifierName", () => {
  const cases: Cases<string, boolean> = [
    ["identifier", { given: "spec", want: true }],
    ["dollar and underscore", { given: "$_a1", want: true }],
    ["hyphen", { given: "my-field", want: false }],
    ["leading digit", { given: "1a", want: false }],
    ["empty", { given: "", want: false }],
  ];
  runCases(cases, isIdentifierName);
});

describe("pascal and lowerCamel", () => {
  const cases: Cases<string, string> = [
    ["pascal of a property", { given: "tls-config", want: "TlsConfig" }],
    ["pascal drops separators", { given: "a.b_c", want: "ABC" }],
  ];
  runCases(cases, pascal);
  const camel: Cases<string, string> = [
    ["acronym then word", { given: "APIServices", want: "apiServices" }],
    ["acronym alone", { given: "CSI", want: "csi" }],
    ["word", { given: "Pods", want: "pods" }],
  ];
  runCases(camel, lowerCamel);
});

describe("clientNameOf", () => {
  const cases: Cases<string, string> = [
    ["short path", { given: "apps/v1", want: "appsV1" }],
    ["apimachinery", { given: "apimachinery/intstr", want: "apimachineryIntstr" }],
    ["full group", { given: "cert-manager.io/v1alpha2", want: "certManagerIoV1alpha2" }],
  ];
  runCases(cases, clientNameOf);
});

describe("accessorName", () => {
  const cases: Cases<[string, string], string> = [
    ["plural of kind", { given: ["Deployment", "deployments"], want: "deployments" }],
    [
      "camel case kept",
      { given: ["HorizontalPodAutoscaler", "horizontalpodautoscalers"], want: "horizontalPodAutoscalers" },
    ],
    ["irregular plural", { given: ["NetworkPolicy", "networkpolicies"], want: "networkPolicies" }],
    ["acronym kind", { given: ["APIService", "apiservices"], want: "apiServices" }],
    ["keyword plural", { given: ["Default", "default"], want: "default_" }],
  ];
  runCases(cases, ([kind, plural]) => accessorName(kind, plural));
});

describe("moduleOfSchemaId", () => {
  const cases: Cases<string, { module: string; name: string }> = [
    ["api group", { given: "io.k8s.api.rbac.v1.Role", want: { module: "rbac/v1", name: "Role" } }],
    [
      "meta",
      {
        given: "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
        want: { module: "meta/v1", name: "ObjectMeta" },
      },
    ],
    [
      "apimachinery",
      {
        given: "io.k8s.apimachinery.pkg.api.resource.Quantity",
        want: { module: "apimachinery/resource", name: "Quantity" },
      },
    ],
    ["too short", { given: "Foo", want: { module: "other", name: "Foo" } }],
  ];
  runCases(cases, moduleOfSchemaId);
});

describe("stabilityOf", () => {
  const cases: Cases<string, string> = [
    ["stable", { given: "v1", want: "stable" }],
    ["beta", { given: "v2beta1", want: "beta" }],
    ["alpha", { given: "v1alpha3", want: "alpha" }],
  ];
  runCases(cases, stabilityOf);
});
