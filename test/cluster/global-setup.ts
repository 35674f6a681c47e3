/**
 * vitest globalSetup: gives every test file the kubeconfig of a real kube-apiserver. By default it
 * builds (once, cached) and starts the local control plane and stops it after the run; with
 * `KUBEGEN_TEST_KUBECONFIG=/path/to/kubeconfig` (and optionally `KUBEGEN_TEST_CONTEXT`) the tests use
 * that existing cluster instead and nothing is started.
 */
import type { TestProject } from "vitest/node";
import { contexts, startControlPlane } from "./control-plane.js";

export interface TestCluster {
  kubeconfig: string;
  /** True when the harness started the control plane (all three identities exist). */
  managed: boolean;
  kubernetesVersion: string | null;
  contexts: { admin: string; adminCert: string | null; restricted: string | null };
}

declare module "vitest" {
  export interface ProvidedContext {
    cluster: TestCluster;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.KUBEGEN_TEST_KUBECONFIG;
  if (external) {
    project.provide("cluster", {
      kubeconfig: external,
      managed: false,
      kubernetesVersion: null,
      contexts: { admin: process.env.KUBEGEN_TEST_CONTEXT ?? "", adminCert: null, restricted: null },
    });
    return async () => {};
  }
  const cp = await startControlPlane();
  project.provide("cluster", {
    kubeconfig: cp.kubeconfig,
    managed: true,
    kubernetesVersion: cp.binaries.kubernetesVersion,
    contexts: { ...contexts },
  });
  return () => cp.stop();
}
