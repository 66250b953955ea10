// The operator as a child process for e2e suites and benchmarks, watching one namespace, with its own HTTP port and a
// log file under the cluster's logs, so that a test can read its metrics, SIGKILL it, or run two. Its command line
// is local-cluster/operator-process.ts's, the same as `make operator-up`.
// withOperator() runs a test body in a fresh namespace with an operator and prints the operator's log on failure.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { operatorProcess } from '../../local-cluster/operator-process.ts';
import { clusterLayout } from './cluster.ts';
import { e2eEnv, REPO_ROOT } from './env.ts';
import { type NamespaceOptions, withNamespace } from './namespace.ts';
import { waitFor } from './wait.ts';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export class Operator {
  readonly name: string;
  readonly port: number;
  readonly logFile: string;
  private readonly child: ChildProcess;
  readonly exited: Promise<number | string>;

  private constructor(name: string, port: number, logFile: string, child: ChildProcess) {
    this.name = name;
    this.port = port;
    this.logFile = logFile;
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  }

  /** Starts `node operator/main.ts` for one namespace and waits until /readyz answers 200. */
  static async start(ns: string, name: string, env: Record<string, string> = {}): Promise<Operator> {
    const port = await freePort();
    const dir = join(clusterLayout().logs, 'operator-e2e');
    mkdirSync(dir, { recursive: true });
    const logFile = join(dir, `${ns}-${name}.log`);
    const fd = openSync(logFile, 'a');
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
    const op = new Operator(name, port, logFile, child);
    let exitedEarly: number | string | undefined;
    void op.exited.then((c) => {
      exitedEarly = c;
    });
    await waitFor(
      async () => {
        if (exitedEarly !== undefined) throw new Error(`exited with ${exitedEarly}: ${op.tail(10)}`);
        return (await op.get('/readyz')).status === 200;
      },
      { what: `operator ${name} ready`, timeoutMs: 60_000 },
    );
    return op;
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

  /** SIGTERM and the exit code (0 = graceful). */
  async stop(): Promise<number | string> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
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
