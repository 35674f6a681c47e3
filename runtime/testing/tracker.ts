/**
 * The fake apiserver's storage: objects by resource, namespace and name, with what the apiserver
 * does to them on the way in (names from `generateName`, uid, creationTimestamp, one increasing
 * resourceVersion, generation, optimistic concurrency, status kept apart, finalizers and
 * `deletionTimestamp`), selectors, and a history that watches replay from any resourceVersion.
 * Errors are `Status` objects worded as the apiserver words them.
 */

import { randomBytes, randomUUID } from "node:crypto";
import { jsonEqual } from "../core/json.js";
import { parseLabelSelector } from "../core/labels.js";
import type { KubeObject } from "../core/object.js";
import { getOwn } from "../core/own.js";
import type { ResourceDescriptor } from "../core/resource.js";
import type { Status } from "../errors.js";

/** What the tracker knows of a resource. */
export type TrackedResource = Pick<
  ResourceDescriptor,
  | "group"
  | "version"
  | "plural"
  | "kind"
  | "listKind"
  | "namespaced"
  | "subresources"
  | "verbs"
  | "strategicMergePatch"
  | "selectableFields"
>;

/** An error answer: the Status the apiserver would send. */
export class ApiStatus extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
}

function qualified(r: TrackedResource): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

function failure(code: number, reason: string, message: string, details?: Status["details"]): ApiStatus {
  return new ApiStatus({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    details,
    code,
  });
}

export const errors = {
  notFound: (r: TrackedResource, name: string) =>
    failure(404, "NotFound", `${qualified(r)} "${name}" not found`, {
      name,
      group: r.group || undefined,
      kind: r.plural,
    }),
  alreadyExists: (r: TrackedResource, name: string) =>
    failure(409, "AlreadyExists", `${qualified(r)} "${name}" already exists`, {
      name,
      group: r.group || undefined,
      kind: r.plural,
    }),
  conflict: (
    r: TrackedResource,
    name: string,
    why = "the object has been modified; please apply your changes to the latest version and try again",
  ) =>
    failure(409, "Conflict", `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${why}`, {
      name,
      group: r.group || undefined,
      kind: r.plural,
    }),
  invalid: (r: TrackedResource, name: string, field: string, message: string, type = "FieldValueRequired") =>
    failure(422, "Invalid", `${r.kind} "${name}" is invalid: ${field}: ${message}`, {
      name,
      group: r.group || undefined,
      kind: r.kind,
      causes: [{ reason: type, message, field }],
    }),
  badRequest: (message: string) => failure(400, "BadRequest", message),
  expired: (message: string) => failure(410, "Expired", message),
  methodNotAllowed: (message: string) => failure(405, "MethodNotAllowed", message),
};

/** One change, as a watch tells it. */
export interface Change {
  resourceVersion: number;
  resource: TrackedResource;
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: KubeObject;
  /** The object before the change (for MODIFIED), so selector watches can tell entering and leaving. */
  previous?: KubeObject;
}

/** A filter on objects: namespace, label selector, field selector. */
export interface Selection {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

const keyOf = (namespace: string | undefined, name: string) => (namespace ? `${namespace}/${name}` : name);
const resourceKey = (r: Pick<TrackedResource, "group" | "version" | "plural">) =>
  `${r.group}/${r.version}/${r.plural}`;
const nowRfc3339 = () => `${new Date().toISOString().slice(0, 19)}Z`;

/** The object without `metadata` and `status`: what a generation counts changes of. */
function specOf(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, ...rest } = obj as KubeObject & { status?: unknown };
  return rest;
}

/** A compiled field selector: `a.b=c,d!=e`. */
function fieldMatcher(resource: TrackedResource, selector: string | undefined): (obj: KubeObject) => boolean {
  if (!selector?.trim()) return () => true;
  const allowed = new Set(["metadata.name", "metadata.namespace", ...(resource.selectableFields ?? [])]);
  const terms = selector.split(",").map((term) => {
    const m = /^\s*([^!=\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(term);
    if (!m) throw errors.badRequest(`invalid field selector: ${JSON.stringify(term)}`);
    const [, path, op, value] = m as unknown as [string, string, string, string];
    if (!allowed.has(path))
      throw errors.badRequest(
        `"${path}" is not a known field selector: only ${[...allowed].map((f) => `"${f}"`).join(", ")}`,
      );
    return { path: path.split("."), negate: op === "!=", value };
  });
  return (obj) =>
    terms.every((t) => {
      let v: unknown = obj;
      for (const p of t.path) v = v && typeof v === "object" ? getOwn(v, p) : undefined;
      const text = v === undefined || v === null ? "" : String(v);
      return (text === t.value) !== t.negate;
    });
}

/** Compiles a selection into a predicate (throws the apiserver's 400 for a bad selector). */
export function selectionMatcher(
  resource: TrackedResource,
  selection: Selection,
): (obj: KubeObject) => boolean {
  let labels: ReturnType<typeof parseLabelSelector> | undefined;
  try {
    labels = selection.labelSelector ? parseLabelSelector(selection.labelSelector) : undefined;
  } catch (err) {
    throw errors.badRequest(`unable to parse requirement: ${(err as Error).message}`);
  }
  const fields = fieldMatcher(resource, selection.fieldSelector);
  const namespace = resource.namespaced ? selection.namespace : undefined;
  return (obj) =>
    (!namespace || obj.metadata?.namespace === namespace) &&
    (!labels || labels.matches(obj.metadata?.labels)) &&
    fields(obj);
}

/** Told each change the tracker stores. */
export type ChangeListener = (change: Change) => void;

/**
 * Sets `next.metadata.managedFields` as the field manager keeps them, from the stored object
 * (undefined for a create) and the one about to be stored.
 */
export type ManagedFieldsHook = (previous: KubeObject | undefined, next: KubeObject) => void;

/** Options of an {@link ObjectTracker}. */
export interface ObjectTrackerOptions {
  /** Changes kept for watches from an older resourceVersion (default 10,000); older ones answer 410. */
  historyLimit?: number;
}

/**
 * In-memory objects with the apiserver's bookkeeping. Objects go in and come out as copies, so a
 * caller never shares state with the store.
 */
export class ObjectTracker {
  readonly #resources = new Map<string, TrackedResource>();
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  readonly #history: Change[] = [];
  readonly #historyLimit: number;
  readonly #listeners = new Set<ChangeListener>();
  #resourceVersion = 1;
  #dryRun = false;
  // Changes at or below this resourceVersion are gone from the history.
  #compacted = 1;

  constructor(options: ObjectTrackerOptions = {}) {
    this.#historyLimit = options.historyLimit ?? 10_000;
  }

  /** Makes a resource known; known already is fine. */
  register(resource: TrackedResource): void {
    const key = resourceKey(resource);
    if (!this.#resources.has(key)) {
      this.#resources.set(key, resource);
      this.#objects.set(key, new Map());
    }
  }

  /** The known resources. */
  resources(): TrackedResource[] {
    return [...this.#resources.values()];
  }

  /** The resource named by group, version and plural, if known. */
  resource(group: string, version: string, plural: string): TrackedResource | undefined {
    return this.#resources.get(resourceKey({ group, version, plural }));
  }

  /** The resource whose objects have this apiVersion and kind. */
  resourceForKind(apiVersion: string, kind: string): TrackedResource | undefined {
    for (const r of this.#resources.values()) {
      const av = r.group ? `${r.group}/${r.version}` : r.version;
      if (av === apiVersion && r.kind === kind) return r;
    }
    return undefined;
  }

  /** The newest resourceVersion handed out. */
  get resourceVersion(): string {
    return String(this.#resourceVersion);
  }

  #bucket(r: TrackedResource): Map<string, KubeObject> {
    const bucket = this.#objects.get(resourceKey(r));
    if (!bucket) throw new Error(`tracker: ${qualified(r)} is not registered`);
    return bucket;
  }

  #record(resource: TrackedResource, type: Change["type"], object: KubeObject, previous?: KubeObject): void {
    const change: Change = { resourceVersion: this.#resourceVersion, resource, type, object, previous };
    this.#history.push(change);
    if (this.#history.length > this.#historyLimit) {
      const dropped = this.#history.splice(0, this.#history.length - this.#historyLimit);
      this.#compacted = dropped[dropped.length - 1]!.resourceVersion;
    }
    for (const listener of [...this.#listeners]) listener(change);
  }

  /**
   * Stores a change: a new resourceVersion, the object put in or taken out of its bucket, and the
   * change told to watchers. In a dry run, nothing: the object keeps the resourceVersion it had
   * (none for a create), as the apiserver answers a dry run.
   */
  #commit(
    r: TrackedResource,
    key: string,
    type: Change["type"],
    obj: KubeObject,
    previous?: KubeObject,
  ): KubeObject {
    if (this.#dryRun) {
      if (type === "ADDED" && obj.metadata) delete obj.metadata.resourceVersion;
      return structuredClone(obj);
    }
    this.#resourceVersion += 1;
    obj.metadata = { ...obj.metadata, resourceVersion: String(this.#resourceVersion) };
    const bucket = this.#bucket(r);
    if (type === "DELETED") bucket.delete(key);
    else bucket.set(key, obj);
    this.#record(r, type, obj, previous);
    return structuredClone(obj);
  }

  /**
   * Runs `writes` as a dry run (`dryRun=All`): they check and answer as usual, and change nothing:
   * no object stored or removed, no resourceVersion handed out, no watch event.
   */
  dryRun<T>(writes: () => T): T {
    const was = this.#dryRun;
    this.#dryRun = true;
    try {
      return writes();
    } finally {
      this.#dryRun = was;
    }
  }

  #typeMeta(r: TrackedResource, obj: KubeObject): KubeObject {
    return { ...obj, apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: r.kind };
  }

  /** The stored object, or a NotFound. */
  get(r: TrackedResource, namespace: string | undefined, name: string): KubeObject {
    const obj = this.#bucket(r).get(keyOf(r.namespaced ? namespace : undefined, name));
    if (!obj) throw errors.notFound(r, name);
    return structuredClone(obj);
  }

  /** The selected objects, sorted by namespace and name, and the resourceVersion of the list. */
  list(r: TrackedResource, selection: Selection): { items: KubeObject[]; resourceVersion: string } {
    const matches = selectionMatcher(r, selection);
    const items = [...this.#bucket(r).entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => o)
      .filter(matches)
      .map((o) => structuredClone(o));
    return { items, resourceVersion: this.resourceVersion };
  }

  /** Stores a new object: name from generateName, uid, creationTimestamp, resourceVersion, generation. */
  create(
    r: TrackedResource,
    namespace: string | undefined,
    input: KubeObject,
    manage?: ManagedFieldsHook,
  ): KubeObject {
    const obj = writeRules(r, this.#typeMeta(r, structuredClone(input)));
    const meta = { ...obj.metadata };
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    if (!meta.name)
      throw errors.invalid(r, "", "metadata.name", "Required value: name or generateName is required");
    if (r.namespaced) {
      const ns = namespace ?? meta.namespace;
      if (!ns)
        throw errors.badRequest(
          "the namespace of the provided object does not match the namespace sent on the request",
        );
      if (meta.namespace && namespace && meta.namespace !== namespace)
        throw errors.badRequest(
          "the namespace of the provided object does not match the namespace sent on the request",
        );
      meta.namespace = ns;
    } else delete meta.namespace;
    if (meta.resourceVersion)
      throw errors.badRequest("resourceVersion should not be set on objects to be created");
    const bucket = this.#bucket(r);
    const key = keyOf(meta.namespace, meta.name);
    if (bucket.has(key)) throw errors.alreadyExists(r, meta.name);
    meta.uid = randomUUID();
    meta.creationTimestamp = nowRfc3339();
    delete meta.deletionTimestamp;
    if (r.subresources.includes("status")) meta.generation = 1;
    else delete meta.generation;
    obj.metadata = meta;
    manage?.(undefined, obj);
    return this.#commit(r, key, "ADDED", obj);
  }

  /**
   * Replaces an object. `part` says what may change: the main resource (its status kept as stored
   * where the resource has a status subresource) or only the status. A resourceVersion other than
   * the stored one is a Conflict; none means "whatever is stored".
   */
  update(
    r: TrackedResource,
    namespace: string | undefined,
    input: KubeObject,
    part: "main" | "status" = "main",
    manage?: ManagedFieldsHook,
  ): KubeObject {
    const name = input.metadata?.name;
    if (!name) throw errors.invalid(r, "", "metadata.name", "Required value: name is required");
    const bucket = this.#bucket(r);
    const key = keyOf(r.namespaced ? (namespace ?? input.metadata?.namespace) : undefined, name);
    const stored = bucket.get(key);
    if (!stored) throw errors.notFound(r, name);
    const rv = input.metadata?.resourceVersion;
    if (rv && rv !== stored.metadata?.resourceVersion) throw errors.conflict(r, name);
    const incoming = writeRules(r, this.#typeMeta(r, structuredClone(input))) as KubeObject & {
      status?: unknown;
    };
    let next: KubeObject & { status?: unknown };
    const hasStatus = r.subresources.includes("status");
    if (part === "status") {
      // Only the status changes; the rest stays as stored.
      next = { ...structuredClone(stored), status: incoming.status };
      // ...and the managedFields a status write records, when it gives them.
      if (incoming.metadata?.managedFields !== undefined)
        next.metadata = { ...next.metadata, managedFields: incoming.metadata.managedFields };
      if (incoming.status === undefined) delete next.status;
    } else {
      next = incoming;
      if (hasStatus) {
        const status = (stored as { status?: unknown }).status;
        if (status === undefined) delete next.status;
        else next.status = structuredClone(status);
      }
    }
    // What the server owns stays as stored.
    const was = stored.metadata ?? {};
    next.metadata = {
      ...next.metadata,
      name: was.name,
      namespace: was.namespace,
      uid: was.uid,
      creationTimestamp: was.creationTimestamp,
      deletionTimestamp: was.deletionTimestamp,
      generation: was.generation,
      resourceVersion: was.resourceVersion,
      // An update without managedFields keeps them (the apiserver resets them only when given).
      managedFields: next.metadata?.managedFields ?? was.managedFields,
    };
    if (next.metadata.managedFields === undefined) delete next.metadata.managedFields;
    if (next.metadata.deletionTimestamp === undefined) delete next.metadata.deletionTimestamp;
    if (next.metadata.generation === undefined) delete next.metadata.generation;
    if (next.metadata.namespace === undefined) delete next.metadata.namespace;
    if (hasStatus && part === "main" && !jsonEqual(specOf(stored), specOf(next)))
      next.metadata.generation = (was.generation ?? 0) + 1;
    manage?.(stored, next);
    // An update that changes nothing is no change: no new resourceVersion, no event.
    if (jsonEqual(stored, next)) return structuredClone(stored);
    // The last finalizer gone from an object being deleted: now it is deleted.
    if (was.deletionTimestamp && !next.metadata.finalizers?.length)
      return this.#commit(r, key, "DELETED", next, stored);
    return this.#commit(r, key, "MODIFIED", next, stored);
  }

  /**
   * Deletes an object: at once without finalizers; with them, it only gets a
   * `deletionTimestamp` and goes when the last finalizer is removed. Preconditions as DeleteOptions.
   */
  delete(
    r: TrackedResource,
    namespace: string | undefined,
    name: string,
    preconditions: { uid?: string; resourceVersion?: string } = {},
  ): { object: KubeObject; deleted: boolean } {
    const bucket = this.#bucket(r);
    const key = keyOf(r.namespaced ? namespace : undefined, name);
    const stored = bucket.get(key);
    if (!stored) throw errors.notFound(r, name);
    // The apiserver names the kind here, not the resource.
    if (preconditions.uid && preconditions.uid !== stored.metadata?.uid)
      throw failure(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${r.kind} "${name}": the UID in the precondition (${preconditions.uid}) does not match the UID in record (${stored.metadata?.uid}). The object might have been deleted and then recreated`,
        { name, group: r.group || undefined, kind: r.kind },
      );
    if (preconditions.resourceVersion && preconditions.resourceVersion !== stored.metadata?.resourceVersion)
      throw failure(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${r.kind} "${name}": the ResourceVersion in the precondition (${preconditions.resourceVersion}) does not match the ResourceVersion in record (${stored.metadata?.resourceVersion}). The object might have been modified`,
        { name, group: r.group || undefined, kind: r.kind },
      );
    if (stored.metadata?.finalizers?.length) {
      if (stored.metadata.deletionTimestamp) return { object: structuredClone(stored), deleted: false };
      const next = structuredClone(stored);
      next.metadata = { ...next.metadata, deletionTimestamp: nowRfc3339() };
      (next.metadata as { deletionGracePeriodSeconds?: number }).deletionGracePeriodSeconds = 0;
      return { object: this.#commit(r, key, "MODIFIED", next, stored), deleted: false };
    }
    return { object: this.#commit(r, key, "DELETED", structuredClone(stored), stored), deleted: true };
  }

  /**
   * Calls `listener` with each change after `resourceVersion` still in the history, then with
   * each new one, until the returned function is called. A resourceVersion older than the history
   * is a 410 Expired, as the apiserver answers.
   */
  subscribe(resourceVersion: number, listener: ChangeListener): () => void {
    if (resourceVersion < this.#compacted)
      throw errors.expired(`too old resource version: ${resourceVersion} (${this.#compacted})`);
    const replay = this.#history.filter((c) => c.resourceVersion > resourceVersion);
    for (const change of replay) listener(change);
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Forgets the history so far: watches from older resourceVersions get 410 (etcd's compaction). */
  compact(): void {
    this.#history.length = 0;
    this.#compacted = this.#resourceVersion;
  }
}

/**
 * What the apiserver does to every write: empty metadata maps and lists are dropped, and a
 * Secret's `stringData` is merged into `data` (base64) and never stored.
 */
function writeRules(r: TrackedResource, obj: KubeObject): KubeObject {
  // ObjectMeta's maps and lists are `omitempty`: the apiserver stores none empty, for any kind.
  const meta = obj.metadata as Record<string, unknown> | undefined;
  if (meta)
    for (const field of ["labels", "annotations", "finalizers", "ownerReferences"]) {
      const value = meta[field];
      if (value && typeof value === "object" && Object.keys(value).length === 0) delete meta[field];
    }
  if (r.group === "" && r.plural === "secrets") {
    const secret = obj as KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> };
    if (secret.stringData) {
      const data = { ...secret.data };
      for (const [k, v] of Object.entries(secret.stringData))
        data[k] = Buffer.from(v, "utf8").toString("base64");
      secret.data = data;
      delete secret.stringData;
    }
  }
  return obj;
}

/** Five characters as the apiserver appends to a `generateName` (no vowels, no ambiguous digits). */
function randomSuffix(): string {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  const bytes = randomBytes(5);
  let out = "";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}
