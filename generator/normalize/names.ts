/**
 * Names: schema ids to module paths, plurals to accessors, group-versions to clientset members
 * (identifiers themselves are made safe in `model/identifiers.ts`).
 */
import { clientNameOf, lowerCamel, pascal, safeIdentifier } from "../model/identifiers.js";
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
