// Readiness checks used by `up`: the API server as admin, the Node's condition and taints, and a polling helper
// that gives up when the awaited process dies.
import { setTimeout as sleep } from 'node:timers/promises';
import { httpGet } from './http-get.ts';
import type { Layout } from './layout.ts';
import { type Pki, pkiPaths } from './pki.ts';
import { isAlive, type ProcRef } from './procs.ts';
import type { ClusterState } from './state.ts';

export class ClusterUpError extends Error {
  readonly code = 'CLUSTER_UP_FAILED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ClusterUpError';
  }
}

/** GET against the API server as admin; the status code, or 0 when it does not answer. */
export async function apiGet(st: ClusterState, pki: Pki, path: string): Promise<{ status: number; body: string }> {
  try {
    return await httpGet(`https://127.0.0.1:${st.ports.apiserver}${path}`, {
      caFile: pki.caCert,
      certFile: pki.adminCert,
      keyFile: pki.adminKey,
    });
  } catch {
    return { status: 0, body: '' };
  }
}

/** Why the Node is not usable yet, or undefined when it is Ready and untainted. */
export async function nodeProblem(st: ClusterState, pki: Pki): Promise<string | undefined> {
  const r = await apiGet(st, pki, `/api/v1/nodes/${st.nodeName}`);
  if (r.status !== 200) return `node ${st.nodeName} not registered (HTTP ${r.status})`;
  const node = JSON.parse(r.body) as {
    spec?: { taints?: { key: string }[] };
    status?: { conditions?: { type: string; status: string }[] };
  };
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  if (ready !== 'True') return `node Ready=${ready ?? 'unknown'}`;
  const taints = node.spec?.taints ?? [];
  if (taints.length) return `node tainted ${taints.map((t) => t.key).join(',')}`;
  return undefined;
}

export async function healthy(st: ClusterState, l: Layout): Promise<boolean> {
  if (!st.processes.every(isAlive)) return false;
  const pki = pkiPaths(l.pki);
  if ((await apiGet(st, pki, '/readyz')).status !== 200) return false;
  return (await nodeProblem(st, pki)) === undefined;
}

export async function waitUntil(
  what: string,
  deadline: number,
  check: () => Promise<string | undefined>,
  proc?: ProcRef,
) {
  let last = '';
  while (Date.now() < deadline) {
    const problem = await check();
    if (problem === undefined) return;
    last = problem;
    if (proc && !isAlive(proc)) throw new ClusterUpError(`${proc.name} exited while waiting for ${what}`);
    await sleep(250);
  }
  throw new ClusterUpError(`timed out waiting for ${what} (last: ${last})`);
}
