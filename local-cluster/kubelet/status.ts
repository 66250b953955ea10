// Pod status from what the kubelet knows about its containers (pure: view in, status out). lastTransitionTime of a
// condition changes only when its status does; conditions owned by others (PodScheduled, readiness gates) are left
// to them and only read.
export type CState =
  | { kind: 'waiting'; reason: string; message?: string }
  | { kind: 'running'; startedAt: string }
  | {
      kind: 'terminated';
      exitCode: number;
      signal?: number;
      reason: string;
      message?: string;
      startedAt: string;
      finishedAt: string;
    };

export interface ContainerView {
  name: string;
  image: string;
  state: CState;
  lastState?: CState;
  ready: boolean;
  started: boolean;
  restartCount: number;
  containerID?: string;
  /** init containers: a sidecar (restartPolicy Always) keeps running and counts for readiness */
  sidecar?: boolean;
}

export interface PodView {
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  podIP?: string;
  hostIP: string;
  startTime: string;
  /** IP assigned and volumes set up */
  sandboxReady: boolean;
  init: ContainerView[];
  containers: ContainerView[];
  readinessGates: string[];
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime: string;
  lastProbeTime?: null;
  reason?: string | null;
  message?: string | null;
}

export type Phase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

const ranOnce = (c: ContainerView) => c.state.kind !== 'waiting' || c.restartCount > 0 || c.lastState !== undefined;
const exitedOk = (c: ContainerView) => c.state.kind === 'terminated' && c.state.exitCode === 0;

/** Init containers are done when each non-sidecar one exited 0 and each sidecar has started. */
export function initialized(v: PodView): boolean {
  return v.init.every((c) => (c.sidecar ? c.state.kind === 'running' && c.started : exitedOk(c)));
}

/** True when the kubelet will not start this terminated container again under the pod's restartPolicy. */
export function final(c: ContainerView, policy: PodView['restartPolicy']): boolean {
  if (c.state.kind !== 'terminated') return false;
  return policy === 'Never' || (policy === 'OnFailure' && c.state.exitCode === 0);
}

export function phase(v: PodView): Phase {
  const initFailed = v.init.some((c) => !c.sidecar && c.state.kind === 'terminated' && c.state.exitCode !== 0);
  if (initFailed && v.restartPolicy === 'Never') return 'Failed';
  if (!initialized(v)) return 'Pending';
  if (!v.containers.every(ranOnce)) return 'Pending';
  if (v.containers.every((c) => final(c, v.restartPolicy))) {
    return v.containers.every(exitedOk) ? 'Succeeded' : 'Failed';
  }
  return 'Running';
}

export function setCondition(
  prev: readonly Condition[] | undefined,
  type: string,
  status: Condition['status'],
  now: string,
  reason?: string,
  message?: string,
): Condition {
  const old = prev?.find((c) => c.type === type);
  const lastTransitionTime = old && old.status === status ? old.lastTransitionTime : now;
  return { type, status, lastProbeTime: null, lastTransitionTime, reason: reason ?? null, message: message ?? null };
}

// Status is written as a strategic-merge patch, which merges maps: a key we no longer want must be sent as null
// (a running container's `waiting`, a condition's old `reason`), or the old value would stay.
function stateJson(s: CState): Record<string, unknown> {
  switch (s.kind) {
    case 'waiting':
      return { waiting: { reason: s.reason, message: s.message ?? null }, running: null, terminated: null };
    case 'running':
      return { waiting: null, running: { startedAt: s.startedAt }, terminated: null };
    case 'terminated':
      return {
        waiting: null,
        running: null,
        terminated: {
          exitCode: s.exitCode,
          signal: s.signal ?? null,
          reason: s.reason,
          message: s.message ?? null,
          startedAt: s.startedAt,
          finishedAt: s.finishedAt,
        },
      };
  }
}

function containerStatus(c: ContainerView): Record<string, unknown> {
  return {
    name: c.name,
    image: c.image,
    imageID: `local://${c.image}`,
    containerID: c.containerID ?? null,
    ready: c.ready,
    started: c.started,
    restartCount: c.restartCount,
    state: stateJson(c.state),
    lastState: c.lastState ? stateJson(c.lastState) : {},
  };
}

/** The status subresource's content for a strategic-merge patch. `prev` is the pod's current conditions. */
export function podStatus(v: PodView, prev: readonly Condition[] | undefined, now: string): Record<string, unknown> {
  const p = phase(v);
  const init = initialized(v);
  const counted = [...v.init.filter((c) => c.sidecar), ...v.containers];
  const unready = counted.filter((c) => !c.ready).map((c) => c.name);
  const containersReady = unready.length === 0 && p === 'Running';
  const gatesOpen = v.readinessGates.every((g) => prev?.find((c) => c.type === g)?.status === 'True');
  const notReadyMsg = unready.length ? `containers with unready status: [${unready.join(' ')}]` : undefined;
  const reason = (ok: boolean) => (ok ? undefined : p === 'Succeeded' ? 'PodCompleted' : 'ContainersNotReady');
  const conditions = [
    setCondition(prev, 'PodReadyToStartContainers', v.sandboxReady ? 'True' : 'False', now),
    setCondition(prev, 'Initialized', init ? 'True' : 'False', now, init ? undefined : 'ContainersNotInitialized'),
    setCondition(
      prev,
      'ContainersReady',
      containersReady ? 'True' : 'False',
      now,
      reason(containersReady),
      notReadyMsg,
    ),
    setCondition(
      prev,
      'Ready',
      containersReady && gatesOpen ? 'True' : 'False',
      now,
      containersReady ? (gatesOpen ? undefined : 'ReadinessGatesNotReady') : reason(false),
      containersReady ? undefined : notReadyMsg,
    ),
  ];
  return {
    phase: p,
    conditions,
    hostIP: v.hostIP,
    hostIPs: [{ ip: v.hostIP }],
    ...(v.podIP ? { podIP: v.podIP, podIPs: [{ ip: v.podIP }] } : {}),
    startTime: v.startTime,
    ...(v.init.length ? { initContainerStatuses: v.init.map(containerStatus) } : {}),
    containerStatuses: v.containers.map(containerStatus),
  };
}
