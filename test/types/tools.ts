/**
 * Type-level tests, checked by `npm run typecheck` (never executed): the generated typed clients
 * fit ListPager's list function and RetryWatcher's source, with their own object types; the
 * generated informer factory is typed per resource.
 */
import { type Clientset, InformerFactory } from "kubegen/kubernetes";
import { FakeClientset } from "kubegen/kubernetes/fake";
import { DeletedFinalStateUnknown } from "../../runtime/tools/cache/store.js";
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

/** The generated informer factory: typed informers and listers, only for resources that list and watch. */
export function informerFactoryTyped(clientset: Clientset): void {
  const factory = new InformerFactory(clientset, { namespace: "default" });
  const { informer, lister } = factory.coreV1.pods();
  const pod = lister.namespace("default").get("web-0");
  const phase: string | undefined = pod.status?.phase;
  informer.addEventHandler({
    onUpdate: (old, next) => void [old.spec?.nodeName, next.status?.podIP],
    onDelete: (obj) => void (obj instanceof DeletedFinalStateUnknown ? obj.obj.spec : obj.spec),
  });
  const replicas: number | undefined = factory.appsV1.deployments().lister.list("app=web")[0]?.spec?.replicas;
  // @ts-expect-error componentstatuses cannot be watched: no informer
  factory.coreV1.componentStatuses;
  // @ts-expect-error a Pod has no data
  lister.list()[0]?.data;
  void phase;
  void replicas;
}

/** The generated fake clientset is a clientset: it goes wherever one is expected. */
export async function fakeClientsetFits(): Promise<void> {
  const fake = new FakeClientset({ objects: [] });
  const real: Clientset = fake;
  const pod = await real.coreV1.pods("default").get("web-0");
  const node: string | undefined = pod.spec?.nodeName;
  fake.prependReactor("get", "pods", () => ({ error: new Error("injected") }));
  const verbs: string[] = fake.actions().map((a) => a.verb);
  void node;
  void verbs;
}
