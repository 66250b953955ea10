// The `ip` command (iproute2), the only way the local cluster changes the machine's network: batches of commands
// on stdin (one process for many changes) and JSON queries. Asynchronous, so the kubelet stand-in never blocks.
import { spawn } from 'node:child_process';

export class IpCommandError extends Error {
  readonly code = 'IP_COMMAND_FAILED';
  /** the first line `ip` printed on stderr (e.g. "RTNETLINK answers: Operation not permitted") */
  readonly reason: string;
  constructor(message: string, reason: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IpCommandError';
    this.reason = reason;
  }
}

const firstLine = (stderr: string, code: number) => stderr.trim().split('\n')[0] || `exit ${code}`;

function runIp(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('error', (err) => {
      const reason = `cannot run ip: ${err.message}`;
      reject(new IpCommandError(reason, reason, { cause: err }));
    });
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.on('error', () => {}); // ip exited before reading everything: its exit code tells
    child.stdin.end(input ?? '');
  });
}

export interface BatchOptions {
  /** run every line inside this network namespace (`ip -n NAME -batch -`) */
  netns?: string;
  /** go on after a failed line and do not throw (clean-up, where "not there" is fine) */
  force?: boolean;
}

/** Runs `ip` commands (one per line, without the leading `ip`) in one process. */
export async function ipBatch(lines: readonly string[], opts: BatchOptions = {}): Promise<void> {
  if (lines.length === 0) return;
  const args = [...(opts.netns ? ['-n', opts.netns] : []), ...(opts.force ? ['-force'] : []), '-batch', '-'];
  const r = await runIp(args, `${lines.join('\n')}\n`);
  if (r.code !== 0 && !opts.force) {
    const where = opts.netns ? ` in network namespace ${opts.netns}` : '';
    const reason = firstLine(r.stderr, r.code);
    throw new IpCommandError(`ip${where} failed: ${r.stderr.trim() || reason} (commands: ${lines.join('; ')})`, reason);
  }
}

/** `ip -j <args>` parsed; `[]` for empty output. */
export async function ipJson<T>(args: readonly string[], netns?: string): Promise<T[]> {
  const r = await runIp([...(netns ? ['-n', netns] : []), '-j', ...args]);
  if (r.code !== 0) {
    const reason = firstLine(r.stderr, r.code);
    throw new IpCommandError(`ip ${args.join(' ')} failed: ${r.stderr.trim() || reason}`, reason);
  }
  return r.stdout.trim() ? (JSON.parse(r.stdout) as T[]) : [];
}

/** Names of the machine's network namespaces (`ip netns list`). */
export async function netnsList(): Promise<string[]> {
  const r = await runIp(['netns', 'list']);
  if (r.code !== 0) return [];
  return r.stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter(Boolean);
}
