/**
 * An import-aware file builder: emitters ask for a symbol (`f.importType("ObjectMeta", "meta/v1")`)
 * and print the local name it returns. The builder collects, deduplicates and sorts the imports,
 * computes relative specifiers, aliases names that collide with local ones, and decides
 * `import type` versus a value import. No emitter writes an import line itself.
 */
import { posix } from "node:path";
import { compareStrings } from "../order.js";

/** Where an import points: another generated module, or a fixed specifier (a package). */
export type ImportTarget = { module: string } | { specifier: string };

interface ImportEntry {
  name: string;
  local: string;
  typeOnly: boolean;
}

/**
 * One emitted file: imports requested by name, a body of printed lines, and `toString(header)`.
 *
 * @example
 * const f = new FileBuilder("apps/v1", resolve);
 * f.print(`metadata?: ${f.importType("ObjectMeta", { module: "meta/v1" })};`);
 */
export class FileBuilder {
  /** Module path of this file, without extension (`apps/v1`). */
  readonly module: string;
  readonly #locals = new Set<string>();
  readonly #imports = new Map<string, Map<string, ImportEntry>>();
  readonly #namespaceExports = new Map<string, string>();
  readonly #body: string[] = [];
  readonly #resolve: (target: ImportTarget) => string;

  constructor(module: string, resolve: (from: string, target: ImportTarget) => string) {
    this.module = module;
    this.#resolve = (target) => resolve(module, target);
  }

  /** Declares names this file defines, so imports of the same name get an alias. */
  declare(...names: string[]): void {
    for (const n of names) this.#locals.add(n);
  }

  importType(name: string, target: ImportTarget): string {
    return this.#import(name, target, true);
  }

  /** `as` asks for a local name of the caller's choosing (`import { groupVersion as appsV1 }`). */
  importValue(name: string, target: ImportTarget, as?: string): string {
    return this.#import(name, target, false, as);
  }

  #import(name: string, target: ImportTarget, typeOnly: boolean, as?: string): string {
    if ("module" in target && target.module === this.module) return name;
    const specifier = this.#resolve(target);
    const entries = this.#imports.get(specifier) ?? new Map<string, ImportEntry>();
    this.#imports.set(specifier, entries);
    const key = as ?? name;
    const existing = entries.get(key);
    if (existing) {
      existing.typeOnly &&= typeOnly;
      return existing.local;
    }
    let local = as ?? name;
    if (this.#locals.has(local) || this.#takenByOtherImport(local)) {
      const prefix =
        "module" in target
          ? target.module.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c?: string) => (c ? c.toUpperCase() : ""))
          : "Imported";
      local = `${prefix.charAt(0).toUpperCase()}${prefix.slice(1)}${name}`;
    }
    entries.set(key, { name, local, typeOnly });
    return local;
  }

  /** Re-exports a whole module under a name: `export * as appsV1 from "./apps/v1.js"`. */
  exportNamespace(name: string, target: ImportTarget): void {
    const specifier = this.#resolve(target);
    const existing = this.#namespaceExports.get(name);
    if (existing !== undefined && existing !== specifier) {
      throw new Error(`${this.module}: namespace export ${name} names both ${existing} and ${specifier}`);
    }
    this.#namespaceExports.set(name, specifier);
  }

  #takenByOtherImport(local: string): boolean {
    for (const entries of this.#imports.values())
      for (const e of entries.values()) if (e.local === local) return true;
    return false;
  }

  /** Appends lines to the body. */
  print(...lines: string[]): void {
    this.printLines(lines);
  }

  /** Appends an array of lines of any length (a spread of a huge array overflows the stack). */
  printLines(lines: readonly string[]): void {
    for (const line of lines) this.#body.push(line);
  }

  /** The file: header, imports, body. */
  toString(header: string): string {
    const imports: string[] = [];
    // Packages first, then relative modules, each sorted: the order a careful person writes.
    const relativeLast = (spec: string) => `${spec.startsWith(".") ? "1" : "0"}${spec}`;
    const specifiers = [...this.#imports.keys()].sort((a, b) =>
      compareStrings(relativeLast(a), relativeLast(b)),
    );
    for (const specifier of specifiers) {
      const entries = [...this.#imports.get(specifier)!.values()].sort(
        (a, b) => compareStrings(a.name, b.name) || compareStrings(a.local, b.local),
      );
      const allTypes = entries.every((e) => e.typeOnly);
      const names = entries.map((e) => {
        const alias = e.local === e.name ? e.name : `${e.name} as ${e.local}`;
        return !allTypes && e.typeOnly ? `type ${alias}` : alias;
      });
      const head = `import ${allTypes ? "type " : ""}{`;
      const tail = `} from ${JSON.stringify(specifier)};`;
      const one = `${head} ${names.join(", ")} ${tail}`;
      imports.push(one.length <= lineWidth ? one : [head, ...names.map((n) => `  ${n},`), tail].join("\n"));
    }
    const reexports = [...this.#namespaceExports]
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([name, specifier]) => `export * as ${name} from ${JSON.stringify(specifier)};`);
    const parts = [header.trimEnd(), ""];
    if (imports.length) parts.push(imports.join("\n"), "");
    if (reexports.length) parts.push(reexports.join("\n"), "");
    parts.push(this.#body.join("\n"));
    return `${parts
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trimEnd()}\n`;
  }
}

/** Relative specifier from one module to another (`apps/v1` → `core/v1` is `../core/v1.js`). */
export function relativeSpecifier(from: string, to: string): string {
  // Both are relative to the output root; `to` may lie outside it (`../../runtime/index`), so the
  // root is put deep enough under `/` for `..` never to be clamped.
  const root = "/0/1/2/3/4/5/6/7/8/9";
  const rel = posix.relative(posix.join(root, posix.dirname(from)), posix.join(root, to));
  return `${rel.startsWith(".") ? rel : `./${rel}`}.js`;
}

/** The formatter's line width (biome.json): JSDoc text is wrapped to fit it. */
export const lineWidth = 110;

/** A JSDoc block from lines of text, wrapped at `lineWidth`; `*​/` can never close it early. */
export function jsDoc(lines: string[], indent = ""): string[] {
  const text = lines.flatMap((l) => l.split("\n")).map((l) => l.replace(/\*\//g, "*\\/").trimEnd());
  while (text.length && text[text.length - 1] === "") text.pop();
  while (text.length && text[0] === "") text.shift();
  if (text.length === 0) return [];
  if (text.length === 1 && indent.length + text[0]!.length + 7 <= lineWidth)
    return [`${indent}/** ${text[0]} */`];
  const width = lineWidth - indent.length - 3;
  // Lines inside a fenced code block keep their layout.
  let inFence = false;
  const wrapped = text.flatMap((l) => {
    const fence = l.trimStart().startsWith("```");
    const out = inFence || fence ? [l] : wrap(l, width);
    if (fence) inFence = !inFence;
    return out;
  });
  return [`${indent}/**`, ...wrapped.map((l) => (l ? `${indent} * ${l}` : `${indent} *`)), `${indent} */`];
}

/** Word-wraps one line; words longer than the width (URLs) stand alone. */
function wrap(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const out: string[] = [];
  let current = "";
  for (const word of line.split(/ +/)) {
    if (current && current.length + 1 + word.length > width) {
      out.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  if (current) out.push(current);
  return out;
}
