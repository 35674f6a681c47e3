/**
 * Which keys of each `x-kubernetes-list-type: map` list an apply configuration must give: the
 * keys its item type requires. A key with a server-side default (a port's `protocol`) may be left
 * out, as the apiserver fills it in before merging; a required key (a container's `name`) may not.
 */
import type { ApiModel, Module, Shape, TypeDef } from "../model/ir.js";
import { mapShapes } from "../model/shapes.js";

/** The model with each list-map's keys narrowed to those its item type requires. */
export function narrowListMapKeys(model: ApiModel): ApiModel {
  const types = new Map<string, TypeDef>();
  for (const m of model.modules) for (const t of m.types) types.set(`${m.path}:${t.name}`, t);
  const requiredOf = (items: Shape): Set<string> => {
    let shape = items;
    if (shape.kind === "nullable") shape = shape.inner;
    if (shape.kind === "ref") shape = types.get(`${shape.ref.module}:${shape.ref.name}`)?.shape ?? shape;
    if (shape.kind !== "object") return new Set();
    return new Set(shape.properties.filter((p) => p.required).map((p) => p.name));
  };
  const narrow = (root: Shape): Shape =>
    mapShapes(root, (shape) => {
      if (shape.kind !== "array" || !shape.listMapKeys) return shape;
      const required = requiredOf(shape.items);
      const keys = shape.listMapKeys.filter((k) => required.has(k));
      const { listMapKeys: _all, ...rest } = shape;
      return keys.length ? { ...rest, listMapKeys: keys } : rest;
    });
  return {
    modules: model.modules.map(
      (m): Module => ({ ...m, types: m.types.map((t) => ({ ...t, shape: narrow(t.shape) })) }),
    ),
  };
}
