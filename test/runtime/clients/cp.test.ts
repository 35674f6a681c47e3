/**
 * `copyToPod` and `copyFromPod` against a local server speaking the remote-command protocol that
 * runs each exec'd command for real (GNU tar, in a folder playing the container's filesystem),
 * with stdin, its v5 close and exit codes; and against hostile "containers" whose tar answers
 * crafted archives: every entry that would land outside the destination fails the copy and
 * nothing is written outside.
 */
import { spawn } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CopyError } from "../../../runtime/clients/cp.js";
import { type TarHeader, writeTar } from "../../../runtime/core/tar.js";
import { usePodStreamServer, type WsConnection } from "../../support/ws-server.js";

let root: string;
/** The container's filesystem: commands run here. */
let container: string;
let offer = "v5.channel.k8s.io";
/** When set, the "container" answers this archive to any command instead of running it. */
let crafted: Uint8Array | undefined;
const commands: string[][] = [];

const status = (code: number) =>
  Buffer.from(
    JSON.stringify(
      code === 0
        ? { status: "Success" }
        : {
            status: "Failure",
            reason: "NonZeroExitCode",
            details: { causes: [{ reason: "ExitCode", message: String(code) }] },
          },
    ),
  );

/** Runs the exec'd command in `container`, as a kubelet runs it in the container. */
function run(conn: WsConnection): void {
  const command = conn.url.searchParams.getAll("command");
  commands.push(command);
  if (crafted) {
    const archive = crafted;
    for (let at = 0; at < archive.length; at += 700)
      conn.send(Uint8Array.of(1, ...archive.subarray(at, at + 700)));
    conn.send(Uint8Array.of(3, ...status(0)));
    conn.close();
    return;
  }
  const child = spawn(command[0] as string, command.slice(1), {
    cwd: container,
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin.on("error", () => {});
  child.stdout.on("data", (d: Buffer) => conn.send(Buffer.concat([Buffer.of(1), d])));
  child.stderr.on("data", (d: Buffer) => conn.send(Buffer.concat([Buffer.of(2), d])));
  conn.onMessage((m) => {
    if (m[0] === 0) child.stdin.write(m.subarray(1));
    else if (m[0] === 255 && m[1] === 0) child.stdin.end();
  });
  conn.onClose(() => child.kill("SIGKILL"));
  child.on("close", (code) => {
    conn.send(Uint8Array.of(3, ...status(code ?? 1)));
    conn.close();
  });
}

const streams = usePodStreamServer(
  ["exec"],
  (_url, offered) => (offered.includes(offer) ? offer : undefined),
  run,
);
const client = () => streams.client();

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "kubegen-cp-"));
  container = join(root, "container");
  mkdirSync(join(container, "data"), { recursive: true });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A folder's content as a sorted list: files with their text, links with their target. */
function tree(dir: string, prefix = ""): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      const st = lstatSync(path);
      if (st.isSymbolicLink()) return [`${prefix}${name} -> ${readlinkSync(path)}`];
      if (st.isDirectory()) return [`${prefix}${name}/`, ...tree(path, `${prefix}${name}/`)];
      return [
        `${prefix}${name} (${(st.mode & 0o777).toString(8)}): ${readFileSync(path, "latin1").slice(0, 40)}`,
      ];
    });
}

function localFolder(): string {
  const dir = mkdtempSync(join(root, "local-"));
  mkdirSync(join(dir, "sub", "deeper"), { recursive: true });
  writeFileSync(join(dir, "a.txt"), "alpha\n");
  writeFileSync(join(dir, "run.sh"), "#!/bin/sh\n", { mode: 0o755 });
  writeFileSync(join(dir, "sub", "deeper", "b.bin"), Buffer.alloc(30_000, 0xab));
  writeFileSync(join(dir, "sub", `${"long-name-".repeat(12)}.txt`), "long");
  symlinkSync("../a.txt", join(dir, "sub", "to-a"));
  return dir;
}

describe("copyToPod and copyFromPod (container paths relative to the exec folder)", () => {
  it("copies a folder in and back out, unchanged: files, modes, folders, links, long names", async () => {
    offer = "v5.channel.k8s.io";
    const local = localFolder();
    const sent = await client().copyToPod("web-0", local, "data/copied", { container: "app" });
    expect(commands.at(-1)).toEqual(["tar", "xf", "-", "-C", "data"]);
    expect(sent.entries).toBe(8);
    expect(tree(join(container, "data", "copied"))).toEqual(tree(local));

    const back = join(root, "back");
    const got = await client().copyFromPod("web-0", "data/copied", back);
    expect(commands.at(-1)).toEqual(["tar", "cf", "-", "-C", "data", "copied"]);
    expect(got.entries).toBe(8);
    expect(tree(back)).toEqual(tree(local));
  });

  it("streams a large file in, paced, and back out", async () => {
    const dir = mkdtempSync(join(root, "large-"));
    const big = Buffer.alloc(12 << 20);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
    writeFileSync(join(dir, "big.bin"), big);
    await client().copyToPod("web-0", join(dir, "big.bin"), "data/big.bin");
    expect(readFileSync(join(container, "data", "big.bin")).equals(big)).toBe(true);
    await client().copyFromPod("web-0", "data/big.bin", join(dir, "back.bin"));
    expect(readFileSync(join(dir, "back.bin")).equals(big)).toBe(true);
  });

  it("a missing local path fails before anything runs in the container", async () => {
    const before = commands.length;
    await expect(client().copyToPod("web-0", join(root, "not-there"), "data/x")).rejects.toThrow(/ENOENT/);
    expect(commands.length).toBe(before);
  });

  it("copies one file out to the path given", async () => {
    writeFileSync(join(container, "data", "single.txt"), "just me");
    const dest = join(root, "out", "renamed.txt");
    await client().copyFromPod("web-0", "data/single.txt", dest);
    expect(readFileSync(dest, "utf8")).toBe("just me");
  });

  it("copies in on a v4 server, where stdin cannot be ended: tar stops at the archive's last record", async () => {
    offer = "v4.channel.k8s.io";
    try {
      const local = localFolder();
      await client().copyToPod("web-0", local, "data/over-v4");
      expect(tree(join(container, "data", "over-v4"))).toEqual(tree(local));
    } finally {
      offer = "v5.channel.k8s.io";
    }
  });

  it("fails with tar's exit code and message for a missing path", async () => {
    const failed = await client()
      .copyFromPod("web-0", "data/nope", join(root, "nope"))
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(CopyError);
    expect(String(failed)).toMatch(/tar in the container exited with code 2: .*nope.*No such file/s);
    expect(existsSync(join(root, "nope"))).toBe(false);
    await expect(client().copyToPod("web-0", local0(), "missing-folder/x")).rejects.toThrow(
      /exited with code 2: .*missing-folder/s,
    );
    await expect(client().copyFromPod("web-0", "/", join(root, "x"))).rejects.toThrow(/does not name a file/);
  });
});

function local0(): string {
  const dir = mkdtempSync(join(root, "one-"));
  writeFileSync(join(dir, "f"), "f");
  return dir;
}

type Entry = Omit<TarHeader, "size"> & { data?: Uint8Array };
const file = (path: string, text = "x"): Entry => ({
  path,
  type: "file",
  mode: 0o644,
  mtime: 0,
  data: Buffer.from(text),
});
const dir = (path: string): Entry => ({ path, type: "directory", mode: 0o755, mtime: 0 });
const link = (path: string, target: string, type: "symlink" | "hardlink" = "symlink"): Entry => ({
  path,
  type,
  mode: 0o777,
  mtime: 0,
  linkTarget: target,
});

describe("copyFromPod refuses archives that reach outside the destination", () => {
  const hostile: [string, Entry[], RegExp][] = [
    ["a parent segment", [dir("base"), file("base/../../escape.txt")], /climbs out with '\.\.'/],
    ["an absolute path", [dir("base"), file(`/tmp/kubegen-cp-absolute-${process.pid}`)], /is absolute/],
    ["an entry outside the copied name", [dir("base"), file("other/x")], /is not under "base"/],
    [
      "a link leading up and out",
      [dir("base"), link("base/up", "../../outside")],
      /leads out of the destination/,
    ],
    ["a link to an absolute path", [dir("base"), link("base/etc", "/etc")], /leads out of the destination/],
    [
      "a file written through a link of the archive",
      [dir("base"), link("base/l", "sub"), dir("base/sub"), file("base/l/x")],
      /base\/l.* exists|symbolic link/,
    ],
    [
      "a link whose target passes through another link",
      [dir("base"), link("base/d", "."), link("base/s", "d/../..")],
      /leads out|passes through the symbolic link d/,
    ],
    [
      "a link chain that is only out when resolved",
      [dir("base"), dir("base/x"), link("base/x/d", ".."), link("base/s", "x/d/..")],
      /passes through the symbolic link x\/d/,
    ],
    ["a hard link", [dir("base"), link("base/h", "/etc/passwd", "hardlink")], /a hard link/],
    [
      "a device",
      [dir("base"), { path: "base/dev", type: "other", mode: 0o644, mtime: 0 }],
      /not a file, folder or symbolic link/,
    ],
  ];

  for (const [name, entries, message] of hostile)
    it(name, async () => {
      const outer = mkdtempSync(join(root, "hostile-"));
      const dest = join(outer, "dest", "inner");
      crafted = writeTar(entries);
      try {
        const failed = await client()
          .copyFromPod("web-0", "any/base", dest)
          .catch((e: unknown) => e);
        expect(failed).toBeInstanceOf(CopyError);
        expect(String(failed)).toMatch(message);
        // Nothing outside the destination.
        expect(readdirSync(outer)).toEqual(["dest"]);
        expect(readdirSync(join(outer, "dest"))).toEqual(existsSync(dest) ? ["inner"] : []);
        expect(existsSync(`/tmp/kubegen-cp-absolute-${process.pid}`)).toBe(false);
        // No link that leads out was made.
        if (existsSync(dest)) for (const line of tree(dest)) expect(line).not.toMatch(/-> (\/|\.\.\/\.\.)/);
      } finally {
        crafted = undefined;
      }
    });

  it("a link already in the destination is not written through", async () => {
    const outer = mkdtempSync(join(root, "prelinked-"));
    const outside = join(outer, "outside");
    mkdirSync(outside);
    const dest = join(outer, "dest");
    mkdirSync(dest);
    symlinkSync(outside, join(dest, "sub"));
    crafted = writeTar([dir("base"), dir("base/sub"), file("base/sub/x", "pwned")]);
    try {
      await expect(client().copyFromPod("web-0", "base", dest)).rejects.toThrow(
        /is a symbolic link|not a folder/,
      );
      expect(readdirSync(outside)).toEqual([]);
      crafted = writeTar([dir("base"), file("base/sub", "pwned")]);
      await expect(client().copyFromPod("web-0", "base", dest)).rejects.toThrow(/is a symbolic link/);
      expect(readdirSync(outside)).toEqual([]);
    } finally {
      crafted = undefined;
    }
  });

  it("a truncated or corrupt archive fails the copy", async () => {
    const good = writeTar([dir("base"), file("base/f", "x".repeat(2000))]);
    crafted = good.subarray(0, 1500);
    try {
      await expect(client().copyFromPod("web-0", "base", join(root, "trunc"))).rejects.toThrow(/truncated/);
      const corrupt = good.slice();
      corrupt[600] = 0x41;
      crafted = corrupt;
      await expect(client().copyFromPod("web-0", "base", join(root, "corrupt"))).rejects.toThrow(/checksum/);
    } finally {
      crafted = undefined;
    }
  });
});

describe("copyFromPod, as a property over random hostile archives", () => {
  it("never writes outside the destination, and leaves no link that resolves outside it", async () => {
    const piece = fc.constantFrom("base", "a", "b", "..", ".", "", "/", "x/..", "../base");
    const entryPath = fc
      .array(piece, { minLength: 1, maxLength: 5 })
      .map((p) => p.join("/"))
      .map((p) => (p.startsWith("base") ? p : `base/${p}`));
    const target = fc.array(piece, { minLength: 1, maxLength: 4 }).map((p) => p.join("/"));
    const entry = fc.oneof(
      entryPath.map((p) => file(p, "data")),
      entryPath.map((p) => dir(p)),
      fc.tuple(entryPath, target).map(([p, t]) => link(p, t)),
      fc
        .tuple(
          entryPath,
          target.map((t) => `/${t}`),
        )
        .map(([p, t]) => link(p, t)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 8 }), async (entries) => {
        const outer = mkdtempSync(join(root, "prop-"));
        const dest = join(outer, "dest");
        crafted = writeTar([dir("base"), ...entries]);
        try {
          await client()
            .copyFromPod("web-0", "base", dest)
            .catch((e: unknown) => {
              if (!(e instanceof CopyError)) throw e;
            });
          expect(readdirSync(outer)).toEqual(existsSync(dest) ? ["dest"] : []);
          if (!existsSync(dest)) return;
          const real = realpathSync(dest);
          for (const line of tree(dest)) {
            const arrow = line.indexOf(" -> ");
            if (arrow < 0) continue;
            const at = join(dest, line.slice(0, arrow));
            // Where the link points, resolved through the real folders on the way.
            const pointed = resolve(realpathSync(dirname(at)), readlinkSync(at));
            expect(pointed === real || pointed.startsWith(`${real}/`), line).toBe(true);
          }
        } finally {
          crafted = undefined;
          rmSync(outer, { recursive: true, force: true });
        }
      }),
      { numRuns: 150, interruptAfterTimeLimit: 10_000 },
    );
  }, 60_000);
});
