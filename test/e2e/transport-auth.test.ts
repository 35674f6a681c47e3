/**
 * Credential refresh through the HTTP layer against the real apiserver: a token file whose token
 * the apiserver rejects is re-read after the 401, and the request succeeds on its one retry.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TokenFileSource } from "../../runtime/auth/token-file.js";
import { HttpClient } from "../../runtime/rest/http-client.js";
import { adminConfig } from "../support/client-config.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubegen-e2e-auth-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it("re-reads a rotated token file after a 401 and retries the request once", async () => {
  const admin = await adminConfig();
  const goodToken = admin.auth.type === "token" ? admin.auth.token : "";
  const tokenFile = join(dir, "token");
  await writeFile(tokenFile, "stale-token");
  const source = new TokenFileSource(tokenFile);
  const http = HttpClient.forConfig({ ...admin, auth: { type: "source", source } });
  try {
    await expect(http.json({ method: "GET", path: "/api/v1/namespaces" })).rejects.toMatchObject({
      code: 401,
    });
    await writeFile(tokenFile, goodToken);
    // The cached token is stale: the first attempt gets a 401, the source is invalidated, the retry succeeds.
    const list = await http.json<{ kind: string }>({ method: "GET", path: "/api/v1/namespaces" });
    expect(list.kind).toBe("NamespaceList");
  } finally {
    await http.close();
  }
});
