/**
 * Client configuration: the `ClientConfig` contract, kubeconfig loading in four stages
 * (`kubeconfig.ts` parse → `load.ts` merge and select, with `overrides.ts` → `validate.ts`
 * validate → `resolve.ts` resolve), in-cluster configuration (also `loadKubeconfig`'s fallback
 * inside a pod), and client-go's `buildConfigFromFlags`.
 */
export * from "./build-config-from-flags.js";
export * from "./in-cluster.js";
export * from "./kubeconfig.js";
export * from "./load.js";
export * from "./overrides.js";
export * from "./resolve.js";
export * from "./types.js";
export * from "./validate.js";
