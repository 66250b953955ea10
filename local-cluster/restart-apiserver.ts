// Kills the local cluster's kube-apiserver and starts it again with the same flags and port, for e2e tests of what
// clients do across an API server outage (the operator suite). state.json is updated with the new process, so
// `cli.ts down` still stops it. Added by the operator work (issue 4); kept apart from the cluster's own verbs.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiserverCmd } from './control-plane.ts';
import { httpGet } from './http-get.ts';
import { layout } from './layout.ts';
import { pkiPaths } from './pki.ts';
import { isAlive, spawnDetached } from './procs.ts';
import { readState, writeState } from './state.ts';

export class ApiserverRestartError extends Error {
  readonly code = 'APISERVER_RESTART_FAILED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApiserverRestartError';
  }
}

function stateOf(dir: string) {
  const l = layout(dir);
  const st = readState(l.state);
  if (!st) throw new ApiserverRestartError(`no local cluster in ${dir}`);
  return { l, st };
}

/** SIGKILLs the API server (its process group) and waits until it is gone. */
export async function killApiserver(dir: string): Promise<void> {
  const { l, st } = stateOf(dir);
  const ref = st.processes.find((p) => p.name === 'kube-apiserver');
  if (!ref || !isAlive(ref)) return;
  try {
    process.kill(ref.group ? -ref.pid : ref.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  for (let i = 0; i < 200 && isAlive(ref); i++) await sleep(25);
  if (isAlive(ref)) throw new ApiserverRestartError(`kube-apiserver pid ${ref.pid} did not die`);
  writeState(l.state, st);
}

/** Starts the API server with the flags `up` used and resolves once /readyz answers 200. */
export async function startApiserver(dir: string, timeoutMs = 120_000): Promise<void> {
  const { l, st } = stateOf(dir);
  const pki = pkiPaths(l.pki);
  const c = apiserverCmd({
    assets: st.assets,
    pki,
    ports: st.ports,
    etcdData: l.etcdData,
    adminKubeconfig: l.kubeconfig,
  });
  const ref = await spawnDetached(c.name, c.cmd, c.args, {
    env: { PATH: process.env.PATH },
    logFile: join(l.logs, `${c.name}.log`),
  });
  st.processes = st.processes.map((p) => (p.name === 'kube-apiserver' ? ref : p));
  writeState(l.state, st);
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!isAlive(ref)) throw new ApiserverRestartError('kube-apiserver exited at start; see its log');
    try {
      const r = await httpGet(c.health, { caFile: pki.caCert, certFile: pki.adminCert, keyFile: pki.adminKey });
      if (r.status === 200) return;
      last = `HTTP ${r.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(250);
  }
  throw new ApiserverRestartError(`kube-apiserver not ready after ${timeoutMs} ms (last: ${last})`);
}
