/** Client configuration: kubeconfig loading, in-cluster configuration, and the config types. */
export * from "./build-config-from-flags.js";
export * from "./in-cluster.js";
export * from "./kubeconfig.js";
export * from "./load.js";
export * from "./types.js";
