/**
 * Identifiers from input names: the one place that turns a name read from a schema, a CRD or a
 * path into something the emitter may print as a TypeScript identifier. Pure string functions,
 * shared by the normalize and emit stages.
 */

/** `APIServices` → `apiServices`, `CSIDrivers` → `csiDrivers`, `Pods` → `pods`. */
export function lowerCamel(name: string): string {
  const acronym = name.match(/^[A-Z]+(?=[A-Z][a-z])/)?.[0] ?? name.match(/^[A-Z]+(?![a-z])/)?.[0];
  if (acronym) return acronym.toLowerCase() + name.slice(acronym.length);
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/**
 * The namespace-export name of a module path: `apps/v1` → `appsV1`, `apimachinery/intstr` →
 * `apimachineryIntstr`, `cert-manager.io/v1` → `certManagerIoV1`.
 */
export function clientNameOf(modulePath: string): string {
  const slash = modulePath.lastIndexOf("/");
  const [pkg, version] =
    slash < 0 ? [modulePath, ""] : [modulePath.slice(0, slash), modulePath.slice(slash + 1)];
  return safeIdentifier(lowerCamel(pascal(pkg)) + pascal(version));
}

const reserved = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    "as implements interface let package private protected public static yield any boolean number string symbol " +
    "type from of await async object unknown never undefined bigint keyof readonly declare abstract is infer"
  ).split(" "),
);

/** Globals a generated type must not shadow. */
const globals = new Set([
  "Object",
  "Array",
  "String",
  "Number",
  "Boolean",
  "Symbol",
  "Date",
  "Error",
  "Function",
  "Promise",
  "Map",
  "Set",
  "Record",
  "Partial",
  "Omit",
  "Pick",
]);

/** A valid identifier: keywords get a trailing `_`. */
export function safeIdentifier(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_$]/g, "_");
  if (/^[0-9]/.test(id)) id = `_${id}`;
  return reserved.has(id) ? `${id}_` : id;
}

/** A type name that is neither a keyword nor a global. */
export function safeTypeName(name: string): string {
  const id = safeIdentifier(name.charAt(0).toUpperCase() + name.slice(1));
  return globals.has(id) ? `${id}_` : id;
}

/** PascalCase of a property name, for nested type names (`spec` → `Spec`, `tls-config` → `TlsConfig`). */
export function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join("");
}

/** Whether a property name can be written bare. */
export function isIdentifierName(name: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name);
}
