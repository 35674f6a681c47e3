/**
 * Fake clientsets, as client-gen's `fake` package: a clientset of exactly the real one's type over
 * a {@link FakeApiServer}, for unit tests of code written on kubegen with no cluster at all.
 */

import { parseAllDocuments } from "yaml";
import type { AnyGroups, ClientsetClass, ClientsetOf } from "../clients/group.js";
import type { KubeObject } from "../core/object.js";
import type { PatchMeta } from "../core/patch-meta.js";
import type { ResourceDescriptor } from "../core/resource.js";
import { fakeHttpClient } from "./dispatcher.js";
import { type Action, FakeApiServer, type FakeApiServerOptions, type Reactor } from "./fake-apiserver.js";

/** Options of a fake clientset. */
export interface FakeClientsetOptions extends Omit<FakeApiServerOptions, "resources"> {
  /** Resources served besides the clientset's own (e.g. a CRD clientset's, to share one fake). */
  resources?: FakeApiServerOptions["resources"];
  /** The objects to start with (client-go's `NewSimpleClientset(objects...)`). */
  objects?: readonly KubeObject[];
  /** More objects to start with, as YAML documents (`---` between them; `kind: List` unpacked). */
  yaml?: string;
}

/** The objects of YAML text: each document, and the items of a `List`. */
export function objectsFromYaml(text: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new SyntaxError(`fake clientset: YAML: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    if (typeof value !== "object" || Array.isArray(value))
      throw new TypeError("fake clientset: each YAML document must be a Kubernetes object");
    const obj = value as KubeObject & { items?: unknown };
    if (obj.kind === "List" && Array.isArray(obj.items)) out.push(...(obj.items as KubeObject[]));
    else out.push(obj);
  }
  return out;
}

/** What a fake clientset adds to the real one's interface. */
export interface FakeClientsetExtras {
  /** The fake apiserver behind it: its tracker, reactors and actions. */
  readonly fake: FakeApiServer;
  /** Runs `reactor` first for matching actions (`"*"` matches any verb or resource). */
  prependReactor(verb: string, resource: string, reactor: Reactor): void;
  /** Every action (request) made so far. */
  actions(): Action[];
}

/** The class {@link defineFakeClientset} returns. */
export interface FakeClientsetClass<G extends AnyGroups> {
  new (options?: FakeClientsetOptions): ClientsetOf<G> & FakeClientsetExtras;
  /** The resources the fake serves. */
  readonly resources: readonly ResourceDescriptor[];
}

/** Every resource of a clientset. */
export function resourcesOf(clientset: { groupVersions: AnyGroups }): ResourceDescriptor[] {
  return Object.values(clientset.groupVersions).flatMap((gv) => Object.values(gv.resources));
}

/**
 * Declares the fake of a clientset. An instance is a real clientset (its type is the clientset's,
 * so it goes wherever one is expected) whose requests a fake apiserver answers in memory.
 * `patchMeta`, the generated `patch-meta.ts` beside the clientset, lets the fake apply strategic
 * merge patches as the apiserver does (lists merged by key); without it they are refused (415).
 *
 * @example
 * export const FakeClientset = defineFakeClientset(Clientset, patchMeta);
 * const clientset = new FakeClientset({ objects: [pod] });
 * await clientset.coreV1.pods("default").list();
 */
export function defineFakeClientset<const G extends AnyGroups>(
  clientset: ClientsetClass<G>,
  patchMeta?: PatchMeta,
): FakeClientsetClass<G> {
  const resources = resourcesOf(clientset);
  const Base = clientset as unknown as new (http: ReturnType<typeof fakeHttpClient>) => object;
  class FakeClientset extends Base implements FakeClientsetExtras {
    static readonly resources = resources;
    readonly fake: FakeApiServer;
    constructor(options: FakeClientsetOptions = {}) {
      const objects = [...(options.objects ?? []), ...(options.yaml ? objectsFromYaml(options.yaml) : [])];
      const server = new FakeApiServer({
        patchMeta,
        ...options,
        objects,
        resources: [...resources, ...(options.resources ?? [])],
      });
      super(fakeHttpClient(server));
      this.fake = server;
    }
    prependReactor(verb: string, resource: string, reactor: Reactor): void {
      this.fake.prependReactor(verb, resource, reactor);
    }
    actions(): Action[] {
      return this.fake.actions();
    }
  }
  return FakeClientset as unknown as FakeClientsetClass<G>;
}
