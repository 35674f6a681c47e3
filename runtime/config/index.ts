/**
 * Client configuration: the `ClientConfig` contract, kubeconfig loading in three stages
 * (`kubeconfig.ts` parse → `load.ts` merge and select → `resolve.ts` resolve), in-cluster
 * configuration, and client-go's `buildConfigFromFlags`.
 */
export * from "./build-config-from-flags.js";
export * from "./in-cluster.js";
export * from "./kubeconfig.js";
export * from "./load.js";
export * from "./resolve.js";
export * from "./types.js";
