// Benchmark: the agent's footprint on the local cluster, per member of a 3-member cluster in steady state (formed,
// past the join grace, then a measured minute):
//   RSS of each agent process (VmRSS), run as `node agent/main.ts` (type stripping) and compiled by tsc
//   (`tsconfig.build.json`, what dist/agent/main.js is in the image), one cluster each;
//   API requests on the ClusterMembership per member per minute, from the API server's apiserver_request_total.
// Prints the figures and writes bench/results/agent.md.
//
//   node bench/agent.bench.ts        (needs `make cluster-up`; compiles into a temporary folder under .cluster/)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import {
  agentScenario,
  applyAgents,
  clusterLayout,
  ensureCrd,
  kubectl,
  oneAgentCluster,
  REPO_ROOT,
  registerImages,
  unregisterImages,
} from '../test-e2e/lib/index.ts';

const MAP = 'agent-bench';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMiB(pod: V1Pod): number {
  const ref = JSON.parse(readFileSync(join(clusterLayout().pods, pod.metadata?.uid ?? '', 'pids', 'app.json'), 'utf8'));
  const status = readFileSync(`/proc/${ref.pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024);
}

async function requests(): Promise<Record<string, number>> {
  const { stdout } = await kubectl(['get', '--raw', '/metrics']);
  const out: Record<string, number> = {};
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('apiserver_request_total{') || !line.includes('resource="clustermemberships"')) continue;
    const verb = /verb="([A-Z]+)"/.exec(line)?.[1] ?? '?';
    out[verb] = (out[verb] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return out;
}

interface Run {
  how: string;
  rss: number[];
  perMemberMinute: Record<string, number>;
  formedS: number;
}

async function measure(how: string, image: string): Promise<Run> {
  let run: Run | undefined;
  await agentScenario('bench-agent', async (ns) => {
    const t0 = Date.now();
    await applyAgents(ns, { replicas: 3, image });
    const pods = await oneAgentCluster(ns, 3);
    const formedS = (Date.now() - t0) / 1000;
    await sleep(20_000);
    const before = await requests();
    const t1 = Date.now();
    await sleep(60_000);
    const after = await requests();
    const minutes = (Date.now() - t1) / 60_000;
    const perMemberMinute: Record<string, number> = {};
    for (const verb of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const d = ((after[verb] ?? 0) - (before[verb] ?? 0)) / 3 / minutes;
      if (d > 0) perMemberMinute[verb] = Math.round(d * 100) / 100;
    }
    run = { how, rss: pods.map(rssMiB), perMemberMinute, formedS };
  });
  if (!run) throw new Error(`no figures for ${how}`);
  return run;
}

async function main(): Promise<void> {
  await ensureCrd();
  // Inside the repository, so that the compiled files resolve its node_modules.
  const out = mkdtempSync(join(clusterLayout().dir, 'agent-dist-'));
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', out], { cwd: REPO_ROOT, stdio: 'inherit' });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: image-map placeholders
    registerImages(MAP, { 'pekko-bootstrap-agent:compiled': { command: ['${NODE}', join(out, 'agent', 'main.js')] } });
    const runs = [
      await measure('node agent/main.ts (type stripping)', 'pekko-bootstrap-agent:dev'),
      await measure('compiled (tsc, tsconfig.build.json)', 'pekko-bootstrap-agent:compiled'),
    ];
    const md = [
      '# The agent on the local cluster',
      '',
      `Written by \`node bench/agent.bench.ts\` on ${new Date().toISOString().slice(0, 10)}: a 3-member cluster per`,
      'row, formed, 20 s past the join grace, then one measured minute. RSS is each agent process (VmRSS); requests',
      "are the API server's apiserver_request_total on clustermemberships, per member per minute (a WATCH is counted",
      "when it ends: the agents renew theirs every 5 minutes, and the controller manager's garbage collector watches",
      'every kind too; GET and PUT are the agents alone).',
      '',
      '| agent | formed after | RSS per process | requests per member per minute |',
      '|---|---|---|---|',
      ...runs.map(
        (r) =>
          `| ${r.how} | ${r.formedS.toFixed(1)} s | ${r.rss.join(', ')} MiB | ${
            Object.entries(r.perMemberMinute)
              .map(([v, n]) => `${v} ${n}`)
              .join(', ') || 'none'
          } |`,
      ),
      '',
    ].join('\n');
    writeFileSync(join(REPO_ROOT, 'bench', 'results', 'agent.md'), md);
    console.log(`\n${md}\nwritten to bench/results/agent.md`);
  } finally {
    unregisterImages(MAP);
    rmSync(out, { recursive: true, force: true });
  }
}

await main();
