// The Node object and its heartbeat: registers the Node (Ready, large capacity so the scheduler never runs out),
// renews its Lease in kube-node-lease every 10 s (what the node lifecycle controller watches) and refreshes the
// status conditions every 30 s.
import { arch, hostname } from 'node:os';
import type { Logger } from './log.ts';
import { ApiError, type Rest } from './rest.ts';

export interface NodeOptions {
  name: string;
  kubeletPort: number;
  /** the InternalIP: where the API server finds the kubelet (the bridge's address, or 127.0.0.1) */
  address: string;
}

const LEASE_SECONDS = 40;
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const micro = () => new Date().toISOString().replace(/Z$/, '000Z');

/** The Node's status: Ready, no pressure, its address, the kubelet endpoint for `kubectl logs` (pure). */
export function nodeStatus(o: NodeOptions, ts: string, readySince: string): Record<string, unknown> {
  const cond = (type: string, status: string, reason: string, message: string, since: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: ts,
    lastTransitionTime: since,
  });
  const capacity = { cpu: '1000', memory: '1Ti', pods: '100000', 'ephemeral-storage': '1Ti' };
  return {
    capacity,
    allocatable: capacity,
    conditions: [
      cond(
        'MemoryPressure',
        'False',
        'KubeletHasSufficientMemory',
        'kubelet has sufficient memory available',
        readySince,
      ),
      cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', readySince),
      cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available', readySince),
      cond('Ready', 'True', 'KubeletReady', 'local kubelet stand-in is posting ready status', readySince),
    ],
    addresses: [
      { type: 'InternalIP', address: o.address },
      { type: 'Hostname', address: o.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: o.kubeletPort } },
    nodeInfo: {
      machineID: '',
      systemUUID: '',
      bootID: '',
      kernelVersion: '',
      osImage: `local (${hostname()})`,
      containerRuntimeVersion: 'local://processes',
      kubeletVersion: 'v1.35.4-local',
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: arch() === 'x64' ? 'amd64' : arch(),
    },
  };
}

/** Creates the Node (or finds it) and posts a Ready status; returns the time it became Ready. */
export async function registerNode(api: Rest, o: NodeOptions, log: Logger): Promise<string> {
  const labels = {
    'kubernetes.io/hostname': o.name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch() === 'x64' ? 'amd64' : arch(),
    'node.kubernetes.io/local-stand-in': 'true',
  };
  try {
    await api.request('POST', '/api/v1/nodes', {
      body: { apiVersion: 'v1', kind: 'Node', metadata: { name: o.name, labels } },
    });
    log.info({ node: o.name }, 'node registered');
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 409)) throw err;
    log.info({ node: o.name }, 'node already registered');
  }
  const ts = now();
  await patchStatus(api, o, ts, ts);
  return ts;
}

function patchStatus(api: Rest, o: NodeOptions, ts: string, readySince: string): Promise<unknown> {
  return api.request('PATCH', `/api/v1/nodes/${o.name}/status`, {
    body: { status: nodeStatus(o, ts, readySince) },
    contentType: 'application/strategic-merge-patch+json',
  });
}

async function renewLease(api: Rest, o: NodeOptions): Promise<void> {
  const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${o.name}`;
  const spec = { holderIdentity: o.name, leaseDurationSeconds: LEASE_SECONDS, renewTime: micro() };
  try {
    await api.request('PATCH', path, { body: { spec }, contentType: 'application/merge-patch+json' });
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
    await api.request('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
      body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: o.name }, spec },
    });
  }
}

/** Keeps the Node alive until `signal` aborts. Errors are logged and retried on the next beat. */
export function heartbeat(api: Rest, o: NodeOptions, readySince: string, log: Logger, signal: AbortSignal): void {
  let beats = 0;
  const beat = async () => {
    try {
      await renewLease(api, o);
      if (beats++ % 3 === 0) await patchStatus(api, o, now(), readySince);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'node heartbeat failed');
    }
  };
  void beat();
  const t = setInterval(() => void beat(), 10000);
  signal.addEventListener('abort', () => clearInterval(t));
}
