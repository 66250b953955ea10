// What the resource's own pods show about why no cluster forms, read from the pods alone: pods that do not run (a
// container waiting or exited, a pod nobody can schedule) and a management port that Pekko's discovery cannot use
// (no container port carries spec.management.portName, or the port carrying it is another number). Pure; each
// finding is a Diagnosis whose message says what to do (docs/operations.md, troubleshooting).
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { Resolved } from '../../core/api/resolve.ts';
import { ConditionReason } from '../../core/api/types.ts';
import { listed } from './caps.ts';

/** One cause that keeps a cluster from forming, with what to do about it. */
export interface Diagnosis {
  reason: ConditionReason;
  message: string;
}

/** Waiting reasons of a container that is on its way (not a problem). */
const STARTING = new Set(['ContainerCreating', 'PodInitializing']);
const IMAGE = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'RegistryUnavailable',
]);
const CONFIG = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

const alive = (p: V1Pod) => !p.metadata?.deletionTimestamp;
const nameOf = (p: V1Pod) => p.metadata?.name ?? '';

interface Trouble {
  /** What a person reads: `container app CrashLoopBackOff (last exit code 3, 4 restarts)`. */
  what: string;
  /** The kind of trouble, for grouping and the advice. */
  kind: string;
  /** The container's name, for the advice. */
  container?: string;
  detail?: string;
}

function containerTrouble(c: V1ContainerStatus): Trouble | undefined {
  const waiting = c.state?.waiting;
  const last = c.lastState?.terminated ?? c.state?.terminated;
  const exit = last?.exitCode !== undefined ? `last exit code ${last.exitCode}` : '';
  const restarts = c.restartCount ? `${c.restartCount} restart${c.restartCount === 1 ? '' : 's'}` : '';
  const extra = [exit, restarts].filter(Boolean).join(', ');
  if (waiting?.reason && !STARTING.has(waiting.reason)) {
    return {
      what: `container ${c.name} ${waiting.reason}${extra ? ` (${extra})` : ''}`,
      kind: waiting.reason,
      container: c.name,
      ...(waiting.message ? { detail: waiting.message } : {}),
    };
  }
  const t = c.state?.terminated;
  if (t) {
    const why = t.reason ?? 'Terminated';
    return {
      what: `container ${c.name} exited: ${why} (exit code ${t.exitCode}${restarts ? `, ${restarts}` : ''})`,
      kind: 'Exited',
      container: c.name,
    };
  }
  return undefined;
}

/** Why one pod does not run, or undefined when it runs (or is still starting normally). */
function podTrouble(p: V1Pod): Trouble | undefined {
  const s = p.status;
  if (s?.phase === 'Failed' || s?.phase === 'Succeeded') {
    return { what: `pod ${s.phase}${s.reason ? ` (${s.reason})` : ''}`, kind: s.reason ?? s.phase, detail: s.message };
  }
  const unscheduled = s?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unscheduled) {
    return {
      what: `not scheduled (${unscheduled.reason ?? 'Unschedulable'})`,
      kind: 'Unschedulable',
      ...(unscheduled.message ? { detail: unscheduled.message } : {}),
    };
  }
  for (const c of [...(s?.initContainerStatuses ?? []), ...(s?.containerStatuses ?? [])]) {
    const t = containerTrouble(c);
    if (t) return t;
  }
  return undefined;
}

function advice(t: Trouble, pod: string, namespace: string): string {
  if (IMAGE.has(t.kind)) {
    return 'the image cannot be pulled: check spec.image (and agent.image), the registry, and imagePullSecrets in spec.template';
  }
  if (CONFIG.has(t.kind)) {
    return `the container cannot be created from the template (a missing ConfigMap or Secret, a bad field): kubectl -n ${namespace} describe pod ${pod}`;
  }
  if (t.kind === 'Unschedulable') {
    return "no node fits the pod: its resources, nodeSelector, affinity or tolerations in spec.template, or the nodes' capacity";
  }
  if (t.container && (t.kind === 'CrashLoopBackOff' || t.kind === 'Exited')) {
    return `the container keeps exiting: kubectl -n ${namespace} logs ${pod} -c ${t.container} --previous`;
  }
  return `kubectl -n ${namespace} describe pod ${pod}`;
}

/**
 * Pods of the resource that are not running: the first trouble of each (init containers first), grouped by what it
 * is, the most common first. Undefined when every pod runs or is still starting normally.
 */
export function podsNotRunning(pods: readonly V1Pod[], namespace: string): Diagnosis | undefined {
  const live = pods.filter(alive);
  const troubles = live.flatMap((p) => {
    const t = podTrouble(p);
    return t ? [{ pod: nameOf(p), t }] : [];
  });
  if (troubles.length === 0) return undefined;
  const groups = new Map<string, { t: Trouble; pods: string[] }>();
  for (const { pod, t } of troubles) {
    const key = `${t.kind}/${t.what}`;
    const g = groups.get(key) ?? { t, pods: [] };
    g.pods.push(pod);
    groups.set(key, g);
  }
  const sorted = [...groups.values()].sort((a, b) => b.pods.length - a.pods.length);
  const parts = sorted.map(({ t, pods: names }) => {
    const sortedNames = names.sort();
    const detail = t.detail ? `: ${t.detail}` : '';
    return `${t.what} on ${listed(sortedNames)}${detail}; ${advice(t, sortedNames[0] as string, namespace)}`;
  });
  return {
    reason: ConditionReason.PodsNotRunning,
    message: `${troubles.length} of ${live.length} pods not running: ${parts.join('; ')}`,
  };
}

/**
 * Whether Pekko's discovery can use the management port of the pods: it takes, on every container, the ports named
 * spec.management.portName (contact-point-discovery.port-name), and probes each. No such port: the pod is no
 * contact point. Such a port on another number: Pekko probes a port nobody serves, and a node never recognises
 * itself as a contact point. The operator renders the right port; a Deployment edited by hand (while paused), an
 * admission webhook, or a template port of that name on a container beside the agent sidecar can change it.
 */
export function managementPortProblem(
  pods: readonly V1Pod[],
  r: Pick<Resolved, 'namespace' | 'name' | 'managementPort' | 'managementPortName'>,
): Diagnosis | undefined {
  const name = r.managementPortName;
  const missing: string[] = [];
  const wrong: { pod: string; where: string }[] = [];
  for (const p of pods.filter(alive)) {
    if (!p.spec) continue;
    const named = (p.spec.containers ?? []).flatMap((c) =>
      (c.ports ?? []).filter((port) => port.name === name).map((port) => ({ c: c.name, port: port.containerPort })),
    );
    if (named.length === 0) missing.push(nameOf(p));
    const other = named.find((n) => n.port !== r.managementPort);
    if (other) wrong.push({ pod: nameOf(p), where: `container ${other.c} port ${other.port}` });
  }
  if (missing.length > 0) {
    return {
      reason: ConditionReason.ManagementPortMissing,
      message:
        `pod${missing.length === 1 ? '' : 's'} ${listed(missing.sort())} declare${missing.length === 1 ? 's' : ''} no ` +
        `container port named ${name}: Pekko's discovery (port-name ${name}) finds no contact point on ` +
        `${missing.length === 1 ? 'it' : 'them'}; the operator renders that port, so the Deployment was changed ` +
        `after it (edited by hand while paused, or by an admission webhook): see kubectl -n ${r.namespace} get ` +
        `deployment ${r.name} -o yaml, undo the change, and unpause`,
    };
  }
  if (wrong.length > 0) {
    const first = wrong[0] as { pod: string; where: string };
    return {
      reason: ConditionReason.ManagementPortMismatch,
      message:
        `pod ${first.pod}${wrong.length > 1 ? ` (and ${wrong.length - 1} more)` : ''} declares the port name ${name} ` +
        `on ${first.where}, but Pekko Management listens on ${r.managementPort} (spec.management.port): Pekko's ` +
        `discovery probes that port too, so the nodes never confirm every contact point and never find ` +
        `themselves; remove or rename that port in spec.template (only the management port may be named ${name})`,
    };
  }
  return undefined;
}
