/**
 * A small API in legacy discovery's documents (no aggregated discovery, so every group-version is
 * one request a test can count): the core group with pods, `apps` with deployments.
 */

/** `apps`, with `apps/v1` preferred, as `/apis` lists it. */
export const appsGroup = {
  name: "apps",
  versions: [{ groupVersion: "apps/v1", version: "v1" }],
  preferredVersion: { groupVersion: "apps/v1", version: "v1" },
};

/** The answers by request URL. */
export const legacyDiscoveryRoutes: Record<string, unknown> = {
  "/api": { kind: "APIVersions", versions: ["v1"] },
  "/apis": { kind: "APIGroupList", groups: [appsGroup] },
  "/api/v1": {
    kind: "APIResourceList",
    groupVersion: "v1",
    resources: [{ name: "pods", singularName: "pod", namespaced: true, kind: "Pod", verbs: ["get"] }],
  },
  "/apis/apps/v1": {
    kind: "APIResourceList",
    groupVersion: "apps/v1",
    resources: [
      {
        name: "deployments",
        singularName: "deployment",
        namespaced: true,
        kind: "Deployment",
        verbs: ["get"],
        shortNames: ["deploy"],
      },
    ],
  },
};
