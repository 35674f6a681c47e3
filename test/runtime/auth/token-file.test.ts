import { mkdtemp, rename, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenFileSource } from "../../../runtime/auth/token-file.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubegen-token-file-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let n = 0;
async function tokenFile(content: string): Promise<string> {
  const path = join(dir, `token-${++n}`);
  await writeFile(path, content);
  return path;
}

/** A controllable clock. */
function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("TokenFileSource", () => {
  it("reads and trims the token, and reuses it for 50 s (60 s minus 10 s leeway)", async () => {
    const path = await tokenFile("  first-token\n");
    const c = clock();
    // statIntervalMs: huge, so only the age rule is at work here.
    const source = new TokenFileSource(path, { now: c.now, statIntervalMs: Number.POSITIVE_INFINITY });
    expect(await source.get()).toEqual({ token: "first-token" });
    // The change goes unseen (no metadata checks): the cached token is used until 50 s have passed.
    await writeFile(path, "second-token");
    c.advance(49_000);
    expect(await source.get()).toEqual({ token: "first-token" });
    c.advance(1_000);
    expect(await source.get()).toEqual({ token: "second-token" });
  });

  it("picks up a rotated file at once when its mtime changes, checking at most once per interval", async () => {
    const path = await tokenFile("old");
    const c = clock();
    const source = new TokenFileSource(path, { now: c.now });
    expect(await source.get()).toEqual({ token: "old" });
    // Kubelet swaps the file atomically (a rename), as for projected tokens.
    const next = await tokenFile("rotated");
    await rename(next, path);
    expect(await source.get()).toEqual({ token: "old" }); // within the 1 s stat interval
    c.advance(1_000);
    expect(await source.get()).toEqual({ token: "rotated" });
  });

  it("notices an in-place rewrite of the same size through its mtime", async () => {
    const path = await tokenFile("aaaa");
    const c = clock();
    const source = new TokenFileSource(path, { now: c.now });
    await source.get();
    await writeFile(path, "bbbb");
    const later = new Date(Date.now() + 5_000);
    await utimes(path, later, later);
    c.advance(1_000);
    expect(await source.get()).toEqual({ token: "bbbb" });
  });

  it("re-reads right after invalidate() (a 401)", async () => {
    const path = await tokenFile("before");
    const source = new TokenFileSource(path, { statIntervalMs: Number.POSITIVE_INFINITY });
    await source.get();
    await writeFile(path, "after");
    expect(await source.get()).toEqual({ token: "before" });
    source.invalidate();
    expect(await source.get()).toEqual({ token: "after" });
  });

  it("keeps the last good token when the file goes missing or empty", async () => {
    const path = await tokenFile("good");
    const c = clock();
    const source = new TokenFileSource(path, { now: c.now });
    await source.get();
    await writeFile(path, "  \n");
    c.advance(60_000);
    expect(await source.get()).toEqual({ token: "good" });
    await rm(path);
    c.advance(60_000);
    expect(await source.get()).toEqual({ token: "good" });
    await writeFile(path, "back");
    c.advance(1_000);
    expect(await source.get()).toEqual({ token: "back" });
  });

  it("fails with the file's name (never a token) when there is no earlier token; a fallback token avoids that", async () => {
    const empty = await tokenFile("\n");
    await expect(new TokenFileSource(empty).get()).rejects.toThrow(
      `cannot read token file ${empty}: the file is empty`,
    );
    const missing = join(dir, "absent");
    await expect(new TokenFileSource(missing).get()).rejects.toThrow(
      `cannot read token file ${missing}: ENOENT`,
    );
    const withFallback = new TokenFileSource(missing, { fallbackToken: "from-kubeconfig" });
    expect(await withFallback.get()).toEqual({ token: "from-kubeconfig" });
    await writeFile(missing, "from-file");
    withFallback.invalidate();
    expect(await withFallback.get()).toEqual({ token: "from-file" });
  });

  it("describes itself by its path", async () => {
    const path = await tokenFile("x");
    expect(new TokenFileSource(path).description).toBe(`token file ${path}`);
  });
});
