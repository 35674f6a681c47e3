/**
 * The conformance suite (test/conformance/suite.ts) against the fake clientset; the same suite runs
 * against the real apiserver in test/e2e/conformance.test.ts.
 */
import { beforeAll, describe } from "vitest";
import { FakeClientset } from "../../../generated/kubernetes/fake.js";
import { resourcesOf } from "../../../runtime/testing/fake-clientset.js";
import { type Backend, conformanceSuite } from "../../conformance/suite.js";
import { Clientset as CrdClientset } from "../../generator/__snapshots__/multi-version/index.js";

// The generated fake: the clientset with its patch metadata (generated/kubernetes/fake.ts).
let backend: Backend;

beforeAll(() => {
  // The test CRD's resources are served too, as the e2e run installs the CRD.
  const clientset = new FakeClientset({ resources: resourcesOf(CrdClientset) });
  backend = { kind: "fake", clientset, namespace: "conformance" };
});

describe("conformance: the fake apiserver", () => {
  conformanceSuite(() => backend);
});
