/**
 * Takes the project's snapshot of the Kubernetes OpenAPI: starts the local control plane with every
 * API group/version enabled (as upstream does when it records its own), downloads `/openapi/v3` and
 * every group-version document it lists, and writes them, keys sorted, to
 * `generator/snapshot/kubernetes-<version>/`. `npm run generate` reads that folder offline.
 *
 * Run: `npx tsx test/cluster/snapshot.ts` (it needs the test control plane, so it lives with it).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fetchJsonOver } from "../../generator/cli.js";
import { fetchOpenApiV3 } from "../../generator/load/cluster.js";
import { writeTreeAtomically } from "../../generator/write.js";
import { HttpClient } from "../../runtime/rest/http-client.js";
import { startControlPlane } from "./control-plane.js";

/** generator/snapshot/: one `kubernetes-<version>/` folder per snapshot taken. */
export const snapshotRoot = join(dirname(fileURLToPath(import.meta.url)), "../../generator/snapshot");

/** JSON with object keys sorted at every level, 2-space indented: stable and diffable. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

async function main(): Promise<void> {
  const cp = await startControlPlane({ allApis: true });
  try {
    const http = HttpClient.forConfig({
      server: cp.server,
      namespace: "default",
      tls: { ca: { file: cp.caCert } },
      auth: { type: "token", token: cp.adminToken },
      qps: -1,
    });
    const docs = await fetchOpenApiV3(fetchJsonOver(http), (line) => process.stderr.write(`${line}\n`));
    await http.close();
    const files = new Map<string, string>();
    for (const [path, doc] of docs) files.set(`${path}.json`, canonicalJson(doc));
    const target = join(snapshotRoot, `kubernetes-${cp.binaries.kubernetesVersion}`);
    await writeTreeAtomically(target, files);
    process.stderr.write(`wrote ${files.size} documents to ${target}\n`);
  } finally {
    await cp.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
