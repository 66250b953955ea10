// What the pods say about the members, as Kubernetes tracks them (docs/membership.md, "Liveness"): a member's pod
// looks dead when it is gone, terminating, not Running, or not Ready; members this observer has seen in the record for
// less than the join grace get no signal (a joiner's pod turns Ready only after the kubelet probes it, and this
// observer's pod watch may not have seen the joiner's pod yet). Pure: pods and times in, one signal per member out. A signal only triggers a challenge; it never
// removes anyone by itself.

import type { PodLike } from '../../core/discovery/contact-points.ts';
import { ipBytes } from '../../core/protocol/address.ts';
import { addressOf } from './order.ts';
import { keyOf, type MemberEntry } from './record.ts';

export interface PodSignal {
  /** pod gone | pod terminating | pod not running | not ready */
  reason: string;
  /**
   * Identifies the pod state behind the signal, so that one state is challenged once: a member that refuted a
   * challenge is not challenged again until its pod's state changes.
   */
  key: string;
}

interface PodMeta {
  name?: string;
  uid?: string;
  deletionTimestamp?: unknown;
}

const readyCondition = (pod: PodLike) =>
  (Array.isArray(pod.status?.conditions) ? pod.status.conditions : []).find((c) => c?.type === 'Ready');

function stateKey(pod: PodLike): string {
  const meta = (pod.metadata ?? {}) as PodMeta & { lastTransitionTime?: string };
  const ready = readyCondition(pod) as { status?: string; lastTransitionTime?: string } | undefined;
  const containers = (Array.isArray(pod.status?.containerStatuses) ? pod.status.containerStatuses : [])
    .map(
      (c) =>
        `${c?.name}:${(c as { ready?: boolean }).ready === true}:${(c as { restartCount?: number }).restartCount ?? 0}`,
    )
    .join(',');
  return [meta.uid ?? meta.name, pod.status?.phase, ready?.status, ready?.lastTransitionTime, containers].join('|');
}

const isIP = new Map<string, boolean>();
function hostIP(node: string): string | undefined {
  const host = addressOf(node)?.host;
  if (host === undefined) return undefined;
  let ip = isIP.get(host);
  if (ip === undefined) {
    if (isIP.size > 50_000) isIP.clear();
    ip = ipBytes(host) !== undefined;
    isIP.set(host, ip);
  }
  return ip ? host : undefined;
}

/**
 * Signals for the members whose pods look dead. `firstSeenAt(key)`: when this observer first saw the member in the
 * record (monotonic ms); `now`: monotonic ms. A member with neither a pod name nor an IP host gets no signal.
 */
export function podSignals(
  members: readonly MemberEntry[],
  pods: readonly PodLike[],
  firstSeenAt: (key: string) => number,
  now: number,
  joinGraceMs: number,
): Map<string, PodSignal> {
  const out = new Map<string, PodSignal>();
  const byName = new Map<string, PodLike>();
  const byIP = new Map<string, PodLike>();
  for (const p of pods) {
    if (p.metadata?.name) byName.set(p.metadata.name, p);
    if (p.status?.podIP) byIP.set(p.status.podIP, p);
  }
  for (const m of members) {
    const ip = hostIP(m.node);
    if (m.pod === undefined && ip === undefined) continue; // nothing to match a pod by
    if (now - firstSeenAt(keyOf(m)) < joinGraceMs) continue;
    // The pod a member runs in: by the recorded pod name, else by the address's host as pod IP.
    const pod = m.pod !== undefined ? byName.get(m.pod) : byIP.get(ip as string);
    const podIP = pod?.status?.podIP;
    let reason: string | undefined;
    if (!pod || (ip !== undefined && podIP && podIP !== ip)) reason = 'pod gone';
    else if ((pod.metadata as PodMeta | undefined)?.deletionTimestamp) reason = 'pod terminating';
    else if (pod.status?.phase !== 'Running') reason = 'pod not running';
    else if (readyCondition(pod)?.status !== 'True') reason = 'not ready';
    if (reason === undefined) continue;
    out.set(keyOf(m), { reason, key: `${reason}|${pod ? stateKey(pod) : ''}` });
  }
  return out;
}
