/**
 * `--include` / `--exclude` on the model, the same for both front ends: patterns select
 * group-versions or single resources, and types stay whenever something kept still refers to them
 * (excluding `core/v1` must not leave `apps/v1`'s `PodTemplateSpec` dangling).
 */
import type { ApiModel, Module, Shape, TypeRef } from "../model/ir.js";
import { childShapes } from "../model/shapes.js";

/**
 * Resource selectors: `group`, `group/version` or `group/version/plural`, `core` naming the legacy
 * group and `*` matching any one segment: `apps`, `core/v1/pods`, `*` + `/v1alpha1` for every alpha1.
 */
export interface Filters {
  /** When not empty, only resources matching one of these are kept. */
  include?: string[];
  /** Resources matching one of these are dropped (after `include`). */
  exclude?: string[];
}

/** Whether a pattern selects a resource (or, with no plural, a whole group-version). */
export function matchesPattern(pattern: string, group: string, version: string, plural?: string): boolean {
  const wanted = pattern.split("/");
  const actual = [group || "core", version, plural];
  if (wanted.length > 3 || wanted.some((s) => s === "")) {
    throw new Error(
      `filter ${JSON.stringify(pattern)}: expected group, group/version or group/version/resource`,
    );
  }
  return wanted.every((segment, i) => segment === "*" || (actual[i] !== undefined && segment === actual[i]));
}

/**
 * Keeps the resources the filters select; group-versions left without resources serve no client.
 * A group-version kept whole keeps all its types; one narrowed to some resources keeps only what
 * those resources reach (asking for `core/v1/configmaps` must not bring every core type along).
 */
export function filterModel(model: ApiModel, filters: Filters): ApiModel {
  const include = filters.include ?? [];
  const exclude = filters.exclude ?? [];
  // Validate every pattern up front, even those that match nothing.
  for (const p of [...include, ...exclude]) matchesPattern(p, "", "");
  if (include.length === 0 && exclude.length === 0) return model;
  const roots: TypeRef[] = [];
  const modules = model.modules.map((m): Module => {
    const gv = m.groupVersion;
    if (!gv) return m;
    const keep = (plural: string) =>
      (include.length === 0 || include.some((p) => matchesPattern(p, gv.group, gv.version, plural))) &&
      !exclude.some((p) => matchesPattern(p, gv.group, gv.version, plural));
    const resources = m.resources.filter((r) => keep(r.plural));
    if (resources.length === m.resources.length) {
      for (const t of m.types) roots.push({ module: m.path, name: t.name });
      return m;
    }
    for (const r of resources) roots.push(r.objectType, r.listType);
    if (resources.length > 0) return { ...m, resources };
    const { groupVersion: _dropped, ...rest } = m;
    return { ...rest, resources: [] };
  });
  return { modules: pruneUnreachable(modules, roots) };
}

/**
 * Keeps only the types reachable from `roots` (by default every type of a group-version module),
 * and the modules that still serve resources or hold types. Iterative: chains of references may
 * be as long as the input.
 */
export function pruneUnreachable(modules: Module[], roots?: TypeRef[]): Module[] {
  const byName = new Map<string, Shape>();
  for (const m of modules) for (const t of m.types) byName.set(`${m.path}:${t.name}`, t.shape);
  const seen = new Set<string>();
  const pending: Shape[] = [];
  const visitRef = (ref: TypeRef) => {
    const key = `${ref.module}:${ref.name}`;
    if (seen.has(key)) return;
    seen.add(key);
    const shape = byName.get(key);
    if (shape) pending.push(shape);
  };
  const start =
    roots ??
    modules
      .filter((m) => m.groupVersion)
      .flatMap((m) => m.types.map((t) => ({ module: m.path, name: t.name })));
  for (const ref of start) visitRef(ref);
  while (pending.length) {
    const shape = pending.pop()!;
    if (shape.kind === "ref") visitRef(shape.ref);
    else for (const child of childShapes(shape)) pending.push(child);
  }
  return modules
    .map((m) => ({ ...m, types: m.types.filter((t) => seen.has(`${m.path}:${t.name}`)) }))
    .filter((m) => m.groupVersion || m.types.length > 0);
}
