// The API reference (`npm run docs`): the runtime and the built-in clientset, from their JSDoc.
// Warnings are errors, so a broken {@link}, an unexported type in the API or an unknown tag fails.
import { OptionDefaults } from "typedoc";

/** @type {Partial<import("typedoc").TypeDocOptions>} */
export default {
  name: "kubegen",
  entryPoints: ["runtime/index.ts", "generated/kubernetes/index.ts"],
  out: "dist/docs/api",
  tsconfig: "tsconfig.json",
  readme: "none",
  excludePrivate: true,
  excludeInternal: true,
  // No git remote to link sources to; the reference stands on its own.
  disableSources: true,
  // Generated types say which OpenAPI schema they come from.
  blockTags: [...OptionDefaults.blockTags, "@generated"],
  // The phantom key of `ListMap`: a type-level brand with no value to document.
  intentionallyNotExported: ["listMapKeys"],
  treatWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, invalidPath: true, notDocumented: false },
};
