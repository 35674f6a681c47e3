/**
 * CustomResourceDefinitions from YAML or JSON files and folders: multi-document files and `List`
 * wrappers included. Anything that is not an `apiextensions.k8s.io/v1` CustomResourceDefinition is
 * skipped with a warning naming the file and the document's index.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { compareStrings } from "../order.js";
import type { SchemaObject } from "./openapi-v3.js";

/** `spec.versions[i]` of a CustomResourceDefinition: the fields the generator reads. */
export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: SchemaObject };
  subresources?: { status?: object; scale?: object };
}

/** An `apiextensions.k8s.io/v1` CustomResourceDefinition: the fields the generator reads. */
export interface CustomResourceDefinition {
  apiVersion: "apiextensions.k8s.io/v1";
  kind: "CustomResourceDefinition";
  metadata: { name: string };
  spec: {
    group: string;
    names: {
      kind: string;
      plural: string;
      singular?: string;
      listKind?: string;
      shortNames?: string[];
      categories?: string[];
    };
    scope: "Namespaced" | "Cluster";
    versions: CrdVersion[];
  };
}

/** A CRD and where it came from. */
export interface LoadedCrd {
  /** `file` or `file#index` for multi-document files. */
  source: string;
  crd: CustomResourceDefinition;
}

async function manifestFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`--crd ${path}: ${err.code === "ENOENT" ? "no such file or folder" : err.message}`);
  });
  if (info.isFile()) return [path];
  const out: string[] = [];
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...(await manifestFiles(full)));
    else if (/\.(ya?ml|json)$/.test(entry.name)) out.push(full);
  }
  return out.sort();
}

export function isCrd(value: unknown): value is CustomResourceDefinition {
  const v = value as { apiVersion?: unknown; kind?: unknown } | null;
  return !!v && v.apiVersion === "apiextensions.k8s.io/v1" && v.kind === "CustomResourceDefinition";
}

/** Reads every CRD under the given paths; `warn` receives the skipped documents. */
export async function loadCrdFiles(paths: string[], warn: (message: string) => void): Promise<LoadedCrd[]> {
  const crds: LoadedCrd[] = [];
  for (const path of paths) {
    for (const file of await manifestFiles(path)) {
      const text = await readFile(file, "utf8");
      const documents = parseAllDocuments(text);
      const list = Array.isArray(documents) ? documents : [documents];
      list.forEach((doc, index) => {
        const error = doc.errors[0];
        if (error) {
          const line = error.linePos?.[0]?.line;
          throw new Error(
            `${file}${line ? `:${line}` : ""}: YAML error in document ${index}: ${error.message.split("\n")[0]}`,
          );
        }
        const value = doc.toJS() as unknown;
        if (value === null || value === undefined) return;
        const items =
          (value as { kind?: unknown }).kind === "List"
            ? ((value as { items?: unknown[] }).items ?? [])
            : [value];
        items.forEach((item, itemIndex) => {
          const where =
            list.length > 1 || items.length > 1
              ? `${file} document ${index}${items.length > 1 ? ` item ${itemIndex}` : ""}`
              : file;
          if (!isCrd(item)) {
            const v = item as { apiVersion?: unknown; kind?: unknown } | null;
            warn(
              `${where}: skipped ${String(v?.apiVersion ?? "?")} ${String(v?.kind ?? "?")}: not an apiextensions.k8s.io/v1 CustomResourceDefinition`,
            );
            return;
          }
          crds.push(checkedCrd(item, where));
        });
      });
    }
  }
  return sortCrds(crds);
}

/** CRDs in the order every front end sees them: by name, then by source. */
export function sortCrds(crds: LoadedCrd[]): LoadedCrd[] {
  return crds.sort(
    (a, b) => compareStrings(a.crd.metadata.name, b.crd.metadata.name) || compareStrings(a.source, b.source),
  );
}

/** A CRD with the fields the generator reads, or an error naming `where` and the field at fault. */
export function checkedCrd(item: CustomResourceDefinition, where: string): LoadedCrd {
  if (
    !item.spec?.group ||
    !item.spec.names?.kind ||
    !item.spec.names.plural ||
    !Array.isArray(item.spec.versions)
  ) {
    throw new Error(
      `${where}: CustomResourceDefinition ${item.metadata?.name ?? "?"} lacks spec.group, spec.names or spec.versions`,
    );
  }
  return { source: where, crd: item };
}
