/**
 * kubegen's runtime: everything the generated clients stand on, and the clients a client-go user
 * knows. Import from `kubegen`.
 *
 * @module kubegen
 */

export * from "./auth/exec.js";
export * from "./auth/token-file.js";
export * from "./clients/cached-discovery.js";
export * from "./clients/cp.js";
export * from "./clients/discovery.js";
export * from "./clients/disk-cached-discovery.js";
export * from "./clients/dynamic.js";
export * from "./clients/group.js";
export * from "./clients/metadata.js";
export * from "./clients/port-forward.js";
export * from "./clients/remote-command.js";
export * from "./clients/resource-client.js";
export * from "./clients/rest-mapper.js";
export * from "./clients/scale.js";
export * from "./clients/subresources.js";
export * from "./clients/typed-view.js";
export * from "./clients/unstructured.js";
export * from "./config/index.js";
export * from "./core/extract.js";
export * from "./core/group-version.js";
export * from "./core/labels.js";
export * from "./core/lines.js";
export * from "./core/object.js";
export * from "./core/options.js";
export * from "./core/patch.js";
export * from "./core/patch-meta.js";
export * from "./core/port-forward.js";
export * from "./core/remote-command.js";
export * from "./core/request.js";
export * from "./core/resource.js";
export type { ResourceCall } from "./core/resource-requests.js";
export * from "./core/tar.js";
export * from "./core/watch.js";
export * from "./errors.js";
export * from "./rest/api-caller.js";
export * from "./rest/http-client.js";
export * from "./rest/rest-client.js";
export * from "./testing/index.js";
export * from "./tools/cache/factory.js";
export * from "./tools/cache/informer.js";
export * from "./tools/cache/lister.js";
export * from "./tools/cache/reflector.js";
export * from "./tools/cache/store.js";
export * from "./tools/events.js";
export * from "./tools/leader-election.js";
export * from "./tools/pager.js";
export * from "./tools/retry-watcher.js";
export * from "./tools/workqueue/index.js";
export * from "./transport/dispatcher.js";
export type { RequestLogger } from "./transport/interceptors/logging.js";
export { TokenBucket, tokenBucketFor } from "./transport/interceptors/rate-limit.js";
export type { RedirectOptions } from "./transport/interceptors/redirect.js";
export type { RetryOptions } from "./transport/interceptors/retry.js";
export {
  deduplicatingStderrWarnings,
  parseWarningHeaders,
  type WarningHandler,
} from "./transport/interceptors/warnings.js";
