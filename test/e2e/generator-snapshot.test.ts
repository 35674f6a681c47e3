/**
 * The committed OpenAPI snapshot (generator/snapshot/) still equals what the pinned apiserver
 * serves with every API enabled, so `npm run generate` offline gives what a live cluster would.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { fetchJsonOver, latestSnapshot } from "../../generator/cli.js";
import { fetchOpenApiV3 } from "../../generator/load/cluster.js";
import { readTree } from "../../generator/write.js";
import { HttpClient } from "../../runtime/rest/http-client.js";
import { type ControlPlane, startControlPlane } from "../cluster/control-plane.js";
import { canonicalJson } from "../cluster/snapshot.js";
import { testCluster } from "../support/cluster.js";

let cp: ControlPlane | undefined;
beforeAll(async () => {
  // Needs its own control plane with every alpha/beta API on, as the snapshot was taken.
  if (testCluster().managed) cp = await startControlPlane({ allApis: true, log: () => {} });
}, 120_000);
afterAll(() => cp?.stop());

it.runIf(testCluster().managed)(
  "equals the OpenAPI v3 documents the pinned apiserver serves",
  async () => {
    const http = HttpClient.forConfig({
      server: cp!.server,
      namespace: "default",
      tls: { ca: { file: cp!.caCert } },
      auth: { type: "token", token: cp!.adminToken },
      qps: -1,
    });
    try {
      const live = await fetchOpenApiV3(fetchJsonOver(http));
      const snapshotDir = await latestSnapshot();
      expect(snapshotDir).toContain(cp!.binaries.kubernetesVersion);
      const snapshot = await readTree(snapshotDir);
      expect([...snapshot.keys()].sort()).toEqual([...live.keys()].map((p) => `${p}.json`).sort());
      for (const [path, doc] of live) expect(snapshot.get(`${path}.json`), path).toBe(canonicalJson(doc));
    } finally {
      await http.close();
    }
  },
  60_000,
);
