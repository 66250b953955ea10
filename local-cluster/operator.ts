// `cli.ts operator-up|operator-down`: the operator from source (node operator/main.ts) against the local cluster,
// detached, with the CRD applied first. Logs: <dir>/logs/operator.log; pid in state.json.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CliConfig } from './config.ts';
import { httpGet } from './http-get.ts';
import { layout } from './layout.ts';
import { operatorProcess } from './operator-process.ts';
import { freePorts } from './ports.ts';
import { isAlive, spawnDetached, stopProc } from './procs.ts';
import { readState, writeState } from './state.ts';

const say = (msg: string) => console.log(`[operator] ${msg}`);

export class OperatorError extends Error {
  readonly code = 'OPERATOR_UP_FAILED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OperatorError';
  }
}

const CRD_NAMES = ['clusterbootstraps.bootstrap.pekko-operator.dev', 'clustermemberships.bootstrap.pekko-operator.dev'];

export async function operatorUp(cfg: CliConfig): Promise<void> {
  const l = layout(cfg.dir);
  const st = readState(l.state);
  if (!st) throw new OperatorError(`no local cluster in ${l.dir}: run make cluster-up first`);
  const kubectl = join(st.assets, 'kubectl');
  const crds = join(cfg.repoRoot, 'crds');
  for (const file of ['clusterbootstrap.yaml', 'clustermembership.yaml']) {
    if (!existsSync(join(crds, file))) {
      throw new OperatorError(`${join(crds, file)} is missing: run make generate (it renders the CRDs from core/api)`);
    }
  }
  const k = (args: string[]) =>
    execFileSync(kubectl, ['--kubeconfig', l.kubeconfig, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  say(k(['apply', '--server-side', '--force-conflicts', '-f', crds]).trim());
  k(['wait', '--for=condition=Established', '--timeout=60s', ...CRD_NAMES.map((n) => `crd/${n}`)]);
  say(`CRDs ${CRD_NAMES.join(', ')} established`);

  if (st.operator && isAlive(st.operator)) {
    say(
      `already running (pid ${st.operator.pid}, http://127.0.0.1:${st.operator.httpPort}); logs ${l.logs}/operator.log`,
    );
    return;
  }
  const [httpPort] = (await freePorts(1)) as [number];
  const logFile = join(l.logs, 'operator.log');
  const spec = operatorProcess({
    repoRoot: cfg.repoRoot,
    nodeBinary: cfg.nodeBinary,
    kubeconfig: l.kubeconfig,
    httpPort,
    namespaces: process.env.WATCH_NAMESPACES?.split(',').filter(Boolean),
    logLevel: process.env.LOG_LEVEL ?? 'info',
  });
  const ref = await spawnDetached('operator', spec.command, spec.args, { env: spec.env, cwd: spec.cwd, logFile });
  st.operator = { ...ref, httpPort };
  writeState(l.state, st);
  const health = `http://127.0.0.1:${httpPort}/healthz`;
  for (let i = 0; i < 120; i++) {
    if (!isAlive(ref)) {
      const log = readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
      throw new OperatorError(`the operator exited at start; last lines of ${logFile}:\n${log}`);
    }
    const ok = await httpGet(health, { timeoutMs: 1000 }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) {
      say(`running (pid ${ref.pid}), ${health} answers; logs ${logFile}`);
      return;
    }
    await sleep(250);
  }
  say(`started (pid ${ref.pid}) but ${health} has not answered within 30s; logs ${logFile}`);
}

export async function operatorDown(cfg: CliConfig): Promise<void> {
  const l = layout(cfg.dir);
  const st = readState(l.state);
  if (!st?.operator) {
    say('not running');
    return;
  }
  say(`pid ${st.operator.pid}: ${await stopProc(st.operator, 10000)}`);
  delete st.operator;
  writeState(l.state, st);
}
