/**
 * Type-level tests, checked by `npm run typecheck` (never executed): the generated typed clients
 * fit ListPager's list function and RetryWatcher's source, with their own object types.
 */
import type { Clientset } from "kubegen/kubernetes";
import { ListPager } from "../../runtime/tools/pager.js";
import { RetryWatcher } from "../../runtime/tools/retry-watcher.js";

export async function typedClientsFit(clientset: Clientset): Promise<void> {
  const configMaps = clientset.coreV1.configMaps("default");
  const { list } = await new ListPager((o) => configMaps.list(o)).list();
  const name: string | undefined = list.items[0]?.metadata?.name;
  const data: Record<string, string> | undefined = list.items[0]?.data;
  for await (const event of new RetryWatcher(configMaps, "1")) {
    const d: Record<string, string> | undefined = event.object.data;
    // @ts-expect-error a ConfigMap has no spec
    event.object.spec;
    void d;
  }
  // @ts-expect-error a watch source needs watch()
  new RetryWatcher({ list: () => Promise.resolve() }, "1");
  void name;
  void data;
}
