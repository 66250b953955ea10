// The kubelet stand-in's configuration: <cluster dir>/kubelet.json, written by `cli.ts up`, read once at start.
// The only other inputs are argv (--dir) and, for pods, PATH and HOME (handed to container processes).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Layout, layout } from '../layout.ts';
import type { PodNetwork } from '../network/plan.ts';

export interface KubeletFile {
  nodeName: string;
  /** the kubelet's own kubeconfig (identity system:node:<nodeName>) */
  kubeconfig: string;
  apiserverPort: number;
  /** HTTPS port serving /containerLogs for `kubectl logs` */
  kubeletPort: number;
  /** network namespaces on a bridge, or loopback addresses (decided by `up`, see local-cluster/network/) */
  podNetwork: PodNetwork;
  caFile: string;
  servingCert: string;
  servingKey: string;
  repoRoot: string;
  nodeBinary: string;
}

export interface KubeletConfig extends KubeletFile {
  layout: Layout;
  /** PATH and HOME given to every container process */
  hostEnv: Readonly<Record<string, string>>;
}

export function loadKubeletConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Readonly<KubeletConfig> {
  const i = argv.indexOf('--dir');
  const dir = resolve(i >= 0 ? (argv[i + 1] ?? '.') : '.cluster');
  const l = layout(dir);
  const file = JSON.parse(readFileSync(l.kubeletConfig, 'utf8')) as KubeletFile & { podIpPrefix?: string };
  // a kubelet.json written before network namespaces (a cluster still running across an update): as it was made
  const podNetwork: PodNetwork = file.podNetwork ?? {
    mode: 'loopback',
    prefix: file.podIpPrefix ?? '127.1',
    reason: 'started by an older cli.ts up',
  };
  return Object.freeze({
    ...file,
    podNetwork,
    layout: l,
    hostEnv: Object.freeze({ PATH: env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: env.HOME ?? '/root' }),
  });
}
