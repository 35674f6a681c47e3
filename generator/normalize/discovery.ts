/**
 * What discovery says of the resources a server really serves: verbs, short names and
 * categories. The OpenAPI documents lack the last two, and a CRD group's document lists no watch
 * paths although the apiserver serves watch; discovery is the source client-go's RESTMapper and
 * kubectl trust, so a live cluster's descriptors take these fields from it.
 */
import type { ApiModel, Module, Verb } from "../model/ir.js";
import { compareStrings } from "../order.js";

/** One resource as discovery lists it (`metav1.APIResource` of a group-version, subresources left out). */
export interface DiscoveredResource {
  group: string;
  version: string;
  plural: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

const knownVerbs = new Set<string>([
  "create",
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "update",
  "watch",
] satisfies Verb[]);

/** The model with each resource's verbs, short names and categories as discovery lists them. */
export function applyDiscovery(model: ApiModel, discovered: DiscoveredResource[]): ApiModel {
  const byKey = new Map(discovered.map((d) => [`${d.group}/${d.version}/${d.plural}`, d]));
  const modules = model.modules.map((m): Module => {
    const gv = m.groupVersion;
    if (!gv) return m;
    const resources = m.resources.map((r) => {
      const found = byKey.get(`${gv.group}/${gv.version}/${r.plural}`);
      if (!found) return r;
      const verbs = found.verbs.filter((v): v is Verb => knownVerbs.has(v)).sort(compareStrings);
      return {
        ...r,
        verbs: [...new Set(verbs)],
        shortNames: [...(found.shortNames ?? [])],
        categories: [...(found.categories ?? [])],
      };
    });
    return { ...m, resources };
  });
  return { modules };
}
