// Runs one command as the leader of its own process group, so that it and everything it started (children,
// grandchildren that did not start a group of their own) can be stopped together. The runner stops the group:
//   - when the command runs longer than its timeout;
//   - when the command said it is done (`finished`, e.g. uvu printed its totals) but does not exit within `lingerMs`
//     (a timer, socket or child process keeps Node alive);
//   - when the command exited but left processes running in its group (they would hold its output open, or leak).
// Each of these is reported in `stopped`, and the caller counts it as a failure. Stopping a group is SIGTERM, then
// SIGKILL to whatever is left after KILL_GRACE_MS.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface GroupRunOptions {
  timeoutMs: number;
  /** How long the process may live on after `finished` turned true, or its group after it exited. */
  lingerMs: number;
  /** Called with the output so far after each chunk: true when the command's work is done. */
  finished?: (stdout: string) => boolean;
  /** Write the output through as it comes (one file at a time); otherwise only collect it. */
  echo?: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Aborting stops the group (the result's `stopped` says so). */
  signal?: AbortSignal;
}

export interface GroupRunResult {
  /** Exit code, or undefined when a signal ended it. */
  code: number | undefined;
  signal: NodeJS.Signals | undefined;
  stdout: string;
  /** stdout and stderr as they arrived. */
  output: string;
  ms: number;
  /** Why the runner stopped it or its group; undefined when it ended cleanly on its own. */
  stopped?: string;
}

const KILL_GRACE_MS = 3000;
/** The groups running now, for stopAllGroups() when the runner itself is interrupted. */
const running = new Set<number>();

/**
 * True while a process of group `pgid` is still running. Zombies (dead, not yet reaped by their new parent) do not
 * count: on Linux the group's members are read from /proc; elsewhere a signal 0 to the group answers.
 */
export function groupAlive(pgid: number): boolean {
  if (process.platform === 'linux') {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue; // gone meanwhile
      }
      // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so read after the last ')'.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
    }
    return false;
  }
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone
  }
}

/** SIGTERM to the group; SIGKILL to what is left after a grace period. Resolves once it is empty (or 2 s after). */
async function stopGroup(pgid: number): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + KILL_GRACE_MS;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(50);
  signalGroup(pgid, 'SIGKILL');
  for (let i = 0; i < 100 && groupAlive(pgid); i++) await sleep(20);
}

/** Kills every group this process started (when the runner is interrupted). */
export function stopAllGroups(): void {
  for (const pgid of running) signalGroup(pgid, 'SIGKILL');
}

const secs = (ms: number) => `${Math.round(ms / 100) / 10}s`;

export function runInGroup(cmd: string, args: string[], o: GroupRunOptions): Promise<GroupRunResult> {
  const started = Date.now();
  let stdout = '';
  let output = '';
  let stopped: string | undefined;
  let exited = false;
  let linger: NodeJS.Timeout | undefined;
  let child: ChildProcess;
  try {
    child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], cwd: o.cwd, env: o.env });
  } catch (err) {
    return Promise.resolve({ code: 127, signal: undefined, stdout, output: String(err), ms: 0, stopped: undefined });
  }
  const pgid = child.pid;
  if (pgid !== undefined) running.add(pgid);
  let stopping: Promise<void> = Promise.resolve();
  const stop = (why: string) => {
    stopped ??= why;
    if (pgid !== undefined) stopping = stopGroup(pgid);
  };
  const timeout = setTimeout(
    () => stop(`timed out after ${secs(o.timeoutMs)}; its process group was killed`),
    o.timeoutMs,
  );
  const onAbort = () => stop('aborted by the caller');
  if (o.signal?.aborted) onAbort();
  else o.signal?.addEventListener('abort', onAbort, { once: true });

  const closed = Promise.all(
    [child.stdout, child.stderr].map((s) => new Promise<void>((resolve) => s?.once('close', () => resolve()))),
  );
  child.stdout?.on('data', (d: Buffer) => {
    const text = d.toString();
    stdout += text;
    output += text;
    if (o.echo) process.stdout.write(d);
    if (!o.finished || exited) return;
    clearTimeout(linger);
    linger = undefined;
    if (o.finished(stdout)) {
      linger = setTimeout(
        () =>
          stop(
            `did not exit within ${secs(o.lingerMs)} after its tests finished (a timer, socket or child process ` +
              'left running); its process group was killed',
          ),
        o.lingerMs,
      );
    }
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
    if (o.echo) process.stderr.write(d);
  });

  return new Promise((resolve) => {
    child.once('error', (err) => {
      clearTimeout(timeout);
      clearTimeout(linger);
      o.signal?.removeEventListener('abort', onAbort);
      if (pgid !== undefined) running.delete(pgid);
      resolve({ code: 127, signal: undefined, stdout, output: `${output}\n${String(err)}`, ms: Date.now() - started });
    });
    child.once('exit', async (code, signal) => {
      exited = true;
      clearTimeout(timeout);
      clearTimeout(linger);
      o.signal?.removeEventListener('abort', onAbort);
      if (pgid !== undefined) {
        // What it started and left behind in its group: given a moment to end (a child that got SIGTERM with its
        // parent), then stopped.
        const deadline = Date.now() + Math.min(o.lingerMs, 1000);
        while (groupAlive(pgid) && Date.now() < deadline) await sleep(20);
        if (groupAlive(pgid)) stop('exited but left processes running in its process group; they were killed');
        await stopping;
        running.delete(pgid);
      }
      // Output held open by a process outside the group (one that started its own) is not waited for.
      await Promise.race([closed, sleep(1000)]);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({
        code: code ?? undefined,
        signal: signal ?? undefined,
        stdout,
        output,
        ms: Date.now() - started,
        ...(stopped ? { stopped } : {}),
      });
    });
  });
}
