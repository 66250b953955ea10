// Pid files of container processes, <pods>/<pod uid>/pids/<container>.json, written by the kubelet stand-in when it
// starts a process and removed when the process ends. They let `down` (and a restarted kubelet) stop container
// processes even when the kubelet that started them is gone.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ProcRef, stopProc } from './procs.ts';

export function pidFile(podsDir: string, podUid: string, container: string): string {
  return join(podsDir, podUid, 'pids', `${container}.json`);
}

export function writePidFile(file: string, ref: ProcRef): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, JSON.stringify(ref));
}

export function removePidFile(file: string): void {
  rmSync(file, { force: true });
}

/** Every container process recorded under `podsDir`, alive or not. */
export function listPodProcs(podsDir: string): { file: string; ref: ProcRef }[] {
  const out: { file: string; ref: ProcRef }[] = [];
  let uids: string[] = [];
  try {
    uids = readdirSync(podsDir);
  } catch {
    return out;
  }
  for (const uid of uids) {
    const dir = join(podsDir, uid, 'pids');
    let files: string[] = [];
    try {
      files = readdirSync(dir);
    } catch {
      continue;
    }
    for (const f of files.filter((x) => x.endsWith('.json'))) {
      try {
        out.push({ file: join(dir, f), ref: JSON.parse(readFileSync(join(dir, f), 'utf8')) as ProcRef });
      } catch {
        // a torn write from a crash: the process, if any, is found by `down`'s directory scan fallback
      }
    }
  }
  return out;
}

/** Stops every recorded container process (SIGTERM, SIGKILL after graceMs) and removes the pid files. */
export async function stopAllPodProcs(podsDir: string, graceMs: number): Promise<number> {
  const procs = listPodProcs(podsDir);
  const results = await Promise.all(procs.map(({ ref }) => stopProc(ref, graceMs)));
  for (const { file } of procs) removePidFile(file);
  return results.filter((r) => r !== 'gone').length;
}
