/**
 * Walking the model's shapes: the children of a shape, and a bottom-up rebuild. Iterative where
 * depth is the input's to choose.
 */
import type { Shape } from "./ir.js";

/** The shapes directly inside a shape. */
export function childShapes(shape: Shape): Shape[] {
  switch (shape.kind) {
    case "array":
      return [shape.items];
    case "map":
      return [shape.values];
    case "nullable":
      return [shape.inner];
    case "union":
      return shape.options;
    case "object":
    case "embeddedResource":
      return shape.properties.map((p) => p.shape);
    default:
      return [];
  }
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
