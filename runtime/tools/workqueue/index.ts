export * from "./clock.js";
export * from "./queue.js";
export * from "./rate-limiters.js";
