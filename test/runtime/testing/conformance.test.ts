/**
 * The conformance suite (test/conformance/suite.ts) against the fake clientset; the same suite runs
 * against the real apiserver in test/e2e/conformance.test.ts.
 */
import { beforeAll, describe } from "vitest";
import { Clientset } from "../../../generated/kubernetes/index.js";
import { defineFakeClientset } from "../../../runtime/testing/fake-clientset.js";
import { type Backend, conformanceSuite } from "../../conformance/suite.js";

const FakeClientset = defineFakeClientset(Clientset);
let backend: Backend;

beforeAll(() => {
  backend = { kind: "fake", clientset: new FakeClientset(), namespace: "conformance" };
});

describe("conformance: the fake apiserver", () => {
  conformanceSuite(() => backend);
});
