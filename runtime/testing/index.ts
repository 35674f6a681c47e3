/** The fake apiserver and fake clientsets: unit tests of code written on kubegen, without a cluster. */
export * from "./dispatcher.js";
export * from "./fake-apiserver.js";
export * from "./fake-clientset.js";
export * from "./patches.js";
export * from "./strategic-merge.js";
export { ApiStatus, ObjectTracker, type ObjectTrackerOptions, type TrackedResource } from "./tracker.js";
