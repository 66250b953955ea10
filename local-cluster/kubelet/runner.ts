// Starts a container's process. It joins its pod's network namespace (`nsenter --net`, when the pod has one), and
// volumes (the service-account token above all) appear at their mountPath through a private mount namespace per
// container: `unshare --mount` runs a tiny shell that bind-mounts each per-pod folder and then execs the command.
// Every step execs the next, so the pid we get is the command's own pid. Each process leads its own process group;
// the whole group is killed when the container stops.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { constants } from 'node:os';
import { type ProcRef, procStartTime } from '../procs.ts';

/** mount: root, `unshare --mount`; userns: unprivileged, `unshare --user --map-root-user --mount`; none: no mounts */
export type NsMode = 'mount' | 'userns' | 'none';

export interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

const MOUNT_SCRIPT =
  'while [ "$1" != "--" ]; do mkdir -p "$2" && mount --bind "$1" "$2" || exit 126; ' +
  'if [ "$3" = ro ]; then mount -o remount,bind,ro "$2" || exit 126; fi; shift 3; done; shift; exec "$@"';

/** Which way of giving processes private mounts works on this machine (checked once at start). */
export function detectNsMode(): NsMode {
  const ok = (args: string[]) => spawnSync('unshare', [...args, '--', 'true'], { stdio: 'ignore' }).status === 0;
  if (ok(['--mount', '--propagation', 'private'])) return 'mount';
  if (ok(['--user', '--map-root-user', '--mount', '--propagation', 'private'])) return 'userns';
  return 'none';
}

/** The argv that runs `command` with `mounts` in place, inside the network namespace at `netns` if given (pure). */
export function wrapArgv(command: readonly string[], mounts: readonly Mount[], mode: NsMode, netns?: string): string[] {
  const inNet = netns ? ['nsenter', `--net=${netns}`, '--'] : [];
  if (mounts.length === 0 || mode === 'none') return [...inNet, ...command];
  const ns = mode === 'mount' ? ['--mount'] : ['--user', '--map-root-user', '--mount'];
  return [
    ...inNet,
    'unshare',
    ...ns,
    '--propagation',
    'private',
    '--',
    '/bin/sh',
    '-c',
    MOUNT_SCRIPT,
    'pbo-mount',
    ...mounts.flatMap((m) => [m.source, m.target, m.readOnly ? 'ro' : 'rw']),
    '--',
    ...command,
  ];
}

export interface RunSpec {
  name: string;
  command: readonly string[];
  env: Record<string, string>;
  cwd: string;
  logFile: string;
  mounts: readonly Mount[];
  /** the pod's network namespace (/run/netns/<name>); absent: the host's network */
  netns?: string;
}

export interface Exit {
  code: number;
  signal: NodeJS.Signals | null;
  message?: string;
}

export interface Running {
  ref: ProcRef;
  exited: Promise<Exit>;
}

export function runContainer(spec: RunSpec, mode: NsMode): Promise<Running> {
  const [cmd, ...args] = wrapArgv(spec.command, spec.mounts, mode, spec.netns);
  if (!cmd) return Promise.reject(new Error(`${spec.name}: empty command`));
  const fd = openSync(spec.logFile, 'a');
  return new Promise<Running>((resolve, reject) => {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd], env: spec.env, cwd: spec.cwd });
    const exited = new Promise<Exit>((res) => {
      // like a container runtime: a process killed by signal N exits with 128+N
      child.once('exit', (code, signal) =>
        res({ code: code ?? 128 + (signal ? constants.signals[signal] : 0), signal }),
      );
    });
    child.once('error', (err) => {
      closeSync(fd);
      reject(new Error(`${spec.name}: cannot start ${cmd}: ${err.message}`, { cause: err }));
    });
    child.once('spawn', () => {
      closeSync(fd);
      const pid = child.pid as number;
      resolve({ ref: { name: spec.name, pid, startTime: procStartTime(pid) ?? '', group: true }, exited });
    });
  });
}

/** SIGTERM to the process, SIGKILL to its whole group after graceMs; resolves once it has exited. */
export async function stopRunning(running: Running, graceMs: number): Promise<void> {
  const signal = (sig: NodeJS.Signals, group: boolean) => {
    try {
      process.kill(group ? -running.ref.pid : running.ref.pid, sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM', false);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => {
    timer = setTimeout(() => r('timeout'), graceMs);
  });
  if ((await Promise.race([running.exited, timeout])) === 'timeout') signal('SIGKILL', true);
  clearTimeout(timer);
  await running.exited;
}
