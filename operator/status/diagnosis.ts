// Why a cluster does not form, one reason per cause, each message saying what to do (docs/operations.md,
// troubleshooting). diagnose() collects the causes that hold, in the order a person should fix them (the spec, then
// creating pods, running them, discovery, probing); withDiagnoses() puts the first one's reason on ClusterFormed
// and Ready while the phase is Pending, Discovering or Forming, and every message in front of the status message.
// Pure: the observer (observer.ts) gathers the inputs.
import type { V1Pod } from '@kubernetes/client-node';
import type { Resolved } from '../../core/api/resolve.ts';
import { ConditionReason, ConditionType, type Phase } from '../../core/api/types.ts';
import { capped } from './caps.ts';
import type { Observation } from './compute.ts';
import type { DiscoveryProblem } from './discovery.ts';
import type { StalledFormation } from './formation-watch.ts';
import { type Diagnosis, managementPortProblem, podsNotRunning } from './pod-problems.ts';

export type { Diagnosis } from './pod-problems.ts';

/**
 * How long after the stable margin a cluster may take to form before FormationStalled is said: the lowest-address
 * node decides once every contact point answered it within the stable margin, then joins itself (a JVM: a few
 * seconds), and the operator's probes come every 2 s.
 */
export const FORMATION_GRACE_MS = 20_000;

export interface DiagnosisInput {
  r: Pick<
    Resolved,
    'name' | 'namespace' | 'replicas' | 'requiredContactPoints' | 'managementPort' | 'managementPortName'
  > & { stableMarginMs: number; newClusterEnabled: boolean };
  /** The resource's own pods (instance label), terminating ones included. */
  pods: readonly V1Pod[];
  discoveryProblem?: DiscoveryProblem;
  /** The Deployment's ReplicaFailure in words (problems.ts). */
  replicaFailure?: string;
  /** The pods' account may not list pods (rbac.ts), in words. */
  rbacProblem?: string;
  stalled?: StalledFormation;
}

/** Selector problems in the spec itself come first; those about which pods it finds come with discovery. */
const SPEC_PROBLEMS: ReadonlySet<ConditionReason> = new Set([
  ConditionReason.SelectorInvalid,
  ConditionReason.ServiceNameConflict,
]);

function replicasBelowRequired(r: DiagnosisInput['r']): Diagnosis | undefined {
  const need = r.requiredContactPoints;
  if (r.replicas >= need) return undefined;
  const scale = `kubectl -n ${r.namespace} scale cb/${r.name} --replicas=${need}`;
  const message =
    r.replicas === 0
      ? `spec.replicas is 0: no pods, no cluster; scale up (${scale})`
      : `spec.replicas ${r.replicas} is below requiredContactPoints ${need}: a new cluster forms only once ${need} ` +
        `contact points are discovered, so it never forms; scale up (${scale}), or set ` +
        `spec.bootstrap.requiredContactPoints to ${r.replicas} (the pods are replaced)`;
  return { reason: ConditionReason.ReplicasBelowRequired, message };
}

function formationStalled(i: DiagnosisInput): Diagnosis | undefined {
  const s = i.stalled;
  if (!s || s.forMs < i.r.stableMarginMs + FORMATION_GRACE_MS) return undefined;
  const port = i.r.managementPort;
  const joinOnly = i.r.newClusterEnabled
    ? ''
    : '; bootstrap.newClusterEnabled is false, so no node may form a new cluster: set it true to form one';
  return {
    reason: ConditionReason.FormationStalled,
    message:
      `${s.answering} of ${s.contactPoints} contact points answer the operator, but none has formed or joined a ` +
      `cluster ${Math.round(s.forMs / 1000)} s after they all answered (stable margin ` +
      `${Math.round(i.r.stableMarginMs / 1000)} s): the nodes cannot probe each other's management endpoints, so ` +
      'the lowest-address node never hears from every contact point: a NetworkPolicy between the pods (allow ' +
      `ingress on port ${port} from the same pods), or the app's own pekko.management.http.hostname or port ` +
      `overriding the operator's; check from inside a pod: curl http://<another pod's IP>:${port}/bootstrap/seed-nodes` +
      joinOnly,
  };
}

/** Every cause that holds, in the order to fix them; empty when nothing explains a missing cluster. */
export function diagnose(i: DiagnosisInput): Diagnosis[] {
  const dp = i.discoveryProblem;
  const own = i.pods;
  const found = [
    replicasBelowRequired(i.r),
    dp && SPEC_PROBLEMS.has(dp.reason) ? dp : undefined,
    i.replicaFailure ? { reason: ConditionReason.ReplicaFailure, message: i.replicaFailure } : undefined,
    podsNotRunning(own, i.r.namespace),
    managementPortProblem(own, i.r),
    i.rbacProblem ? { reason: ConditionReason.PodListForbidden, message: i.rbacProblem } : undefined,
    dp && !SPEC_PROBLEMS.has(dp.reason) ? dp : undefined,
  ];
  // ManagementPortMismatch is a port problem too, but it leaves the pods discoverable: after RBAC and the selector.
  const causes = found.filter((d): d is Diagnosis => d !== undefined);
  const mismatch = causes.findIndex((d) => d.reason === ConditionReason.ManagementPortMismatch);
  if (mismatch >= 0) causes.push(...causes.splice(mismatch, 1));
  // A stall is what is left when nothing above explains why answering pods do not form: otherwise it is an effect.
  const stalled = causes.length === 0 ? formationStalled(i) : undefined;
  return stalled ? [stalled] : causes;
}

const NOT_FORMED: ReadonlySet<Phase> = new Set(['Pending', 'Discovering', 'Forming']);

/**
 * The messages of `ds` in their order, then `text` without them (it may hold some already: the selector's, the
 * Deployment's ReplicaFailure, RBAC's, each followed by '; ').
 */
function withMessages(ds: readonly Diagnosis[], text: string): string {
  let rest = text;
  for (const d of ds) rest = rest.replace(`${d.message}; `, '').replace(d.message, '');
  return [...ds.map((d) => d.message), rest].filter(Boolean).join('; ');
}

/**
 * While the phase says no cluster is formed (Pending, Discovering, Forming): ClusterFormed and Ready (when not True)
 * carry the first cause's reason, and the status message and both condition messages begin with every cause's
 * message (those they hold already, from problems.ts or the RBAC check, are not repeated). Other phases: unchanged.
 */
export function withDiagnoses(o: Observation, ds: readonly Diagnosis[]): Observation {
  const top = ds[0];
  if (!top || !NOT_FORMED.has(o.phase)) return o;
  const conditions = o.conditions.map((c) => {
    const overlaid = c.type === ConditionType.ClusterFormed || c.type === ConditionType.Ready;
    if (!overlaid || c.status === 'True') return c;
    return { ...c, reason: top.reason, message: withMessages(ds, c.message) };
  });
  return capped({ ...o, message: withMessages(ds, o.message), conditions });
}
