// Pod addresses the host has no interface for. The local cluster gives pods 127.x.y.z today (every 127/8 address is
// on `lo`, so binding works at once); with pods in network namespaces on a bridge, a status-only pod's address
// (198.18.0.0/16 by default) exists nowhere and binding it fails with EADDRNOTAVAIL. Then the address is added to
// `lo` as a /32 (root), which routes the host's connections to it locally, and removed again at the end.
import { spawn } from 'node:child_process';

/** Runs `ip -batch -` with the given lines; resolves with its stderr on failure. */
function ipBatch(lines: string[]): Promise<string | undefined> {
  if (lines.length === 0) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const child = spawn('ip', ['-force', '-batch', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', (e) => resolve(`ip: ${e.message}`));
    child.on('close', (code) => resolve(code === 0 ? undefined : err.trim() || `ip exited ${code}`));
    child.stdin.end(`${lines.join('\n')}\n`);
  });
}

export class LoopbackAddresses {
  private readonly added = new Set<string>();
  private pending: string[] = [];
  private flushing: Promise<string | undefined> | undefined;

  /** Adds `ip`/32 to lo; batched with the other calls of the same tick. Rejects when `ip` fails. */
  async add(ip: string): Promise<void> {
    if (this.added.has(ip)) return;
    this.pending.push(ip);
    this.flushing ??= new Promise<string[]>((r) => setImmediate(() => r(this.pending.splice(0)))).then(async (ips) => {
      this.flushing = undefined;
      const err = await ipBatch(ips.map((a) => `addr add ${a}/32 dev lo`));
      // With -force, ip goes on after a failing line: count what is there now, whatever failed.
      for (const a of ips) this.added.add(a);
      return err;
    });
    const err = await this.flushing;
    if (err && !err.includes('File exists')) throw new Error(`adding ${ip}/32 to lo: ${err}`);
  }

  get count(): number {
    return this.added.size;
  }

  /** Removes every address this process added. */
  async removeAll(): Promise<string | undefined> {
    const ips = [...this.added];
    this.added.clear();
    return ipBatch(ips.map((a) => `addr del ${a}/32 dev lo`));
  }
}
