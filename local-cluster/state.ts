// state.json: what `up` started (pids with start times, ports) so that `down` and a second `up` need nothing else.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { PodNetwork } from './network/plan.ts';
import type { ProcRef } from './procs.ts';

export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  kubelet: number;
}

export interface ClusterState {
  version: 1;
  dir: string;
  assets: string;
  nodeName: string;
  podIpPrefix: string;
  /** how pods are networked (absent in a state written before network namespaces: loopback) */
  network?: PodNetwork;
  ports: Ports;
  /** in start order; `down` stops them in reverse */
  processes: ProcRef[];
  operator?: ProcRef & { httpPort: number };
  startedAt: string;
}

export function readState(file: string): ClusterState | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
  } catch {
    return undefined; // a torn write: treated as no state, `down` then sweeps what it can find
  }
}

export function writeState(file: string, s: ClusterState): void {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(s, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
