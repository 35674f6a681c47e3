/**
 * The tar reader and writer: round trips at every split, interchange with GNU tar both ways
 * (ustar, GNU long names, PAX), the record padding that lets `tar xf -` stop without stdin's end,
 * malformed archives, and the path checks an extractor applies to hostile entries.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  paxRecord,
  safeEntryPath,
  symlinkStaysInside,
  TAR_RECORD,
  type TarEvent,
  type TarHeader,
  TarReader,
  writeTar,
} from "../../../runtime/core/tar.js";
import { type Cases, runCases } from "../../support/cases.js";

const enc = new TextEncoder();
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "kubegen-tar-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Read {
  header: TarHeader;
  data: string;
}

/** Reads an archive fed in the given pieces. */
function readAll(pieces: Uint8Array[]): { entries: Read[]; ended: boolean } {
  const reader = new TarReader();
  const entries: Read[] = [];
  let ended = false;
  const take = (events: TarEvent[]) => {
    for (const e of events) {
      if (e.type === "entry") entries.push({ header: e.header, data: "" });
      else if (e.type === "data") (entries.at(-1) as Read).data += Buffer.from(e.data).toString("latin1");
      else ended = true;
    }
  };
  for (const p of pieces) take(reader.push(p));
  reader.finish();
  return { entries, ended };
}

const longDir = `${"d".repeat(120)}/${"e".repeat(120)}`;
const sample = [
  { path: "top", type: "directory" as const, mode: 0o755, mtime: 1_700_000_000 },
  {
    path: "top/hello.txt",
    type: "file" as const,
    mode: 0o644,
    mtime: 1_700_000_001,
    data: enc.encode("hello\n"),
  },
  { path: "top/empty", type: "file" as const, mode: 0o600, mtime: 0, data: new Uint8Array() },
  { path: "top/link", type: "symlink" as const, mode: 0o777, mtime: 0, linkTarget: "hello.txt" },
  // Fits ustar's prefix + name split.
  {
    path: `top/${"p".repeat(90)}/${"n".repeat(90)}`,
    type: "file" as const,
    mode: 0o644,
    mtime: 0,
    data: enc.encode("split"),
  },
  // Fits nowhere: a PAX path record.
  {
    path: `top/${longDir}/${"f".repeat(110)}`,
    type: "file" as const,
    mode: 0o640,
    mtime: 0,
    data: new Uint8Array(700).fill(120),
  },
  { path: "top/far", type: "symlink" as const, mode: 0o777, mtime: 0, linkTarget: `${"x/".repeat(60)}y` },
];

describe("TarWriter and TarReader", () => {
  const archive = writeTar(sample);

  it("pads the archive to whole 10240-byte records, ending in zero blocks", () => {
    expect(archive.length % TAR_RECORD).toBe(0);
    expect(archive.subarray(-1024).every((b) => b === 0)).toBe(true);
    expect(writeTar([]).length).toBe(TAR_RECORD);
  });

  it("reads back what it wrote, whatever byte the archive is split at", () => {
    const want = sample.map((e) => ({
      header: {
        path: e.type === "directory" ? `${e.path}/` : e.path,
        type: e.type,
        mode: e.mode,
        size: e.data?.length ?? 0,
        mtime: e.mtime,
        ...(e.linkTarget ? { linkTarget: e.linkTarget } : {}),
      },
      data: Buffer.from(e.data ?? new Uint8Array()).toString("latin1"),
    }));
    expect(readAll([archive])).toEqual({ entries: want, ended: true });
    for (let at = 0; at <= archive.length; at += at < 4096 ? 1 : 97)
      expect(readAll([archive.subarray(0, at), archive.subarray(at)]).entries, `split at ${at}`).toEqual(
        want,
      );
    // One byte at a time.
    expect(readAll(Array.from(archive, (b) => Uint8Array.of(b))).entries).toEqual(want);
  });

  it("property: random entries and random chunking round trip", () => {
    const segment = fc.stringMatching(/^[a-zA-Z0-9._ é-]{1,40}$/).filter((s) => s !== "." && s !== "..");
    const entry = fc.record({
      path: fc.array(segment, { minLength: 1, maxLength: 8 }).map((s) => s.join("/")),
      data: fc.uint8Array({ maxLength: 1500 }),
      mode: fc.integer({ min: 0, max: 0o777 }),
    });
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (entries, cuts) => {
          const bytes = writeTar(entries.map((e) => ({ ...e, type: "file" as const, mtime: 1 })));
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const pieces: Uint8Array[] = [];
          let from = 0;
          for (const p of [...points, bytes.length]) {
            pieces.push(bytes.subarray(from, p));
            from = p;
          }
          const { entries: got, ended } = readAll(pieces);
          expect(ended).toBe(true);
          expect(got.map((g) => [g.header.path, g.header.mode, g.data])).toEqual(
            entries.map((e) => [e.path, e.mode, Buffer.from(e.data).toString("latin1")]),
          );
        },
      ),
      { numRuns: 200, interruptAfterTimeLimit: 4000 },
    );
  });

  it("GNU tar stops at the record's end, without stdin's end (what KWOK's exec needs)", async () => {
    const dir = tempDir();
    const tar = spawn("tar", ["xf", "-", "-C", dir], { stdio: ["pipe", "ignore", "ignore"] });
    // The archive, and stdin left open, as KWOK leaves it.
    tar.stdin.write(archive);
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        tar.kill("SIGKILL");
        resolve(-1);
      }, 10_000);
      tar.on("exit", (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    tar.stdin.destroy();
    expect(code).toBe(0);
    expect(readFileSync(join(dir, "top/hello.txt"), "utf8")).toBe("hello\n");
    // Without the padding, tar waits for the rest of the record.
    const short = spawn("tar", ["xf", "-", "-C", tempDir()], { stdio: ["pipe", "ignore", "ignore"] });
    short.stdin.write(archive.subarray(0, 3 * 512 + 1024));
    const early = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve("still running"), 1000);
      short.on("exit", () => {
        clearTimeout(timer);
        resolve("exited");
      });
    });
    short.kill("SIGKILL");
    expect(early).toBe("still running");
  });

  it("GNU tar extracts what it writes (files, folders, symlinks, long names)", () => {
    const dir = tempDir();
    execFileSync("tar", ["xf", "-", "-C", dir], { input: archive, timeout: 10_000 });
    expect(readFileSync(join(dir, "top/hello.txt"), "utf8")).toBe("hello\n");
    expect(readFileSync(join(dir, "top/link"), "utf8")).toBe("hello\n");
    expect(readFileSync(join(dir, `top/${"p".repeat(90)}/${"n".repeat(90)}`), "utf8")).toBe("split");
    expect(readFileSync(join(dir, `top/${longDir}/${"f".repeat(110)}`)).length).toBe(700);
    const listing = execFileSync("tar", ["tvf", "-"], { input: archive }).toString();
    expect(listing).toContain(`top/far -> ${"x/".repeat(60)}y`);
  });

  it("reads what GNU tar writes, GNU long names and PAX alike", () => {
    const dir = tempDir();
    mkdirSync(join(dir, "src", longDir), { recursive: true });
    writeFileSync(join(dir, "src", "a.txt"), "A");
    writeFileSync(join(dir, "src", longDir, "deep.bin"), Buffer.alloc(1234, 7));
    symlinkSync(`${"z/".repeat(70)}target`, join(dir, "src", "long-link"));
    for (const format of ["gnu", "posix", "ustar"]) {
      if (format === "ustar") continue; // ustar cannot hold these names at all
      const bytes = execFileSync("tar", [`--format=${format}`, "-cf", "-", "-C", dir, "src"]);
      const { entries, ended } = readAll([new Uint8Array(bytes)]);
      expect(ended, format).toBe(true);
      const byPath = Object.fromEntries(entries.map((e) => [e.header.path, e]));
      expect(byPath["src/a.txt"]?.data, format).toBe("A");
      expect(byPath[`src/${longDir}/deep.bin`]?.header.size, format).toBe(1234);
      expect(byPath["src/long-link"]?.header, format).toMatchObject({
        type: "symlink",
        linkTarget: `${"z/".repeat(70)}target`,
      });
      expect(byPath["src/"]?.header.type, format).toBe("directory");
    }
  });
});

describe("malformed archives", () => {
  const good = writeTar([{ path: "a", type: "file", mode: 0o644, mtime: 0, data: enc.encode("abc") }]);

  it("refuse a wrong checksum, a truncated archive, bad numbers and oversized PAX headers", () => {
    const bad = good.slice();
    bad[0] = 0x62; // the name changes, the checksum does not
    expect(() => readAll([bad])).toThrow(/checksum is wrong/);
    expect(() => readAll([good.subarray(0, 600)])).toThrow(/truncated/);
    expect(() => readAll([good.subarray(0, 300)])).toThrow(/truncated/);

    const withSize = (size: Uint8Array) => {
      const b = good.slice(0, 1024);
      b.set(size, 124);
      b.fill(0x20, 148, 156);
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += b[i] as number;
      b.set(enc.encode(`${sum.toString(8).padStart(6, "0")}\0 `), 148);
      return b;
    };
    expect(() => readAll([withSize(enc.encode("99999999999\0"))])).toThrow(/not an octal number/);
    expect(() => readAll([withSize(Uint8Array.of(0xff, ...new Uint8Array(11).fill(0xff)))])).toThrow(
      /negative/,
    );

    const pax = enc.encode(paxRecord("path", "x".repeat(2 << 20)));
    const header = writeTar([{ path: "p", type: "file", mode: 0, mtime: 0, data: pax }]).slice(0, 512);
    header[156] = 0x78;
    header.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += header[i] as number;
    header.set(enc.encode(`${sum.toString(8).padStart(6, "0")}\0 `), 148);
    expect(() => new TarReader().push(header)).toThrow(/too large/);
  });

  it("refuse a malformed PAX record", () => {
    const body = enc.encode("5 path=x\n");
    const entries = writeTar([{ path: "p", type: "file", mode: 0, mtime: 0, data: body }]);
    const header = entries.slice(0, 512);
    header[156] = 0x78;
    header.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += header[i] as number;
    header.set(enc.encode(`${sum.toString(8).padStart(6, "0")}\0 `), 148);
    const patched = entries.slice();
    patched.set(header, 0);
    expect(() => readAll([patched])).toThrow(/PAX record/);
  });

  it("paxRecord counts its own length", () => {
    for (const value of ["", "x", "x".repeat(90), "x".repeat(985), "x".repeat(9990)]) {
      const record = paxRecord("path", value);
      expect(Number(record.split(" ")[0])).toBe(enc.encode(record).length);
    }
  });
});

describe("safeEntryPath", () => {
  const cases: Cases<string, unknown> = [
    ["a plain path", { given: "dir/file.txt", want: { segments: ["dir", "file.txt"] } }],
    ["dots and empty segments drop", { given: "./dir//./file/", want: { segments: ["dir", "file"] } }],
    ["an absolute path", { given: "/etc/passwd", want: { error: "is absolute" } }],
    ["a parent segment", { given: "../escape", want: { error: "climbs out with '..'" } }],
    ["a parent segment deeper", { given: "a/b/../../../x", want: { error: "climbs out with '..'" } }],
    ["even one that stays inside", { given: "a/../b", want: { error: "climbs out with '..'" } }],
    ["a backslash", { given: "a\\..\\..\\x", want: { error: "holds a backslash" } }],
    ["a drive", { given: "C:/Windows", want: { error: "names a drive" } }],
    ["a NUL byte", { given: "a\0b", want: { error: "holds a NUL byte" } }],
  ];
  runCases(cases, safeEntryPath);
});

describe("symlinkStaysInside", () => {
  const cases: Cases<[string[], string], boolean> = [
    ["a sibling", { given: [["a", "link"], "file"], want: true }],
    ["up and back in", { given: [["a", "b", "link"], "../../c/d"], want: true }],
    ["the destination itself", { given: [["a", "link"], ".."], want: true }],
    ["one level too far", { given: [["a", "link"], "../.."], want: false }],
    ["out and back in is still out", { given: [["link"], "../dest/x"], want: false }],
    ["absolute", { given: [["link"], "/etc/passwd"], want: false }],
    ["empty", { given: [["link"], ""], want: false }],
    ["a backslash", { given: [["link"], "..\\x"], want: false }],
  ];
  runCases(cases, ([segments, target]) => symlinkStaysInside(segments, target));
});

describe("path checks, as properties", () => {
  const piece = fc.constantFrom("a", "b", "..", ".", "", "/", "\\", "c:", "x/..", "../", "é", "\0");
  const path = fc.array(piece, { maxLength: 8 }).map((p) => p.join(""));
  const dest = "/dest/root";

  it("an accepted entry path always resolves inside the destination", () => {
    fc.assert(
      fc.property(path, (p) => {
        const safe = safeEntryPath(p);
        if ("error" in safe) return;
        const resolved = posix.resolve(dest, ...safe.segments);
        expect(resolved === dest || resolved.startsWith(`${dest}/`), p).toBe(true);
        expect(safe.segments).not.toContain("..");
      }),
      { numRuns: 2000 },
    );
  });

  it("an accepted symlink target always resolves inside the destination (no links on the way)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("a", "b", "c"), { minLength: 1, maxLength: 4 }),
        path,
        (link, target) => {
          if (!symlinkStaysInside(link, target)) return;
          const resolved = posix.resolve(dest, ...link.slice(0, -1), target);
          expect(resolved === dest || resolved.startsWith(`${dest}/`), `${link.join("/")} -> ${target}`).toBe(
            true,
          );
        },
      ),
      { numRuns: 2000 },
    );
  });
});
