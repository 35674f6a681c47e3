/**
 * Which keys of each `x-kubernetes-list-type: map` list an apply configuration must give: the
 * keys its item type requires. A key with a server-side default (a port's `protocol`) may be left
 * out, as the apiserver fills it in before merging; a required key (a container's `name`) may not.
 */
import type { ApiModel, Module, Shape, TypeDef } from "../model/ir.js";
import { childShapes } from "./filter.js";

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

/**
 * Rebuilds a shape bottom-up, applying `f` to every node after its children. Iterative: schemas
 * nest as deep as their authors like, and the stack must not grow with them.
 */
export function mapShapes(root: Shape, f: (shape: Shape) => Shape): Shape {
  type Frame = { shape: Shape; children: Shape[]; done: Shape[] };
  const rebuild = (shape: Shape, done: Shape[]): Shape => {
    switch (shape.kind) {
      case "array":
        return { ...shape, items: done[0]! };
      case "map":
        return { ...shape, values: done[0]! };
      case "nullable":
        return { ...shape, inner: done[0]! };
      case "union":
        return { ...shape, options: done };
      case "object":
      case "embeddedResource":
        return { ...shape, properties: shape.properties.map((p, i) => ({ ...p, shape: done[i]! })) };
      default:
        return shape;
    }
  };
  const stack: Frame[] = [{ shape: root, children: childShapes(root), done: [] }];
  let result: Shape = root;
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.done.length < top.children.length) {
      const child = top.children[top.done.length]!;
      stack.push({ shape: child, children: childShapes(child), done: [] });
      continue;
    }
    stack.pop();
    const built = f(rebuild(top.shape, top.done));
    const parent = stack[stack.length - 1];
    if (parent) parent.done.push(built);
    else result = built;
  }
  return result;
}
