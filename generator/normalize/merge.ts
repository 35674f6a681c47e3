/**
 * Joins the models of both front ends into one (OpenAPI documents and CRD files may be given
 * together). A group-version may come from one input only: two definitions of `widgets` would
 * otherwise race for the same accessor.
 */
import type { ApiModel } from "../model/ir.js";
import { compareStrings } from "../order.js";
import { pruneUnreachable } from "./filter.js";
import { assignClientNames } from "./names.js";

/** One model from several; throws naming the group-version given twice. */
export function mergeModels(...models: ApiModel[]): ApiModel {
  const served = new Map<string, string>();
  const paths = new Set<string>();
  for (const model of models) {
    for (const m of model.modules) {
      if (paths.has(m.path))
        throw new Error(`module ${m.path} comes from two inputs (${m.source}); give it once`);
      paths.add(m.path);
      if (!m.groupVersion) continue;
      const gv = `${m.groupVersion.group || "core"}/${m.groupVersion.version}`;
      const other = served.get(gv);
      if (other)
        throw new Error(`group-version ${gv} is in two inputs (${other}; ${m.source}); give it once`);
      served.set(gv, m.source);
    }
  }
  const modules = models.flatMap((m) => m.modules).sort((a, b) => compareStrings(a.path, b.path));
  // Client names are chosen across every input: a CRD group's first label may be a built-in's.
  return assignClientNames({ modules: pruneUnreachable(modules) });
}
