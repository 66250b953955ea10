// The controller under test, as a child process: ours started the way the chart runs it (the compiled operator,
// `node dist/operator/image-entry.js`, NODE_ENV=production, the chart's settings), or the Go peer
// (bench/peer). Either runs under the memory limit, with the benchmark identity's kubeconfig, and logs to a file.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterLayout, freePort, REPO_ROOT, waitFor } from '../../test-e2e/lib/index.ts';
import type { MemoryLimit } from './memory-limit.ts';
import { parseProm, type Sample } from './prom.ts';

export type SubjectKind = 'ours' | 'peer';

export interface SubjectOptions {
  kind: SubjectKind;
  kubeconfig: string;
  limit: MemoryLimit;
  /** the peer's binary (bench/lib/peer.ts) */
  peerBinary?: string;
  /** namespaces to watch; empty: all (the chart's default) */
  namespaces?: readonly string[];
  /** a name for the log file */
  label: string;
  /** ours: LOG_LEVEL (the chart's default is info) */
  logLevel?: string;
  /** ours: extra Node flags, e.g. --cpu-prof (bench/profile.ts) */
  nodeFlags?: readonly string[];
  /** ours: settings beside the chart's, e.g. STATUS_EVENT_STREAMS=0 (docs/operator.md, "Configuration") */
  env?: Readonly<Record<string, string>>;
}

/** Every controller process still running: killed when the benchmark process exits, however it exits. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export class Subject {
  readonly kind: SubjectKind;
  readonly logFile: string;
  readonly exited: Promise<string>;
  private readonly child: ChildProcess;
  private readonly metricsPort: number;

  private constructor(o: SubjectOptions, child: ChildProcess, logFile: string, metricsPort: number) {
    this.kind = o.kind;
    this.child = child;
    this.logFile = logFile;
    this.metricsPort = metricsPort;
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`)),
    );
  }

  static async start(o: SubjectOptions): Promise<Subject> {
    const port = await freePort();
    const dir = join(clusterLayout().logs, 'bench');
    mkdirSync(dir, { recursive: true });
    const logFile = join(dir, `${o.label}.log`);
    const base = { PATH: process.env.PATH, HOME: process.env.HOME, KUBECONFIG: o.kubeconfig };
    let cmd: { command: string; args: string[] };
    let env: NodeJS.ProcessEnv;
    let metricsPort = port;
    if (o.kind === 'ours') {
      // The chart's container: the image's entrypoint (operator/Dockerfile) and the chart's environment
      // (charts/pekko-bootstrap-operator/templates/deployment.yaml).
      const entry = join(REPO_ROOT, 'dist', 'operator', 'image-entry.js');
      cmd = o.limit.wrap(process.execPath, [...(o.nodeFlags ?? []), entry], true);
      env = {
        ...base,
        NODE_ENV: 'production',
        WATCH_NAMESPACES: (o.namespaces ?? []).join(','),
        LEADER_ELECTION: 'false',
        POD_NAME: o.label,
        POD_NAMESPACE: 'pbo-bench-system',
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        LOG_LEVEL: o.logLevel ?? 'info',
        ...o.env,
      };
    } else {
      if (!o.peerBinary) throw new Error('the peer needs its binary (bench/peer/build.sh)');
      metricsPort = await freePort();
      const args = [
        `--health-probe-bind-address=127.0.0.1:${port}`,
        `--metrics-bind-address=127.0.0.1:${metricsPort}`,
        `--namespaces=${(o.namespaces ?? []).join(',')}`,
      ];
      cmd = o.limit.wrap(o.peerBinary, args, false);
      env = base;
    }
    const fd = openSync(logFile, 'w');
    const child = spawn(cmd.command, cmd.args, { cwd: REPO_ROOT, env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    running.add(child);
    child.once('exit', () => running.delete(child));
    const s = new Subject(o, child, logFile, metricsPort);
    let exited: string | undefined;
    void s.exited.then((e) => {
      exited = e;
    });
    await waitFor(
      async () => {
        if (exited) throw new Error(`${o.label} exited (${exited}): ${s.tail(15)}`);
        const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) });
        return res.status === 200;
      },
      { what: `${o.label} ready`, timeoutMs: 120_000, intervalMs: 200 },
    );
    return s;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends a signal (e.g. SIGUSR2 for a heap snapshot with --heapsnapshot-signal). */
  signal(sig: NodeJS.Signals): void {
    this.child.kill(sig);
  }

  /** Its Prometheus metrics (ours: /metrics on its HTTP port; the peer: controller-runtime's metrics server). */
  async metrics(): Promise<Sample[]> {
    const res = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`, { signal: AbortSignal.timeout(10_000) });
    return parseProm(await res.text());
  }

  /** SIGTERM, then SIGKILL after 30 s; resolves with how it exited. */
  async stop(): Promise<string> {
    if (this.running) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    const how = await this.exited;
    clearTimeout(timer);
    return how;
  }

  tail(lines: number): string {
    try {
      return readFileSync(this.logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
