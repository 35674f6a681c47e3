/**
 * The conformance suite (test/conformance/suite.ts) against the real apiserver; the same suite runs
 * against the fake clientset in test/runtime/testing/conformance.test.ts.
 */
import { afterAll, beforeAll, describe } from "vitest";
import { Clientset } from "../../generated/kubernetes/index.js";
import { type Backend, conformanceSuite } from "../conformance/suite.js";
import { adminConfig } from "../support/client-config.js";
import { installTestCrd, useTestNamespace } from "../support/cluster.js";

const namespace = useTestNamespace("conformance");
let backend: Backend;

beforeAll(async () => {
  await installTestCrd("multi-version/widgets.yaml");
  backend = {
    kind: "apiserver",
    clientset: Clientset.forConfig(await adminConfig()),
    namespace: namespace(),
  };
});
afterAll(() => backend?.clientset.close());

describe("conformance: the real apiserver", () => {
  conformanceSuite(() => backend);
});
