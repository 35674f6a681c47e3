/**
 * Compile-checks generated files in memory with ts-morph: the files are added to a project under a
 * virtual folder inside the repository (never written), `kubegen` and `kubegen/kubernetes/*` map to
 * the repository's runtime and built-in tree, and the answer is the list of diagnostics as text.
 * The same project gives the declarations `tsc --declaration` writes, and what an editor shows on hover.
 */
import { join, resolve } from "node:path";
import { ModuleKind, ModuleResolutionKind, Project, ScriptTarget, ts } from "ts-morph";

const repo = resolve(import.meta.dirname, "../../..");

function projectOf(trees: Record<string, ReadonlyMap<string, string>>, declaration = false): Project {
  const project = new Project({
    compilerOptions: {
      strict: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      noEmit: !declaration,
      declaration,
      target: ScriptTarget.ES2022,
      lib: ["lib.es2023.d.ts"],
      module: ModuleKind.NodeNext,
      moduleResolution: ModuleResolutionKind.NodeNext,
      types: ["node"],
      typeRoots: [join(repo, "node_modules/@types")],
      baseUrl: repo,
      paths: {
        kubegen: ["runtime/index.ts"],
        "kubegen/kubernetes/*": ["generated/kubernetes/*"],
      },
    },
    skipAddingFilesFromTsConfig: true,
  });
  for (const [root, files] of Object.entries(trees)) {
    for (const [path, text] of files) {
      project.createSourceFile(join(repo, "test/generator/.virtual", root, path), text, { overwrite: true });
    }
  }
  return project;
}

/** `tsc --strict` diagnostics of the given trees (`root → path → contents`); empty when they compile. */
export function compileDiagnostics(trees: Record<string, ReadonlyMap<string, string>>): string[] {
  const project = projectOf(trees);
  const diagnostics = project.getPreEmitDiagnostics();
  return diagnostics.map((d) => {
    const file = d.getSourceFile()?.getFilePath().replace(`${repo}/`, "") ?? "";
    // The compiler's own message: ts-morph wraps message chains, which flatten would not read.
    const message = ts.flattenDiagnosticMessageText(d.compilerObject.messageText, "\n");
    return `${file}:${d.getLineNumber() ?? 0}: ${message}`;
  });
}

/** The declarations (`.d.ts`) `tsc --declaration` writes for one tree, by the tree's paths. */
export function declarationsOf(files: ReadonlyMap<string, string>): Map<string, string> {
  const project = projectOf({ tree: files }, true);
  const root = join(repo, "test/generator/.virtual/tree/");
  const out = new Map<string, string>();
  for (const path of files.keys()) {
    const result = project.emitToMemory({
      targetSourceFile: project.getSourceFileOrThrow(join(root, path)),
      emitOnlyDtsFiles: true,
    });
    for (const file of result.getFiles()) out.set(file.filePath.replace(root, ""), file.text);
  }
  return out;
}

/**
 * What an editor shows on hovering `word` (its first occurrence) in `program`, a file added beside
 * the given tree: the symbol's text and its documentation.
 */
export function hoverIn(files: ReadonlyMap<string, string>, program: string, word: string): string {
  const project = projectOf({ hover: new Map([...files, ["program.ts", program]]) });
  const file = join(repo, "test/generator/.virtual/hover/program.ts");
  const info = project
    .getLanguageService()
    .compilerObject.getQuickInfoAtPosition(file, program.indexOf(word));
  return `${ts.displayPartsToString(info?.displayParts)}\n${ts.displayPartsToString(info?.documentation)}`;
}
