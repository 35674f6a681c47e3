/** The fake apiserver and fake clientsets: unit tests of code written on kubegen, without a cluster. */
export * from "./dispatcher.js";
export * from "./fake-apiserver.js";
export * from "./fake-clientset.js";
export * from "./patches.js";
export * from "./strategic-merge.js";
export {
  ApiStatus,
  type Change,
  type ChangeListener,
  type ManagedFieldsHook,
  ObjectTracker,
  type ObjectTrackerOptions,
  type Selection,
  type TrackedResource,
} from "./tracker.js";
