/**
 * Emits one group-version module: its types (interfaces with JSDoc from the schema), constructor
 * helpers for top-level kinds, one `defineResource` descriptor per resource, and the
 * `defineGroupVersion` declaration the clientset is built from.
 *
 * Printed as text through `FileBuilder`, not through ts-morph or openapi-typescript: the output is
 * plain declarations whose layout is fixed here, so a printer adds nothing but time (parsing,
 * formatting and printing the built-in tree with ts-morph alone takes ~750 ms; this whole emitter
 * ~60 ms), and openapi-typescript's `transformSchemaObject` maps a schema straight to a TS AST with
 * its own rules, leaving no place for our model (ARCHITECTURE.md, "The generator, stage by stage")
 * or for Kubernetes' extensions. ts-morph does what it is good at in the tests: compile-checking
 * emitted code in memory.
 */

import { clientNameOf, isIdentifierName, safeIdentifier } from "../model/identifiers.js";
import type { Docs, Module, Property, Resource, Shape, TypeDef, TypeRef } from "../model/ir.js";
import { compareStrings } from "../order.js";
import { FileBuilder, type ImportTarget, jsDoc, lineWidth } from "./file-builder.js";

/** Where an emitter's imports point. */
export interface EmitContext {
  /** The runtime's entry, as seen from the output root (a package name or a relative path). */
  runtime: ImportTarget;
  /** Modules that are not emitted but imported from elsewhere (`meta/v1` for CRD output). */
  external: Record<string, ImportTarget>;
  resolve(from: string, target: ImportTarget): string;
}

function targetOf(ctx: EmitContext, module: string): ImportTarget {
  return (Object.hasOwn(ctx.external, module) ? ctx.external[module] : undefined) ?? { module };
}

/**
 * A description with its code fences on lines of their own. Kubernetes' OpenAPI joins a fence to
 * the line after or before it (```` <quantity> ::= ...`), which Markdown reads as a language name
 * and a block that never closes.
 */
export function repairFences(text: string): string {
  return text
    .replace(/^(\s*)```[ \t]+(\S.*)$/gm, "$1```\n$2")
    .replace(/^(.*\S)[ \t]+```[ \t]*$/gm, "$1\n```");
}

function docLines(docs: Docs, origin?: string): string[] {
  const lines: string[] = [];
  if (docs.description) lines.push(repairFences(docs.description.trim()));
  const tags: string[] = [];
  if (docs.default !== undefined) tags.push(`@default ${docs.default}`);
  if (docs.deprecated) tags.push(`@deprecated ${docs.deprecated}`);
  if (origin) tags.push(`@generated from ${origin}`);
  if (tags.length) lines.push(...(lines.length ? [""] : []), ...tags);
  return lines;
}

const quote = (s: string) => JSON.stringify(s);

/**
 * `open + items + close` on one line when it fits the formatter's width, else one item per line
 * with trailing commas, as the formatter would lay it out.
 */
function fitLine(open: string, items: string[], close: string, indent = "", lastComma = true): string[] {
  const one = `${indent}${open}${items.join(", ")}${close}`;
  if (one.length <= lineWidth) return [one];
  // Type argument lists take no trailing comma.
  const comma = (i: number) => (lastComma || i < items.length - 1 ? "," : "");
  return [
    `${indent}${open.trimEnd()}`,
    ...items.map((item, i) => `${indent}  ${item}${comma(i)}`),
    `${indent}${close.trimStart()}`,
  ];
}
/** `head = value` on one line when it fits, else broken after `=`, as the formatter would. */
function assignment(head: string, value: string): string[] {
  const one = `${head} = ${value}`;
  return one.length <= lineWidth ? [one] : [`${head} =`, `  ${value}`];
}
const propertyKey = (name: string) => (isIdentifierName(name) ? name : quote(name));

class TypePrinter {
  constructor(
    readonly f: FileBuilder,
    readonly ctx: EmitContext,
  ) {}

  ref(ref: TypeRef): string {
    return this.f.importType(ref.name, targetOf(this.ctx, ref.module));
  }

  shape(shape: Shape, indent: string): string {
    switch (shape.kind) {
      case "string":
      case "number":
      case "boolean":
      case "unknown":
        return shape.kind;
      case "intOrString":
        return "number | string";
      case "literals":
        return shape.values.map((v) => JSON.stringify(v)).join(" | ");
      case "array": {
        const inner = this.shape(shape.items, indent);
        if (shape.listMapKeys?.length) {
          // Apply configurations require these keys of every item (`ListMap` in the runtime).
          const listMap = this.f.importType("ListMap", this.ctx.runtime);
          return `${listMap}<${inner}, ${shape.listMapKeys.map(quote).join(" | ")}>`;
        }
        return /[|&]/.test(inner) && !inner.startsWith("{") ? `(${inner})[]` : `${inner}[]`;
      }
      case "map":
        return `{ [key: string]: ${this.shape(shape.values, indent)} }`;
      case "nullable":
        return `${this.shape(shape.inner, indent)} | null`;
      case "union":
        return [...new Set(shape.options.map((o) => this.shape(o, indent)))].join(" | ");
      case "ref":
        return this.ref(shape.ref);
      case "object":
        return this.objectLiteral(shape.properties, shape.open, indent);
      case "embeddedResource":
        return this.objectLiteral(this.embeddedProperties(shape.properties), shape.open, indent);
    }
  }

  /**
   * An embedded resource has at least `apiVersion`, `kind` and `metadata`, and its `metadata` is
   * always the shared `ObjectMeta` (the apiserver validates it as one, whatever the schema says).
   */
  embeddedProperties(properties: Property[]): Property[] {
    const objectMeta: Shape = { kind: "ref", ref: { module: "meta/v1", name: "ObjectMeta" } };
    const given = properties.map((p) => (p.name === "metadata" ? { ...p, shape: objectMeta } : p));
    const has = new Set(properties.map((p) => p.name));
    const extra: Property[] = [];
    if (!has.has("apiVersion"))
      extra.push({ name: "apiVersion", required: false, shape: { kind: "string" } });
    if (!has.has("kind")) extra.push({ name: "kind", required: false, shape: { kind: "string" } });
    if (!has.has("metadata")) extra.push({ name: "metadata", required: false, shape: objectMeta });
    return [...extra, ...given].sort((a, b) => compareStrings(a.name, b.name));
  }

  members(
    properties: Property[],
    open: boolean,
    indent: string,
    override?: ReadonlyMap<string, string>,
  ): string[] {
    const lines: string[] = [];
    for (const p of properties) {
      for (const line of jsDoc(docLines(p), indent)) lines.push(line);
      const type = override?.get(p.name) ?? this.shape(p.shape, indent);
      const head = `${indent}${propertyKey(p.name)}${p.required ? "" : "?"}:`;
      const literals = p.shape.kind === "literals" ? p.shape.values : undefined;
      if (literals && head.length + type.length + 2 > lineWidth) {
        // A long enum, one value per line, as the formatter lays out a long union.
        lines.push(head);
        for (const [i, v] of literals.entries())
          lines.push(`${indent}  | ${JSON.stringify(v)}${i === literals.length - 1 ? ";" : ""}`);
      } else lines.push(`${head} ${type};`);
    }
    if (open) {
      lines.push(
        ...jsDoc(
          ["Fields the schema does not list are kept (`x-kubernetes-preserve-unknown-fields`)."],
          indent,
        ),
      );
      lines.push(`${indent}[key: string]: unknown;`);
    }
    return lines;
  }

  objectLiteral(properties: Property[], open: boolean, indent: string): string {
    if (properties.length === 0) return open ? "{ [key: string]: unknown }" : "Record<string, never>";
    const inner = `${indent}  `;
    return `{\n${this.members(properties, open, inner).join("\n")}\n${indent}}`;
  }
}

/**
 * The TypeScript text of one shape as seen from module `from` (tests use it to check each mapping
 * rule alone); imports it would need are left out.
 */
export function printShape(shape: Shape, ctx: EmitContext, from = "test/v1"): string {
  return new TypePrinter(new FileBuilder(from, ctx.resolve), ctx).shape(shape, "");
}

function emitType(p: TypePrinter, def: TypeDef): void {
  const f = p.f;
  f.printLines(jsDoc(docLines(def, def.origin)));
  const shape = def.shape;
  if (shape.kind === "object") {
    // A Map: property names come from input, and `constructor` must not find Object's.
    const override = new Map<string, string>();
    let properties = shape.properties;
    if (def.typeMeta) {
      override.set("apiVersion", quote(def.typeMeta.apiVersion));
      override.set("kind", quote(def.typeMeta.kind));
      // Optional even when the schema requires them: list items come without them. A kind whose
      // schema forgot them still gets them: its constructor helper fills them in.
      properties = properties.map((prop) =>
        prop.name === "apiVersion" || prop.name === "kind" ? { ...prop, required: false } : prop,
      );
      for (const name of ["apiVersion", "kind"]) {
        if (!properties.some((p) => p.name === name))
          properties.push({ name, required: false, shape: { kind: "string" } });
      }
      properties.sort((a, b) => compareStrings(a.name, b.name));
    }
    const members = p.members(properties, shape.open, "  ", override);
    if (members.length === 0) f.print(`export interface ${def.name} {}`, "");
    else {
      f.print(`export interface ${def.name} {`);
      f.printLines(members);
      f.print("}", "");
    }
  } else {
    f.print(`export type ${def.name} = ${p.shape(shape, "")};`, "");
  }
  if (def.constructorHelper && def.typeMeta) {
    const { apiVersion, kind } = def.typeMeta;
    // `Omit` over a type with an index signature would drop the known properties: open kinds
    // take the type itself (its `apiVersion` and `kind` are optional literals anyway).
    const open = shape.kind === "object" && shape.open;
    const parameter = open ? def.name : `Omit<${def.name}, "apiVersion" | "kind">`;
    f.print(
      ...jsDoc([`A \`${def.name}\` with \`apiVersion\` and \`kind\` filled in.`]),
      ...fitLine(`export function ${def.name}(`, [`object: ${parameter}`], `): ${def.name} {`),
      ...fitLine(
        "  return { ",
        [`apiVersion: ${quote(apiVersion)}`, `kind: ${quote(kind)}`, "...object"],
        " };",
      ).map((l, i, all) => (all.length > 1 && i > 0 && i < all.length - 1 ? `  ${l}` : l)),
      "}",
      "",
    );
  }
}

function emitResource(
  p: TypePrinter,
  resource: Resource,
  defineResource: string,
  group: string,
  version: string,
): void {
  const f = p.f;
  const object = p.ref(resource.objectType);
  const list =
    resource.listType.name === resource.objectType.name &&
    resource.listType.module === resource.objectType.module
      ? `${f.importType("KubeList", p.ctx.runtime)}<${object}>`
      : p.ref(resource.listType);
  const fields = [
    `group: ${quote(group)}`,
    `version: ${quote(version)}`,
    `plural: ${quote(resource.plural)}`,
    `singular: ${quote(resource.singular)}`,
    `kind: ${quote(resource.kind)}`,
    `listKind: ${quote(resource.listKind)}`,
    `namespaced: ${resource.namespaced}`,
    `verbs: [${resource.verbs.map(quote).join(", ")}]`,
    `subresources: [${resource.subresources.map(quote).join(", ")}]`,
  ];
  if (resource.shortNames.length) fields.push(`shortNames: [${resource.shortNames.map(quote).join(", ")}]`);
  if (resource.categories.length) fields.push(`categories: [${resource.categories.map(quote).join(", ")}]`);
  if (resource.selectableFields?.length)
    fields.push(`selectableFields: [${resource.selectableFields.map(quote).join(", ")}]`);
  if (resource.strategicMergePatch) fields.push("strategicMergePatch: true");
  const scope = resource.namespaced ? "namespaced" : "cluster-scoped";
  const storage = resource.storageVersion ? " Storage version." : "";
  f.print(
    ...jsDoc([`The ${scope} \`${resource.plural}\` resource (\`${resource.kind}\`).${storage}`]),
    ...fitLine(
      `export const ${resource.accessor} = /*@__PURE__*/ ${defineResource}<`,
      [object, list],
      ">()({",
      "",
      false,
    ),
    ...fields.flatMap((l) => {
      // A list too long for one line (a pod's subresources) goes one item per line.
      const list = l.match(/^(\w+): \[(.*)\]$/);
      return list ? fitLine(`${list[1]}: [`, list[2]!.split(", "), "],", "  ") : [`  ${l},`];
    }),
    "});",
    "",
  );
}

/**
 * What an alpha or beta group-version means for its user. Kubernetes' own groups are served only
 * when the apiserver enables them (alpha always; beta since 1.24 for new APIs); a custom
 * resource's version names are its authors' promise alone.
 */
export function stabilityNote(module: Module): string | undefined {
  const gv = module.groupVersion;
  if (!gv || module.stability === "stable") return undefined;
  const builtIn = !gv.group.includes(".") || gv.group.endsWith(".k8s.io");
  if (module.stability === "alpha") {
    return builtIn
      ? "**Alpha**: may change incompatibly or be removed in any release, and is served only where the apiserver enables it (`--runtime-config`, with its feature gate)."
      : "**Alpha** version of a custom resource API: its authors may change it incompatibly or remove it.";
  }
  return builtIn
    ? "**Beta**: may change or be removed in a later release; beta APIs added since Kubernetes 1.24 are served only where the apiserver enables them (`--runtime-config`)."
    : "**Beta** version of a custom resource API: its authors may still change it.";
}

/**
 * The name of each group-version module's `defineGroupVersion` constant. Fixed, so a module's
 * text never depends on the other modules of the run; the index imports it under the clientset
 * member's name.
 */
export const groupVersionConstant = "groupVersion";

/** The text of one module. */
export function emitModule(module: Module, ctx: EmitContext, header: string): string {
  const f = new FileBuilder(module.path, ctx.resolve);
  f.declare(...module.types.map((t) => t.name));
  f.declare(...module.resources.map((r) => r.accessor));
  f.declare(groupVersionConstant);
  const p = new TypePrinter(f, ctx);
  const gv = module.groupVersion;
  const apiVersion = gv ? (gv.group ? `${gv.group}/${gv.version}` : gv.version) : undefined;
  const intro: string[] = [];
  if (gv) {
    intro.push(`Types and resources of the Kubernetes API group-version \`${apiVersion}\`.`);
    const note = stabilityNote(module);
    if (note) intro.push("", note);
  } else {
    intro.push(`Shared types (\`${module.path}\`) that other group-versions refer to.`);
  }
  f.print(...jsDoc([...intro, "", "@module"]), "");
  for (const def of module.types) emitType(p, def);
  if (gv && module.resources.length) {
    // Not written in this file, but named in its declarations (`tsc --declaration`): imported, the
    // descriptors' types print as `TypedResource<...>` instead of an `import("...")` type each, and
    // every `import("...")` in a .d.ts is one more module reference for every program that loads it.
    f.importType("TypedResource", ctx.runtime);
    f.importType("GroupVersionDefinition", ctx.runtime);
    const defineResource = f.importValue("defineResource", ctx.runtime);
    for (const resource of module.resources) emitResource(p, resource, defineResource, gv.group, gv.version);
    const defineGroupVersion = f.importValue("defineGroupVersion", ctx.runtime);
    f.print(
      ...jsDoc([`The resources of \`${apiVersion}\`: a clientset serves them as one member.`]),
      `export const ${groupVersionConstant} = /*@__PURE__*/ ${defineGroupVersion}(`,
      `  { group: ${quote(gv.group)}, version: ${quote(gv.version)} },`,
      ...fitLine(
        "{ ",
        module.resources.map((r) => r.accessor),
        " },",
        "  ",
      ),
      ");",
    );
  }
  return f.toString(header);
}

/** `Clientset` → `InformerFactory`, `CrdClientset` → `CrdInformerFactory`. */
export function informerFactoryName(clientsetName: string): string {
  return `${clientsetName.replace(/Clientset$/, "")}InformerFactory`;
}

/**
 * The index: every emitted module re-exported as a namespace (`appsV1.Deployment`, `metaV1.ObjectMeta`)
 * and the clientset over the group-versions that serve resources.
 */
export function emitIndex(
  modules: Module[],
  ctx: EmitContext,
  header: string,
  clientsetName = "Clientset",
): string {
  const f = new FileBuilder("index", ctx.resolve);
  const emitted = modules.filter((m) => !Object.hasOwn(ctx.external, m.path));
  for (const m of emitted) {
    f.exportNamespace(safeIdentifier(m.groupVersion?.clientName ?? clientNameOf(m.path)), { module: m.path });
  }
  const served = emitted.filter((m) => m.groupVersion && m.resources.length);
  const members = served.map((m) =>
    f.importValue(groupVersionConstant, { module: m.path }, safeIdentifier(m.groupVersion!.clientName)),
  );
  const defineClientset = f.importValue("defineClientset", ctx.runtime);
  const clientsetClass = f.importType("ClientsetClass", ctx.runtime);
  const first = served[0];
  const firstResource = first?.resources[0];
  // The clientset's type is written out, one `typeof` per member: inferred, its declaration (.d.ts)
  // would spell out every group-version's resources again, each through an `import("...")` type.
  const typeLines: string[] = [];
  served.forEach((m, i) => {
    const gv = m.groupVersion!;
    const note = stabilityNote(m);
    // Shown where the member is used (`clientset.resourceV1alpha3`): the mapped clientset type keeps it.
    if (note) typeLines.push(...jsDoc([`\`${gv.group ? `${gv.group}/` : ""}${gv.version}\`. ${note}`], "  "));
    typeLines.push(`  readonly ${members[i]}: typeof ${members[i]};`);
  });
  const memberLines = members.map((m) => `  ${m},`);
  // The class's type argument, for the declarations built from the clientset.
  const groupsOf = `(typeof ${clientsetName})["groupVersions"]`;
  f.print(
    ...jsDoc([
      "The clientset: one lazily created, typed client per group-version, all sharing one HTTP layer.",
      "",
      "@example",
      `const clientset = ${clientsetName}.forConfig(await loadKubeconfig());`,
      first && firstResource
        ? `await clientset.${first.groupVersion!.clientName}.${firstResource.accessor}(${firstResource.namespaced ? '"default"' : ""}).list();`
        : "",
    ]),
    `export const ${clientsetName}: ${clientsetClass}<{`,
  );
  f.printLines(typeLines);
  f.print(`}> = /*@__PURE__*/ ${defineClientset}({`);
  f.printLines(memberLines);
  f.print(
    "});",
    "",
    ...jsDoc([`An instance of \`${clientsetName}\`.`]),
    `export type ${clientsetName} = InstanceType<typeof ${clientsetName}>;`,
  );
  // informer-gen and lister-gen's output: a typed factory over the runtime's one implementation.
  const factoryName = informerFactoryName(clientsetName);
  const defineInformerFactory = f.importValue("defineInformerFactory", ctx.runtime);
  const informerFactoryClass = f.importType("InformerFactoryClass", ctx.runtime);
  const informable = first?.resources.find((r) => r.verbs.includes("list") && r.verbs.includes("watch"));
  f.print(
    "",
    ...jsDoc([
      "Shared informers and listers of the clientset's resources: one list and one watch per resource,",
      "however many consumers ask for it.",
      "",
      "@example",
      `const factory = new ${factoryName}(clientset);`,
      first && informable
        ? `const { informer, lister } = factory.${first.groupVersion!.clientName}.${informable.accessor}();`
        : "",
      "factory.start(signal);",
      "await factory.waitForCacheSync(signal);",
    ]),
    ...assignment(
      `export const ${factoryName}: ${informerFactoryClass}<${groupsOf}>`,
      `/*@__PURE__*/ ${defineInformerFactory}(${clientsetName});`,
    ),
    "",
    ...jsDoc([`An instance of \`${factoryName}\`.`]),
    `export type ${factoryName} = InstanceType<typeof ${factoryName}>;`,
  );
  return f.toString(header);
}

/**
 * `fake.ts`: the clientset's fake (client-gen's `fake` package), for users' unit tests: a clientset
 * of the same type whose requests an in-memory apiserver answers.
 */
export function emitFake(ctx: EmitContext, header: string, clientsetName = "Clientset"): string {
  const f = new FileBuilder("fake", ctx.resolve);
  const define = f.importValue("defineFakeClientset", ctx.runtime);
  const clientset = f.importValue(clientsetName, { module: "index" });
  const fakeName = `Fake${clientsetName}`;
  f.print(
    ...jsDoc([
      `A \`${clientsetName}\` whose requests an in-memory fake apiserver answers: same type, no cluster.`,
      "",
      "@example",
      `const clientset = new ${fakeName}({ objects: [configMap] });`,
      'clientset.prependReactor("create", "*", () => ({ error: new Error("injected") }));',
      "await runController(clientset);",
      'expect(clientset.actions().map((a) => a.verb)).toContain("update");',
    ]),
    // The patch metadata beside it lets the fake merge strategic merge patches as the apiserver does.
    // Its type is written out for the declarations, as the clientset's is (emitIndex).
    ...assignment(
      `export const ${fakeName}: ${f.importType("FakeClientsetClass", ctx.runtime)}<(typeof ${clientset})["groupVersions"]>`,
      `/*@__PURE__*/ ${define}(${clientset}, ${f.importValue("patchMeta", { module: "patch-meta" })});`,
    ),
    "",
    ...jsDoc([`An instance of \`${fakeName}\`.`]),
    `export type ${fakeName} = InstanceType<typeof ${fakeName}>;`,
  );
  return f.toString(header);
}
