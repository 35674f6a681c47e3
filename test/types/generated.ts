/**
 * Type-level tests of the generated code (checked by `npm run typecheck`, never run): the types
 * catch wrong fields at compile time, and clients show only what the API offers.
 */
import { Deployment } from "../../generated/kubernetes/apps/v1.js";
import type { Clientset } from "../../generated/kubernetes/index.js";
import { Widget } from "../fixtures/generated-crds/example.kubegen.dev/v1.js";
import type { CrdClientset } from "../fixtures/generated-crds/index.js";
import { Port } from "../fixtures/generated-crds/int-or-string.kubegen.dev/v1.js";
import { Signal } from "../fixtures/generated-crds/nullable-enum.kubegen.dev/v1.js";
import { Bag } from "../fixtures/generated-crds/preserve-unknown-fields.kubegen.dev/v1.js";
import { Record_ } from "../fixtures/generated-crds/reserved-words.kubegen.dev/v1.js";

declare const clientset: Clientset;
declare const crds: CrdClientset;

export async function checks(): Promise<void> {
  Deployment({ spec: { selector: {}, template: {}, replicas: 2 } });
  // @ts-expect-error replicas is a number
  Deployment({ spec: { selector: {}, template: {}, replicas: "2" } });
  // @ts-expect-error spec.selector is required
  Deployment({ spec: { template: {} } });
  // @ts-expect-error a misspelled field
  Widget({ spec: { size: "small", replica: 1 } });
  // @ts-expect-error size is an enum
  Widget({ spec: { size: "huge" } });
  Widget({ spec: { size: "large", port: 8080, extra: { known: "a", anything: [1, 2] } } });

  // @ts-expect-error componentstatuses are get/list only
  clientset.coreV1.componentStatuses().create({});
  // @ts-expect-error nodes are cluster-scoped
  clientset.coreV1.nodes("default");
  // @ts-expect-error configmaps have no scale subresource
  clientset.coreV1.configMaps("ns").getScale("x");
  await clientset.coreV1.pods("ns").getLogs("p", { container: "c" });
  await clientset.coreV1.serviceAccounts("ns").createToken("sa", { spec: { audiences: ["x"] } });
  await clientset.appsV1.deployments("ns").getScale("d");
  // @ts-expect-error the hyphen-group CRD has no status subresource
  crds.hyphenGroupV1alpha1.gizmos().updateStatus({});
  Port({ spec: { target: 8080 } });
  Port({ spec: { target: "http" } });
  // @ts-expect-error int-or-string takes no boolean
  Port({ spec: { target: true } });
  Signal({ spec: { color: "amber", level: 2, mode: null, note: null } });
  // @ts-expect-error an enum value the CRD does not list
  Signal({ spec: { color: "blue" } });
  // An open kind keeps its known properties typed and takes unknown ones.
  Bag({ spec: { config: { name: "a", other: 1 } }, anythingElse: true });
  // @ts-expect-error known properties stay typed in an open kind
  Bag({ spec: { config: { name: 1 } } });
  Record_({ spec: { default: "d", "my-field": "m", class: "c" } });
  // @ts-expect-error records are cluster-scoped
  crds.reservedWordsV1.records("ns");
  // @ts-expect-error notes have no status subresource
  crds.noStatusV1.notes("ns").updateStatus({});
  await crds.mixedCaseV1.dnsRecords("ns").list();
  const gizmos = await crds.hyphenGroupV1alpha1.gizmos().list();
  const open: unknown = gizmos.items[0]?.anythingGoes;
  void open;
}
