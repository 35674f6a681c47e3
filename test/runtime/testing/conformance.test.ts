/**
 * The conformance suite (test/conformance/suite.ts) against the fake clientset; the same suite runs
 * against the real apiserver in test/e2e/conformance.test.ts.
 */
import { beforeAll, describe } from "vitest";
import { Clientset } from "../../../generated/kubernetes/index.js";
import { patchMeta } from "../../../generated/kubernetes/patch-meta.js";
import { defineFakeClientset, resourcesOf } from "../../../runtime/testing/fake-clientset.js";
import { type Backend, conformanceSuite } from "../../conformance/suite.js";
import { Clientset as CrdClientset } from "../../generator/__snapshots__/multi-version/index.js";

const FakeClientset = defineFakeClientset(Clientset, patchMeta);
let backend: Backend;

beforeAll(() => {
  // The test CRD's resources are served too, as the e2e run installs the CRD.
  const clientset = new FakeClientset({ resources: resourcesOf(CrdClientset) });
  backend = { kind: "fake", clientset, namespace: "conformance" };
});

describe("conformance: the fake apiserver", () => {
  conformanceSuite(() => backend);
});
