/**
 * Template of the emitted index's clientset (ARCHITECTURE.md, "The generator, stage by stage"; see
 * group-version.ts for how templates are held to the emitter). Placeholders: `__Clientset__`,
 * `__clientName__`.
 */
import {
  type ClientsetClass,
  defineClientset,
  defineInformerFactory,
  type InformerFactoryClass,
} from "../runtime/index.js";
import { groupVersion as __clientName__ } from "./group-version.js";

export * as __clientName__ from "./group-version.js";

// #region clientset
export const __Clientset__: ClientsetClass<{
  readonly __clientName__: typeof __clientName__;
}> = /*@__PURE__*/ defineClientset({
  __clientName__,
});

/** An instance of `__Clientset__`. */
export type __Clientset__ = InstanceType<typeof __Clientset__>;
// #endregion

// #region informers
export const __InformerFactory__: InformerFactoryClass<(typeof __Clientset__)["groupVersions"]> =
  /*@__PURE__*/ defineInformerFactory(__Clientset__);

/** An instance of `__InformerFactory__`. */
export type __InformerFactory__ = InstanceType<typeof __InformerFactory__>;
// #endregion

/** The shape a user sees: `clientset.__clientName__.__accessor__("ns")` typed from the descriptor. */
export async function example(clientset: __Clientset__): Promise<string | undefined> {
  const list = await clientset.__clientName__.__accessor__("default").list();
  return list.items[0]?.spec?.size;
}

/** The informer side: `factory.__clientName__.__accessor__()` gives a typed informer and lister. */
export function exampleLister(factory: __InformerFactory__): string | undefined {
  return factory.__clientName__.__accessor__().lister.namespace("default").list("app=web")[0]?.spec?.size;
}
