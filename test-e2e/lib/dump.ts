// What a failed e2e test prints: the namespace's pods (table), each container's last log lines, the Events in time
// order, the YAML of the objects under test, and the operator's log lines that mention the namespace.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterLayout, podLogPath } from './cluster.ts';
import { kubectl } from './kubectl.ts';

export interface DumpOptions {
  /** kubectl resource names to print as YAML, e.g. ['clusterbootstrap/demo']; default: every Deployment and
   * ClusterBootstrap in the namespace */
  objects?: string[];
  /** log lines per container (default 40) */
  logLines?: number;
}

const tail = (text: string, n: number) =>
  text
    .split('\n')
    .slice(-n - 1)
    .join('\n');

async function section(title: string, args: string[], ns: string): Promise<string> {
  const r = await kubectl(args, { namespace: ns, check: false });
  return `----- ${title}\n${(r.stdout || r.stderr).trim()}\n`;
}

/** Collects the namespace's diagnostics as text (never throws: a dump must not hide the original failure). */
export async function describeNamespace(ns: string, opts: DumpOptions = {}): Promise<string> {
  const out: string[] = [`===== diagnostics for namespace ${ns}`];
  try {
    out.push(await section('pods', ['get', 'pods', '-o', 'wide'], ns));
    const pods = await kubectl(['get', 'pods', '-o', 'json'], { namespace: ns, check: false });
    const items = (
      (pods.code === 0 ? JSON.parse(pods.stdout) : { items: [] }) as {
        items: {
          metadata: { name: string };
          spec: { containers: { name: string }[]; initContainers?: { name: string }[] };
        }[];
      }
    ).items;
    for (const p of items) {
      for (const c of [...(p.spec.initContainers ?? []), ...p.spec.containers]) {
        const file = podLogPath(ns, p.metadata.name, c.name);
        const text = existsSync(file) ? tail(readFileSync(file, 'utf8'), opts.logLines ?? 40) : '(no log file)';
        out.push(`----- log ${p.metadata.name}/${c.name} (${file})\n${text}`);
      }
    }
    out.push(await section('events', ['get', 'events', '--sort-by=.metadata.creationTimestamp'], ns));
    const objects = opts.objects ?? ['deployments', 'clusterbootstraps'];
    for (const o of objects) out.push(await section(`yaml ${o}`, ['get', o, '-o', 'yaml'], ns));
    const opLog = join(clusterLayout().logs, 'operator.log');
    if (existsSync(opLog)) {
      const lines = readFileSync(opLog, 'utf8')
        .split('\n')
        .filter((l) => l.includes(ns));
      out.push(`----- operator log lines naming ${ns} (last 60 of ${lines.length})\n${lines.slice(-60).join('\n')}`);
    }
  } catch (err) {
    out.push(`(diagnostics incomplete: ${(err as Error).message})`);
  }
  return out.join('\n');
}

/** Prints describeNamespace's text to stderr. */
export async function dumpNamespace(ns: string, opts: DumpOptions = {}): Promise<void> {
  process.stderr.write(`${await describeNamespace(ns, opts)}\n`);
}
