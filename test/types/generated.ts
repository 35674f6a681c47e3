/**
 * Type-level tests of the generated code (checked by `npm run typecheck`, never run): the types
 * catch wrong fields at compile time, and clients show only what the API offers.
 */
import { Deployment } from "../../generated/kubernetes/apps/v1.js";
import type { Clientset } from "../../generated/kubernetes/index.js";
import { PatchTypes } from "../../runtime/index.js";
import type { Clientset as HyphenGroup } from "../generator/__snapshots__/cluster-scoped-hyphen-group/index.js";
import { Port } from "../generator/__snapshots__/int-or-string/int-or-string.kubegen.dev/v1.js";
import type { Clientset as MixedCase } from "../generator/__snapshots__/mixed-case/index.js";
import { Widget } from "../generator/__snapshots__/multi-version/example.kubegen.dev/v1.js";
import type { Clientset as MultiVersion } from "../generator/__snapshots__/multi-version/index.js";
import type { Clientset as NoStatus } from "../generator/__snapshots__/no-status/index.js";
import { Signal } from "../generator/__snapshots__/nullable-enum/nullable-enum.kubegen.dev/v1.js";
import { Bag } from "../generator/__snapshots__/preserve-unknown-fields/preserve-unknown-fields.kubegen.dev/v1.js";
import type { Clientset as ReservedWords } from "../generator/__snapshots__/reserved-words/index.js";
import { Record_ } from "../generator/__snapshots__/reserved-words/reserved-words.kubegen.dev/v1.js";

declare const clientset: Clientset;
// The generator's snapshot outputs (test/generator/__snapshots__), one clientset per CRD case.
declare const crds: HyphenGroup & MixedCase & NoStatus & ReservedWords;
declare const crds2: MultiVersion;

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
  await clientset.coreV1.pods("ns").attach("p", { tty: true });
  await clientset.coreV1.pods("ns").portForward("p", [":8080", "5000:80"]);
  await clientset.coreV1.pods("ns").copyFromPod("p", "/etc/app", "./app");
  // @ts-expect-error deployments have no exec subresource, so no cp
  clientset.appsV1.deployments("ns").copyToPod("d", "./a", "/a");
  // @ts-expect-error services have no attach subresource
  clientset.coreV1.services("ns").attach("s");
  // @ts-expect-error configmaps have no portforward subresource
  clientset.coreV1.configMaps("ns").portForward("c", ["80"]);
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

  // Patches and apply through the generated built-in clientset.
  const deployments = clientset.appsV1.deployments("ns");
  const container = { name: "app", image: "nginx" };
  await deployments.patch("d", { spec: { replicas: null, template: { spec: { containers: [container] } } } });
  await deployments.patch(
    "d",
    { spec: { template: { spec: { containers: [container] } } } },
    PatchTypes.strategicMerge,
  );
  await deployments.patch("d", [{ op: "replace", path: "/spec/replicas", value: 3 }], PatchTypes.json);
  // @ts-expect-error replicas is a number, even in a merge patch
  await deployments.patch("d", { spec: { replicas: "3" } });
  const manager = { fieldManager: "types" };
  await deployments.apply(
    { metadata: { name: "d" }, spec: { template: { spec: { containers: [container] } } } },
    manager,
  );
  const nameless = { image: "nginx" };
  await deployments.apply(
    // @ts-expect-error a container without its list-map key (name) cannot be applied
    { metadata: { name: "d" }, spec: { template: { spec: { containers: [nameless] } } } },
    manager,
  );
  // A port's defaulted protocol, also a list-map key, may be left out.
  const ports = [{ containerPort: 80 }];
  await deployments.apply(
    { metadata: { name: "d" }, spec: { template: { spec: { containers: [{ name: "app", ports }] } } } },
    manager,
  );
  // The list reads as a plain array.
  const names: string[] =
    (await deployments.get("d")).spec?.template.spec?.containers.map((c) => c.name) ?? [];
  void names;
  const widgets = crds2.exampleV1.widgets("ns");
  await widgets.patch("w", { spec: { color: null } });
  // @ts-expect-error the apiserver refuses strategic merge patches for custom resources
  await widgets.patch("w", { spec: { color: "red" } }, PatchTypes.strategicMerge);
  const gizmos = await crds.hyphenGroupV1alpha1.gizmos().list();
  const open: unknown = gizmos.items[0]?.anythingGoes;
  void open;
}
