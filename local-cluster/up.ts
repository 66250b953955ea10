// `cli.ts up`: PKI, etcd, kube-apiserver, kube-controller-manager, kube-scheduler and the kubelet stand-in, each a
// detached process recorded in state.json. Idempotent: a healthy cluster is left alone; a broken one is torn down
// and started afresh. Returns once the Node is Ready and the `default` ServiceAccount exists.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliConfig } from './config.ts';
import {
  apiserverCmd,
  type ComponentCmd,
  type ControlPlaneInput,
  controllerManagerCmd,
  etcdCmd,
  schedulerCmd,
} from './control-plane.ts';
import { down } from './down.ts';
import { apiGet, ClusterUpError, healthy, nodeProblem, waitUntil } from './health.ts';
import { httpGet } from './http-get.ts';

export { ClusterUpError } from './health.ts';

import { loadImageMaps } from './images.ts';
import { renderKubeconfig } from './kubeconfig.ts';
import type { KubeletFile } from './kubelet/config.ts';
import { type Layout, layout } from './layout.ts';
import { describePodNetwork, setupPodNetwork } from './network/cluster-network.ts';
import { ensurePki, type Pki } from './pki.ts';
import { stopAllPodProcs } from './pod-pids.ts';
import { freePorts } from './ports.ts';
import { type ProcRef, spawnDetached, stopProc } from './procs.ts';
import { type ClusterState, readState, writeState } from './state.ts';

export const NODE_NAME = 'pbo-local';

const say = (msg: string) => console.log(`[cluster] ${msg}`);

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** The assets folder from build-binaries.sh (instant when cached; it honours KUBEBUILDER_ASSETS). */
function assetsFolder(script: string): string {
  const out = execFileSync(script, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const last = out.trim().split('\n').pop() ?? '';
  if (!existsSync(join(last, 'kube-apiserver'))) throw new ClusterUpError(`build-binaries.sh printed no assets folder`);
  return last;
}

async function startComponent(c: ComponentCmd, st: ClusterState, l: Layout, pki: Pki, deadline: number) {
  const started = Date.now();
  const logFile = join(l.logs, `${c.name}.log`);
  const ref = await spawnDetached(c.name, c.cmd, c.args, { env: { PATH: process.env.PATH }, logFile });
  st.processes.push(ref);
  writeState(l.state, st);
  const auth =
    c.name === 'kube-apiserver' ? { caFile: pki.caCert, certFile: pki.adminCert, keyFile: pki.adminKey } : {};
  try {
    await waitUntil(
      `${c.name} (${c.health})`,
      deadline,
      async () => {
        try {
          const r = await httpGet(c.health, { ...auth, insecure: c.name !== 'kube-apiserver' });
          return r.status === 200 ? undefined : `HTTP ${r.status} ${r.body.slice(0, 200)}`;
        } catch (err) {
          return (err as Error).message;
        }
      },
      ref,
    );
  } catch (err) {
    throw new ClusterUpError(`${(err as Error).message}\n--- last lines of ${logFile}:\n${tail(logFile, 30)}`, {
      cause: err,
    });
  }
  say(`${c.name} ready on ${new URL(c.health).host} (${((Date.now() - started) / 1000).toFixed(1)}s, pid ${ref.pid})`);
}

function printUsage(l: Layout): void {
  say(`kubeconfig: ${l.kubeconfig}`);
  say(`  kubectl --kubeconfig ${l.kubeconfig} get nodes`);
  say(`  export KUBECONFIG=${l.kubeconfig}`);
  say(`logs: ${l.logs}/ (pods: ${l.podLogs}/<ns>_<pod>_<container>.log)`);
}

function spawnKubelet(cfg: CliConfig, l: Layout): Promise<ProcRef> {
  const kubeletMain = join(cfg.repoRoot, 'local-cluster', 'kubelet', 'main.ts');
  return spawnDetached('kubelet', cfg.nodeBinary, [kubeletMain, '--dir', l.dir], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...(process.env.LOG_LEVEL ? { LOG_LEVEL: process.env.LOG_LEVEL } : {}),
    },
    cwd: cfg.repoRoot,
    logFile: join(l.logs, 'kubelet.log'),
  });
}

/**
 * Replaces the kubelet stand-in with a fresh process (after changing its code): the old one stops its container
 * processes; the new one starts every pod bound to the node again (restartCount goes up). Pod objects stay.
 */
export async function restartKubelet(cfg: CliConfig): Promise<void> {
  const l = layout(cfg.dir);
  const st = readState(l.state);
  const i = st?.processes.findIndex((p) => p.name === 'kubelet') ?? -1;
  if (!st || i < 0) throw new ClusterUpError(`no cluster in ${l.dir}: run make cluster-up`);
  say(`kubelet (pid ${st.processes[i]?.pid}): ${await stopProc(st.processes[i] as ProcRef, 15000)}`);
  await stopAllPodProcs(l.pods, 3000);
  const kref = await spawnKubelet(cfg, l);
  st.processes[i] = kref;
  writeState(l.state, st);
  say(`kubelet restarted (pid ${kref.pid})`);
}

async function startFresh(cfg: CliConfig, l: Layout): Promise<void> {
  const t0 = Date.now();
  const deadline = t0 + cfg.timeoutSeconds * 1000;
  for (const d of [l.pki, l.etcdData, l.logs, l.pods, l.images, l.imagesDir, l.state])
    rmSync(d, { recursive: true, force: true });
  for (const d of [l.dir, l.logs, l.podLogs, l.pods, l.imagesDir]) mkdirSync(d, { recursive: true });
  const assets = assetsFolder(cfg.buildScript);
  say(`binaries: ${assets}`);
  const network = await setupPodNetwork(cfg, l.dir, say);
  say(describePodNetwork(network));
  const pki = ensurePki(l.pki, NODE_NAME, network.mode === 'netns' ? [network.hostIp] : []);
  const [etcdClient, etcdPeer, apiserver, controllerManager, scheduler, kubelet] = (await freePorts(6)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ports = { etcdClient, etcdPeer, apiserver, controllerManager, scheduler, kubelet };
  const server = `https://127.0.0.1:${apiserver}`;
  writeFileSync(
    l.kubeconfig,
    renderKubeconfig({ server, caFile: pki.caCert, certFile: pki.adminCert, keyFile: pki.adminKey, user: 'admin' }),
    { mode: 0o600 },
  );
  writeFileSync(
    l.kubeletKubeconfig,
    renderKubeconfig({
      server,
      caFile: pki.caCert,
      certFile: pki.kubeletClientCert,
      keyFile: pki.kubeletClientKey,
      user: `system:node:${NODE_NAME}`,
    }),
    { mode: 0o600 },
  );
  const vars = { REPO: cfg.repoRoot, NODE: cfg.nodeBinary };
  const images = loadImageMaps(cfg.imageMapFiles, vars);
  writeFileSync(l.images, `${JSON.stringify(images, null, 2)}\n`);
  say(`image map: ${Object.keys(images).length} images from ${cfg.imageMapFiles.join(', ')} -> ${l.images}`);
  const kubeletFile: KubeletFile = {
    nodeName: NODE_NAME,
    kubeconfig: l.kubeletKubeconfig,
    apiserverPort: apiserver,
    kubeletPort: kubelet,
    podNetwork: network,
    caFile: pki.caCert,
    servingCert: pki.kubeletServingCert,
    servingKey: pki.kubeletServingKey,
    repoRoot: cfg.repoRoot,
    nodeBinary: cfg.nodeBinary,
  };
  writeFileSync(l.kubeletConfig, `${JSON.stringify(kubeletFile, null, 2)}\n`);

  const st: ClusterState = {
    version: 1,
    dir: l.dir,
    assets,
    nodeName: NODE_NAME,
    podIpPrefix: cfg.podIpPrefix,
    network,
    ports,
    processes: [],
    startedAt: new Date().toISOString(),
  };
  writeState(l.state, st);
  const input: ControlPlaneInput = { assets, pki, ports, etcdData: l.etcdData, adminKubeconfig: l.kubeconfig };
  for (const c of [etcdCmd(input), apiserverCmd(input), controllerManagerCmd(input), schedulerCmd(input)]) {
    await startComponent(c, st, l, pki, deadline);
  }
  const kubeletLog = join(l.logs, 'kubelet.log');
  const kref = await spawnKubelet(cfg, l);
  st.processes.push(kref);
  writeState(l.state, st);
  try {
    await waitUntil('the Node to be Ready and untainted', deadline, () => nodeProblem(st, pki), kref);
    say(`node ${NODE_NAME} Ready (kubelet stand-in pid ${kref.pid})`);
    await waitUntil(
      'the default ServiceAccount in namespace default',
      deadline,
      async () => {
        const r = await apiGet(st, pki, '/api/v1/namespaces/default/serviceaccounts/default');
        return r.status === 200 ? undefined : `HTTP ${r.status}`;
      },
      kref,
    );
  } catch (err) {
    throw new ClusterUpError(`${(err as Error).message}\n--- last lines of ${kubeletLog}:\n${tail(kubeletLog, 30)}`, {
      cause: err,
    });
  }
  say(`up in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

export async function up(cfg: CliConfig): Promise<void> {
  const l = layout(cfg.dir);
  const st = readState(l.state);
  if (st && (await healthy(st, l))) {
    say(`already up and healthy (${l.dir}, API server https://127.0.0.1:${st.ports.apiserver})`);
    printUsage(l);
    return;
  }
  if (st) {
    say('found a cluster that is not healthy: stopping it and starting afresh');
    await down(cfg, { quiet: true });
  }
  try {
    await startFresh(cfg, l);
  } catch (err) {
    say(`FAILED: ${(err as Error).message}`);
    say(`stopping what was started; logs stay in ${l.logs}/`);
    await down(cfg, { quiet: true });
    throw err;
  }
  printUsage(l);
}
