// The kubelet stand-in: `node local-cluster/kubelet/main.ts --dir <cluster dir>`, started by `cli.ts up`.
// Registers the Node, keeps it alive, runs the pods bound to it as local processes, serves `kubectl logs`.
// SIGTERM/SIGINT: stops every container process (SIGTERM, SIGKILL after 5 s), removes the pods' network namespaces
// and exits; pod objects stay.
// The single wiring point: configuration, ports (API client, clock-free helpers) and the pod workers meet here.
import { filesFingerprint, type ImageMap, imageMapFiles, loadImageMaps } from '../images.ts';
import { podIpRange } from '../network/plan.ts';
import { removeAllPodNetns } from '../network/pod-netns.ts';
import { stopAllPodProcs } from '../pod-pids.ts';
import { startApiRelay } from './api-relay.ts';
import { loadKubeletConfig } from './config.ts';
import type { KubeletDeps } from './deps.ts';
import { eventRecorder } from './events.ts';
import { IpAllocator } from './ip-alloc.ts';
import { makeLogger } from './log.ts';
import { startLogServer } from './log-server.ts';
import { heartbeat, registerNode } from './node.ts';
import { watchPods } from './pod-watch.ts';
import { PodManager } from './pods.ts';
import { realProbeIO } from './probes.ts';
import { restFromKubeconfig } from './rest.ts';
import { detectNsMode } from './runner.ts';
import { StatusWriter } from './status-writer.ts';

async function main(): Promise<void> {
  const cfg = loadKubeletConfig(process.argv.slice(2), process.env);
  const log = makeLogger(process.env.LOG_LEVEL ?? 'info');
  const l = cfg.layout;
  // container processes of an earlier kubelet run (it crashed): stop them; their pods start afresh
  const stale = await stopAllPodProcs(l.pods, 2000);
  if (stale) log.info({ count: stale }, 'stopped container processes left by an earlier run');
  const net = cfg.podNetwork;
  // the pods' namespaces of an earlier run (their pods start afresh, with new ones); the bridge stays
  if (net.mode === 'netns') await removeAllPodNetns(net);
  const hostIp = net.mode === 'netns' ? net.hostIp : '127.0.0.1';
  const nsMode = detectNsMode();
  if (nsMode === 'none') log.warn('unshare --mount is not available: volumes (service-account token) are not mounted');
  const api = await restFromKubeconfig(cfg.kubeconfig);
  const vars = { REPO: cfg.repoRoot, NODE: cfg.nodeBinary };
  let cache: { key: string; map: ImageMap } = { key: '', map: {} };
  const deps: KubeletDeps = {
    cfg,
    api,
    log,
    events: eventRecorder(api, cfg.nodeName, log),
    ips: new IpAllocator(podIpRange(net)),
    network: net,
    hostIp,
    nsMode,
    images: () => {
      const files = imageMapFiles(l.images, l.imagesDir);
      const key = filesFingerprint(files);
      if (key !== cache.key) cache = { key, map: loadImageMaps(files, vars) };
      return cache.map;
    },
    imageMapHint: `${l.images} and ${l.imagesDir}/*.json`,
    statusWriter: new StatusWriter(api, log),
    probeIO: realProbeIO,
  };
  const ctl = new AbortController();
  const relay =
    net.mode === 'netns'
      ? await startApiRelay({ listenHost: hostIp, port: cfg.apiserverPort, targetHost: '127.0.0.1' }, log)
      : undefined;
  const nodeOpts = { name: cfg.nodeName, kubeletPort: cfg.kubeletPort, address: hostIp };
  for (let delay = 500; ; delay = Math.min(delay * 2, 5000)) {
    try {
      const readySince = await registerNode(api, nodeOpts, log);
      heartbeat(api, nodeOpts, readySince, log, ctl.signal);
      break;
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'node registration failed; retrying');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
  const logServer = startLogServer(cfg, hostIp);
  const pods = new PodManager(deps);
  void watchPods(api, cfg.nodeName, pods, log, ctl.signal);
  const podNetwork = net.mode === 'netns' ? `${net.cidr} on ${net.bridge}` : `loopback ${net.prefix}.x.y`;
  log.info({ node: cfg.nodeName, nsMode, podNetwork, logsPort: cfg.kubeletPort }, 'kubelet started');

  let stopping = false;
  const stop = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal: sig, pods: pods.size }, 'kubelet stopping');
    ctl.abort();
    logServer.close();
    relay?.close();
    await pods.stopAll(5);
    await stopAllPodProcs(l.pods, 1000);
    if (net.mode === 'netns') await removeAllPodNetns(net);
    process.exit(0);
  };
  // one pod's unexpected failure must not take every other pod down with the kubelet
  process.on('unhandledRejection', (err) => log.error({ err: String(err) }, 'unhandled rejection'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
