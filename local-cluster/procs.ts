// Processes started by the local cluster, remembered by pid AND start time, so that a recycled pid is never
// signalled: a process "is" the one we started only while /proc/<pid>/stat still shows the same start time.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** A process we started: its pid, its start time (clock ticks since boot, from /proc) and its process group. */
export interface ProcRef {
  name: string;
  pid: number;
  startTime: string;
  /** true when the process leads its own process group (spawned detached); then the group is killed too. */
  group: boolean;
}

/** The start time field of /proc/<pid>/stat, or undefined when the pid does not exist or is a zombie. */
export function procStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: fields after the LAST ')' are fixed.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (rest[0] === 'Z' || rest[0] === 'X') return undefined; // state (field 3): dead, waiting to be reaped
  return rest[19]; // field 22, starttime
}

export function isAlive(ref: Pick<ProcRef, 'pid' | 'startTime'>): boolean {
  return procStartTime(ref.pid) === ref.startTime;
}

export class SpawnError extends Error {
  readonly code = 'SPAWN_FAILED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SpawnError';
  }
}

export interface SpawnOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout and stderr are appended to this file. */
  logFile: string;
}

/**
 * Starts a process in its own session (so it survives the caller, e.g. `make`, exiting) with output appended to a
 * log file, and returns once it is running.
 */
export async function spawnDetached(name: string, cmd: string, args: string[], opts: SpawnOptions): Promise<ProcRef> {
  const fd = openSync(opts.logFile, 'a');
  try {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd], env: opts.env, cwd: opts.cwd });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', (err) =>
        reject(new SpawnError(`${name}: cannot start ${cmd}: ${err.message}`, { cause: err })),
      );
      child.once('spawn', () => resolve(child.pid as number));
    });
    child.unref();
    const startTime = procStartTime(pid);
    if (startTime === undefined) throw new SpawnError(`${name} (${cmd}) exited at once; see ${opts.logFile}`);
    return { name, pid, startTime, group: true };
  } finally {
    closeSync(fd);
  }
}

function signal(ref: ProcRef, sig: NodeJS.Signals, wholeGroup: boolean): void {
  try {
    process.kill(wholeGroup && ref.group ? -ref.pid : ref.pid, sig);
  } catch {
    // already gone (ESRCH): nothing to do
  }
}

/**
 * Stops one process: SIGTERM, then SIGKILL to its whole group after `graceMs`. Resolves 'gone' when it was not
 * running, 'exited' when it stopped on SIGTERM, 'killed' when SIGKILL was needed.
 */
export async function stopProc(ref: ProcRef, graceMs: number): Promise<'gone' | 'exited' | 'killed'> {
  if (!isAlive(ref)) {
    signal(ref, 'SIGKILL', true); // leftovers of its group, if any (the leader is gone but children may not be)
    return 'gone';
  }
  signal(ref, 'SIGTERM', false);
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await sleep(50);
    if (!isAlive(ref)) {
      signal(ref, 'SIGKILL', true);
      return 'exited';
    }
  }
  signal(ref, 'SIGKILL', true);
  for (let i = 0; i < 100 && isAlive(ref); i++) await sleep(20);
  return 'killed';
}
