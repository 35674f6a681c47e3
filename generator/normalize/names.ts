/**
 * Names: schema ids to module paths, plurals to accessors, group-versions to clientset members,
 * and identifiers that are safe in TypeScript.
 */
import type { ApiModel, Module } from "../model/ir.js";

/**
 * The module of an OpenAPI schema id, client-go style: the package's last two segments
 * (`io.k8s.api.rbac.v1.Role` → `rbac/v1`, `io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta` →
 * `meta/v1`). The other apimachinery packages have no version and are shared by every group, so
 * each gets one module of its own under `apimachinery/`, named after its Go package:
 * `resource.Quantity` → `apimachinery/resource`, `intstr.IntOrString` → `apimachinery/intstr`,
 * `runtime.RawExtension` → `apimachinery/runtime`, `version.Info` → `apimachinery/version`.
 */
export function moduleOfSchemaId(id: string): { module: string; name: string } {
  const parts = id.split(".");
  const name = parts.pop()!;
  const machinery = "io.k8s.apimachinery.pkg.";
  if (id.startsWith(machinery) && !id.startsWith(`${machinery}apis.meta.v1.`)) {
    return { module: `apimachinery/${parts.at(-1)}`, name };
  }
  const version = parts.pop();
  const pkg = parts.pop();
  if (!version || !pkg) return { module: "other", name };
  return { module: `${pkg}/${version}`, name };
}

/** `alpha`, `beta` or `stable`, from a Kubernetes version string. */
export function stabilityOf(version: string): "alpha" | "beta" | "stable" {
  if (/alpha/.test(version)) return "alpha";
  if (/beta/.test(version)) return "beta";
  return "stable";
}

/** `HorizontalPodAutoscaler` + `horizontalpodautoscalers` → `horizontalPodAutoscalers`. */
export function accessorName(kind: string, plural: string): string {
  const lowerKind = kind.toLowerCase();
  let common = 0;
  while (common < plural.length && common < lowerKind.length && plural[common] === lowerKind[common])
    common++;
  return safeIdentifier(lowerCamel(kind.slice(0, common) + plural.slice(common)));
}

/** `APIServices` → `apiServices`, `CSIDrivers` → `csiDrivers`, `Pods` → `pods`. */
export function lowerCamel(name: string): string {
  const acronym = name.match(/^[A-Z]+(?=[A-Z][a-z])/)?.[0] ?? name.match(/^[A-Z]+(?![a-z])/)?.[0];
  if (acronym) return acronym.toLowerCase() + name.slice(acronym.length);
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/**
 * The namespace-export name of a module path: `apps/v1` → `appsV1`, `apimachinery/intstr` →
 * `apimachineryIntstr`, `cert-manager.io/v1` → `certManagerIoV1`.
 */
export function clientNameOf(modulePath: string): string {
  const slash = modulePath.lastIndexOf("/");
  const [pkg, version] =
    slash < 0 ? [modulePath, ""] : [modulePath.slice(0, slash), modulePath.slice(slash + 1)];
  return safeIdentifier(lowerCamel(pascal(pkg)) + pascal(version));
}

/**
 * Names every group-version's clientset member (and namespace export), the same rule for every
 * input: modules on short paths (`apps/v1`, `rbac/v1`) take `clientNameOf(path)`; a group on full
 * paths takes its first label (`cert-manager.io/v1` → `certManagerV1`) unless another group wants
 * that prefix too, in which case all its versions take the whole group
 * (`apiextensions.crossplane.io/v1` → `apiextensionsCrossplaneIoV1`, beside the built-in
 * `apiextensionsV1`); a name still taken gets a number. The modules never print these names.
 */
export function assignClientNames(model: ApiModel): ApiModel {
  const fullGroup = (m: Module) => m.path.split("/")[0]!.includes(".");
  const prefixOf = (m: Module) =>
    fullGroup(m) && m.groupVersion
      ? lowerCamel(pascal(m.groupVersion.group.split(".")[0] ?? ""))
      : lowerCamel(pascal(m.path.split("/")[0] ?? ""));
  const groupsByPrefix = new Map<string, Set<string>>();
  for (const m of model.modules) {
    const prefix = prefixOf(m);
    const owner = m.groupVersion && fullGroup(m) ? m.groupVersion.group : `module ${m.path.split("/")[0]}`;
    groupsByPrefix.set(prefix, (groupsByPrefix.get(prefix) ?? new Set()).add(owner));
  }
  const taken = new Set(
    model.modules.filter((m) => !m.groupVersion || !fullGroup(m)).map((m) => clientNameOf(m.path)),
  );
  const modules = model.modules.map((m): Module => {
    if (!m.groupVersion) return m;
    if (!fullGroup(m)) return { ...m, groupVersion: { ...m.groupVersion, clientName: clientNameOf(m.path) } };
    const prefix = prefixOf(m);
    const base = safeIdentifier(
      (groupsByPrefix.get(prefix)!.size === 1 ? prefix : lowerCamel(pascal(m.groupVersion.group))) +
        pascal(m.groupVersion.version),
    );
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
    taken.add(name);
    return { ...m, groupVersion: { ...m.groupVersion, clientName: name } };
  });
  return { modules };
}

const reserved = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    "as implements interface let package private protected public static yield any boolean number string symbol " +
    "type from of await async object unknown never undefined bigint keyof readonly declare abstract is infer"
  ).split(" "),
);

/** Globals a generated type must not shadow. */
const globals = new Set([
  "Object",
  "Array",
  "String",
  "Number",
  "Boolean",
  "Symbol",
  "Date",
  "Error",
  "Function",
  "Promise",
  "Map",
  "Set",
  "Record",
  "Partial",
  "Omit",
  "Pick",
]);

/** A valid identifier: keywords get a trailing `_`. */
export function safeIdentifier(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_$]/g, "_");
  if (/^[0-9]/.test(id)) id = `_${id}`;
  return reserved.has(id) ? `${id}_` : id;
}

/** A type name that is neither a keyword nor a global. */
export function safeTypeName(name: string): string {
  const id = safeIdentifier(name.charAt(0).toUpperCase() + name.slice(1));
  return globals.has(id) ? `${id}_` : id;
}

/** PascalCase of a property name, for nested type names (`spec` → `Spec`, `tls-config` → `TlsConfig`). */
export function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join("");
}

/** Whether a property name can be written bare. */
export function isIdentifierName(name: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name);
}
