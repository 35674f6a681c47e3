/**
 * CustomResourceDefinitions from YAML or JSON files and folders: multi-document files and `List`
 * wrappers included. Anything that is not an `apiextensions.k8s.io/v1` CustomResourceDefinition is
 * skipped with a warning naming the file and the document's index.
 */
import { readFile } from "node:fs/promises";
import { parseAllDocuments } from "yaml";
import { filesUnder } from "../files.js";
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
  /** Fields a field selector may name besides `metadata.name` and `metadata.namespace`. */
  selectableFields?: { jsonPath: string }[];
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

export function isCrd(value: unknown): value is CustomResourceDefinition {
  const v = value as { apiVersion?: unknown; kind?: unknown } | null;
  return !!v && v.apiVersion === "apiextensions.k8s.io/v1" && v.kind === "CustomResourceDefinition";
}

/**
 * The documents of a manifest file as plain values. JSON files are parsed as JSON (no depth limit
 * of a recursive parser); YAML with aliases capped, so an alias bomb is an error, not a hang.
 * Errors name the file and line, never a value.
 */
function documentsOf(file: string, text: string): unknown[] {
  if (file.endsWith(".json")) {
    try {
      return [JSON.parse(text)];
    } catch (err) {
      throw new Error(`${file}: not valid JSON (${(err as Error).message.split("\n")[0]})`);
    }
  }
  try {
    return parseAllDocuments(text).map((doc, index) => {
      const error = doc.errors[0];
      if (error) {
        const line = error.linePos?.[0]?.line;
        throw new Error(
          `${file}${line ? `:${line}` : ""}: YAML error in document ${index}: ${error.message.split("\n")[0]}`,
        );
      }
      return doc.toJS({ maxAliasCount: 1000 }) as unknown;
    });
  } catch (err) {
    if (err instanceof RangeError) throw new Error(`${file}: YAML nested too deeply to read`);
    const message = (err as Error).message;
    if (message.startsWith(file)) throw err;
    throw new Error(`${file}: YAML error: ${message.split("\n")[0]}`);
  }
}

/** Reads every CRD under the given paths; `warn` receives the skipped documents. */
export async function loadCrdFiles(paths: string[], warn: (message: string) => void): Promise<LoadedCrd[]> {
  const crds: LoadedCrd[] = [];
  for (const path of paths) {
    for (const file of await filesUnder(path, /\.(ya?ml|json)$/)) {
      const text = await readFile(file, "utf8");
      const list = documentsOf(file, text);
      list.forEach((value, index) => {
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

/**
 * A CRD with the fields the generator reads, each checked against the apiserver's own rules (a
 * DNS subdomain with a dot for the group, DNS-1035 labels for versions, plural, singular, short
 * names and categories, and for kinds once lowercased), or an error naming `where` and the JSON
 * pointer at fault. Input names become paths and identifiers; nothing else may get that far.
 */
export function checkedCrd(item: CustomResourceDefinition, where: string): LoadedCrd {
  const fail = (pointer: string, message: string): never => {
    throw new Error(`${where} at ${pointer}: ${message}`);
  };
  const value = item as unknown as Record<string, unknown>;
  const metadata = value.metadata as Record<string, unknown> | undefined;
  if (typeof metadata?.name !== "string" || metadata.name === "")
    fail("/metadata/name", "a CRD needs a name");
  const spec = value.spec as Record<string, unknown> | undefined;
  if (!spec || typeof spec !== "object") return fail("/spec", "a CRD needs a spec");
  const group = spec.group;
  if (typeof group !== "string" || !isDnsSubdomain(group) || !group.includes(".")) {
    fail("/spec/group", `${show(group)} is not a DNS subdomain with at least one dot`);
  }
  if (spec.scope !== "Namespaced" && spec.scope !== "Cluster") {
    fail("/spec/scope", `${show(spec.scope)} is neither Namespaced nor Cluster`);
  }
  const names = spec.names as Record<string, unknown> | undefined;
  if (!names || typeof names !== "object") return fail("/spec/names", "a CRD needs names");
  const label = (key: string, required: boolean, lower = false) => {
    const v = names[key];
    if (v === undefined && !required) return;
    if (typeof v !== "string" || !isDns1035Label(lower ? v.toLowerCase() : v)) {
      fail(`/spec/names/${key}`, `${show(v)} is not a DNS-1035 label${lower ? " once lowercased" : ""}`);
    }
  };
  label("plural", true);
  label("singular", false);
  label("kind", true, true);
  label("listKind", false, true);
  for (const key of ["shortNames", "categories"]) {
    const list = names[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) fail(`/spec/names/${key}`, "expected a list");
    (list as unknown[]).forEach((v, i) => {
      if (typeof v !== "string" || !isDns1035Label(v))
        fail(`/spec/names/${key}/${i}`, `${show(v)} is not a DNS-1035 label`);
    });
  }
  if (!Array.isArray(spec.versions) || spec.versions.length === 0)
    fail("/spec/versions", "expected a non-empty list");
  for (const [i, v] of (spec.versions as unknown[]).entries()) {
    const version = v as Record<string, unknown> | null;
    if (!version || typeof version !== "object") fail(`/spec/versions/${i}`, "expected an object");
    if (!version) continue;
    if (typeof version.name !== "string" || !isDns1035Label(version.name)) {
      fail(`/spec/versions/${i}/name`, `${show(version.name)} is not a DNS-1035 label`);
    }
    for (const flag of ["served", "storage", "deprecated"]) {
      if (version[flag] !== undefined && typeof version[flag] !== "boolean")
        fail(`/spec/versions/${i}/${flag}`, `expected true or false, found ${show(version[flag])}`);
    }
    checkSelectableFields(version.selectableFields, `/spec/versions/${i}/selectableFields`, fail);
    const schema = (version.schema as Record<string, unknown> | undefined)?.openAPIV3Schema;
    if (schema !== undefined && (schema === null || typeof schema !== "object" || Array.isArray(schema)))
      fail(`/spec/versions/${i}/schema/openAPIV3Schema`, "expected a schema object");
  }
  return { source: where, crd: item };
}

/**
 * `selectableFields`: at most 8, each a `jsonPath` of plain field names (`.spec.issuerRef.name`),
 * once, as the apiserver's CRD validation requires. The path becomes a field selector name.
 */
function checkSelectableFields(
  value: unknown,
  pointer: string,
  fail: (pointer: string, message: string) => never,
): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) fail(pointer, "expected a list");
  const list = value as unknown[];
  if (list.length > 8) fail(pointer, `at most 8 selectable fields, found ${list.length}`);
  const seen = new Set<string>();
  list.forEach((entry, i) => {
    const path = (entry as { jsonPath?: unknown } | null)?.jsonPath;
    if (typeof path !== "string" || !/^(\.[A-Za-z_$][A-Za-z0-9_$-]*)+$/.test(path) || path.length > 256)
      fail(`${pointer}/${i}/jsonPath`, `${show(path)} is not a simple path of field names`);
    if (seen.has(path as string)) fail(`${pointer}/${i}/jsonPath`, `${show(path)} is listed twice`);
    seen.add(path as string);
  });
}

/** At most 40 characters of a value, as JSON: enough to recognise it, never a dump. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Kubernetes' `IsDNS1123Subdomain`. */
export function isDnsSubdomain(value: string): boolean {
  return (
    value.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(value)
  );
}

/** Kubernetes' `IsDNS1035Label`. */
export function isDns1035Label(value: string): boolean {
  return value.length <= 63 && /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(value);
}
