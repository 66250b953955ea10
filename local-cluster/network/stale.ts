// Whether another local cluster's bridge is a leftover: the cluster that made it has stopped without `down` (a
// killed shell, a restarted machine that kept its interfaces, a clone deleted while its cluster ran). `up` removes
// such leftovers instead of refusing the range, so that a fresh clone's `make test` is not blocked by a cluster
// nobody runs any more. A cluster still starting (its state lists no process yet) is never taken for a leftover.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcRef } from '../procs.ts';

export interface OwnerFacts {
  /** whether the folder named by the bridge's alias exists */
  dirExists: boolean;
  /** the processes its state.json lists, or undefined without a readable state.json */
  processes: Pick<ProcRef, 'pid' | 'startTime'>[] | undefined;
}

/** Why the cluster that owns a bridge has stopped, or undefined while it may run (or be starting). */
export function stoppedBecause(owner: OwnerFacts, alive: (p: Pick<ProcRef, 'pid' | 'startTime'>) => boolean) {
  if (!owner.dirExists) return 'its folder is gone';
  if (owner.processes === undefined || owner.processes.length === 0) return undefined; // starting, or unknown
  if (owner.processes.some(alive)) return undefined;
  return `none of its ${owner.processes.length} processes runs`;
}

export function ownerFacts(dir: string, readProcesses: (stateFile: string) => OwnerFacts['processes']): OwnerFacts {
  return { dirExists: existsSync(dir), processes: readProcesses(join(dir, 'state.json')) };
}
