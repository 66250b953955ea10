// `cli.ts down`: stops every process `up` started, each by its recorded pid (operator, kubelet stand-in, container
// processes, scheduler, controller manager, API server, etcd: the reverse of the start order), removes the pod
// network (every namespace, veth and the bridge named by the cluster's tag, even after a crash), then the cluster's
// state. The logs stay in <dir>/logs/ until the next `up`.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CliConfig } from './config.ts';
import { layout } from './layout.ts';
import { teardownPodNetwork } from './network/cluster-network.ts';
import { stopAllPodProcs } from './pod-pids.ts';
import { type ProcRef, procStartTime, stopProc } from './procs.ts';
import { readState } from './state.ts';

const say = (msg: string) => console.log(`[cluster] ${msg}`);
const CONTROL_PLANE = new Set(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);

/**
 * Processes of this cluster that state.json does not know (it was lost or torn): control-plane binaries and the
 * kubelet stand-in whose command line names this cluster's folder. Matched by exact folder path, never by name alone.
 */
export function strayProcesses(dir: string): ProcRef[] {
  const out: ProcRef[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const bin = basename(argv[0] ?? '');
    const ours =
      (CONTROL_PLANE.has(bin) && argv.some((a) => a.includes(`${dir}/`))) ||
      (argv[1]?.endsWith('local-cluster/kubelet/main.ts') && argv[2] === '--dir' && argv[3] === dir);
    const startTime = procStartTime(pid);
    if (ours && startTime) out.push({ name: bin, pid, startTime, group: false });
  }
  return out;
}

export async function down(cfg: Pick<CliConfig, 'dir'>, opts: { quiet?: boolean } = {}) {
  const l = layout(cfg.dir);
  const st = readState(l.state);
  const log = (m: string) => {
    if (!opts.quiet) say(m);
  };
  if (st?.operator) {
    log(`operator (pid ${st.operator.pid}): ${await stopProc(st.operator, 5000)}`);
  }
  const procs = [...(st?.processes ?? [])].reverse();
  for (const p of procs) {
    // the kubelet stops its containers on SIGTERM; give it time for their grace periods
    const grace = p.name === 'kubelet' ? 15000 : 10000;
    log(`${p.name} (pid ${p.pid}): ${await stopProc(p, grace)}`);
    if (p.name === 'kubelet') {
      const n = await stopAllPodProcs(l.pods, 3000);
      if (n) log(`container processes left by the kubelet: ${n} stopped`);
    }
  }
  const leftovers = await stopAllPodProcs(l.pods, 3000);
  if (leftovers) log(`container processes: ${leftovers} stopped`);
  for (const p of strayProcesses(l.dir)) {
    log(`stray ${p.name} (pid ${p.pid}, not in state.json): ${await stopProc(p, 5000)}`);
  }
  const net = await teardownPodNetwork(l.dir);
  if (net) log(net);
  let entries: string[] = [];
  try {
    entries = readdirSync(l.dir);
  } catch {
    // no folder: nothing to remove
  }
  for (const e of entries) {
    if (e !== 'logs') rmSync(join(l.dir, e), { recursive: true, force: true });
  }
  if (!st && entries.length === 0) log(`no cluster in ${l.dir}`);
  else log(`down; state removed from ${l.dir} (logs kept in ${l.logs}/)`);
}
