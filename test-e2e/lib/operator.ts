// The operator as a child process for e2e suites and benchmarks, watching one namespace, with its own HTTP port and a
// log file under the cluster's logs, so that a test can read its metrics, SIGKILL it, or run two. Its command line
// is local-cluster/operator-process.ts's, the same as `make operator-up`.
// withOperator() runs a test body in a fresh namespace with an operator and prints the operator's log on failure.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { operatorProcess } from '../../local-cluster/operator-process.ts';
import { freePorts } from '../../local-cluster/ports.ts';
import { clusterLayout } from './cluster.ts';
import { e2eEnv, REPO_ROOT } from './env.ts';
import { type NamespaceOptions, withNamespace } from './namespace.ts';
import { waitFor } from './wait.ts';

/** A free port on 127.0.0.1 (local-cluster/ports.ts); it can still be taken before the caller binds it. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0] as number;
}

/** How often start() tries another port when the one it picked was taken before the operator bound it. */
const PORT_ATTEMPTS = 3;

export class Operator {
  readonly name: string;
  readonly port: number;
  readonly logFile: string;
  private readonly logStart: number;
  private readonly child: ChildProcess;
  readonly exited: Promise<number | string>;

  private constructor(name: string, port: number, logFile: string, logStart: number, child: ChildProcess) {
    this.name = name;
    this.port = port;
    this.logFile = logFile;
    this.logStart = logStart;
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  }

  /**
   * Starts `node operator/main.ts` for one namespace and waits until /readyz answers 200. A port taken between the
   * check and the operator's bind (EADDRINUSE) is retried with another. When the operator does not become ready, it
   * is killed (a live child would keep the test process running) and the error carries its log's last lines.
   */
  static async start(ns: string, name: string, env: Record<string, string> = {}): Promise<Operator> {
    for (let attempt = 1; ; attempt++) {
      const op = Operator.spawn(ns, name, env, await freePort());
      try {
        await op.waitReady();
        return op;
      } catch (err) {
        op.kill('SIGKILL');
        await op.exited;
        const addressInUse = op.logSinceStart().includes('EADDRINUSE');
        if (addressInUse && attempt < PORT_ATTEMPTS) continue;
        const message = (err as Error).message;
        throw new Error(`${message}\n----- operator ${name} log (${op.logFile}), last lines:\n${op.tail(20)}`, {
          cause: err,
        });
      }
    }
  }

  private static spawn(ns: string, name: string, env: Record<string, string>, port: number): Operator {
    const dir = join(clusterLayout().logs, 'operator-e2e');
    mkdirSync(dir, { recursive: true });
    const logFile = join(dir, `${ns}-${name}.log`);
    const fd = openSync(logFile, 'a');
    const logStart = statSync(logFile).size;
    const spec = operatorProcess({
      repoRoot: REPO_ROOT,
      nodeBinary: process.execPath,
      kubeconfig: clusterLayout(e2eEnv.clusterDir).kubeconfig,
      httpPort: port,
      namespaces: [ns],
      podName: name,
      podNamespace: ns,
      logLevel: 'debug',
      env,
    });
    const child = spawn(spec.command, spec.args, { cwd: spec.cwd, stdio: ['ignore', fd, fd], env: spec.env });
    closeSync(fd);
    return new Operator(name, port, logFile, logStart, child);
  }

  /** Until /readyz answers 200; rejects at once when the process exits (a throw inside waitFor means "not yet"). */
  private async waitReady(): Promise<void> {
    const stopped = new AbortController();
    const exited = this.exited.then((code) => {
      throw new Error(`operator ${this.name} exited with ${code} before it was ready`);
    });
    exited.catch(() => undefined);
    const ready = waitFor(async () => (await this.get('/readyz')).status === 200, {
      what: `operator ${this.name} ready`,
      timeoutMs: 60_000,
      signal: stopped.signal,
    });
    ready.catch(() => undefined);
    try {
      await Promise.race([ready, exited]);
    } finally {
      stopped.abort();
    }
  }

  /** What this process wrote to its log file (the file is appended to by every start of the same name). */
  private logSinceStart(): string {
    try {
      return readFileSync(this.logFile).subarray(this.logStart).toString();
    } catch {
      return '';
    }
  }

  async get(path: string): Promise<{ status: number; text: string }> {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`, { signal: AbortSignal.timeout(3000) });
    return { status: res.status, text: await res.text() };
  }

  /** The sum of a metric's samples whose labels contain `labels` (e.g. 'result="success"'). */
  async metric(name: string, labels = ''): Promise<number> {
    const { text } = await this.get('/metrics');
    let sum = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(name) || line.startsWith('#')) continue;
      const m = /^(\w+)(\{[^}]*\})?\s+([0-9.eE+-]+)$/.exec(line);
      if (m && m[1] === name && (m[2] ?? '').includes(labels)) sum += Number(m[3]);
    }
    return sum;
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGTERM and the exit code (0 = graceful); SIGKILL after `graceMs` (then 'SIGKILL'), so a stop never hangs. */
  async stop(graceMs = 30_000): Promise<number | string> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill('SIGTERM');
    const kill = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(kill);
    }
  }

  tail(lines: number): string {
    try {
      return readFileSync(this.logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

/**
 * Runs fn in a fresh namespace with one operator watching it (started before fn, stopped after); prints the
 * operator's log tail when fn throws. `env` adds operator settings.
 */
export async function withOperator<T>(
  fn: (ns: string, op: Operator) => Promise<T>,
  opts: NamespaceOptions & { env?: Record<string, string> } = {},
): Promise<T> {
  return withNamespace(async (ns) => {
    const op = await Operator.start(ns, 'operator', opts.env ?? {});
    try {
      return await fn(ns, op);
    } catch (err) {
      process.stderr.write(`----- operator log (${op.logFile})\n${op.tail(80)}\n`);
      throw err;
    } finally {
      await op.stop();
    }
  }, opts);
}
