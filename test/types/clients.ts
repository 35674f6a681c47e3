/**
 * Type-level tests, checked by `npm run typecheck` (never executed): a client shows exactly the
 * methods its resource allows, and scope decides whether an accessor takes a namespace. Each
 * `@ts-expect-error` fails the type-check if the line it guards starts compiling.
 */
import { defineClientset, defineGroupVersion } from "../../runtime/clients/group.js";
import type { KubeList, KubeObject } from "../../runtime/core/object.js";
import { defineResource } from "../../runtime/core/resource.js";

interface Widget extends KubeObject {
  spec?: { size: number };
}
type WidgetList = KubeList<Widget>;

const widgets = defineResource<Widget, WidgetList>()({
  group: "example.com",
  version: "v1",
  plural: "widgets",
  singular: "widget",
  kind: "Widget",
  listKind: "WidgetList",
  namespaced: true,
  verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
  subresources: ["status", "scale"],
});

const statuses = defineResource<Widget, WidgetList>()({
  group: "example.com",
  version: "v1",
  plural: "widgetstatuses",
  singular: "widgetstatus",
  kind: "WidgetStatus",
  listKind: "WidgetStatusList",
  namespaced: false,
  verbs: ["get", "list"],
  subresources: [],
});

const exampleV1 = defineGroupVersion(
  { group: "example.com", version: "v1" },
  { widgets, widgetStatuses: statuses },
);
const Clientset = defineClientset({ exampleV1 });
declare const clientset: InstanceType<typeof Clientset>;

export async function checks(): Promise<void> {
  const w: Widget = await clientset.exampleV1.widgets("ns").get("a");
  const size: number | undefined = w.spec?.size;
  void size;
  await clientset.exampleV1.widgets().list();
  await clientset.exampleV1.widgets("ns").getScale("a");
  await clientset.exampleV1.widgets("ns").updateStatus({ metadata: { name: "a" } });
  await clientset.exampleV1.widgetStatuses().list();

  // @ts-expect-error cluster-scoped: no namespace argument
  clientset.exampleV1.widgetStatuses("ns");
  // @ts-expect-error the verbs say get and list only
  clientset.exampleV1.widgetStatuses().create({});
  // @ts-expect-error no status subresource
  clientset.exampleV1.widgetStatuses().updateStatus({});
  // @ts-expect-error no deletecollection verb
  clientset.exampleV1.widgets("ns").deleteCollection();
  // @ts-expect-error no log subresource
  clientset.exampleV1.widgets("ns").getLogs("a");
  // @ts-expect-error a wrong field type is caught
  await clientset.exampleV1.widgets("ns").create({ metadata: { name: "a" }, spec: { size: "big" } });
  // @ts-expect-error apply needs a fieldManager
  await clientset.exampleV1.widgets("ns").apply({ metadata: { name: "a" } }, {});
  // @ts-expect-error not a member of this clientset
  clientset.appsV1;
}
