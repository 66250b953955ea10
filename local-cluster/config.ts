// The CLI's configuration, parsed once from argv and the environment (the only place either is read).
import { dirname, resolve } from 'node:path';
import { defaultPodCidr, validatePodCidr } from './network/plan.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '..');

export type Command = 'up' | 'down' | 'status' | 'restart-kubelet' | 'operator-up' | 'operator-down';
const COMMANDS: readonly Command[] = ['up', 'down', 'status', 'restart-kubelet', 'operator-up', 'operator-down'];

export interface CliConfig {
  command: Command;
  /** the cluster's folder: --dir, else CLUSTER_DIR, else <repo>/.cluster */
  dir: string;
  repoRoot: string;
  /** the Node binary that runs the kubelet stand-in, the operator and `${NODE}` in image maps */
  nodeBinary: string;
  /** the default map, then LOCAL_IMAGE_MAP's files (comma-separated), later entries win */
  imageMapFiles: string[];
  /** 127.N: loopback pod IPs <prefix>.x.y in the fallback, and the default pod range (198.19.N.0/24; 127.1: 198.18.0.0/16) */
  podIpPrefix: string;
  /** the pod range on the bridge: --pod-cidr, else CLUSTER_POD_CIDR, else derived from the prefix; 'auto': a free /24 */
  podCidr: string;
  /** true when podCidr is the prefix's default (neither --pod-cidr nor CLUSTER_POD_CIDR): `up` may pick another */
  podCidrIsDefault: boolean;
  /** CLUSTER_POD_NETWORK=loopback: no network namespaces, today's loopback addresses (else: namespaces if possible) */
  podNetwork: 'netns' | 'loopback';
  /** where build-binaries.sh caches (PBO_CACHE), passed through to it */
  buildScript: string;
  /** seconds to wait for the control plane, the Node and the default ServiceAccount */
  timeoutSeconds: number;
}

export class UsageError extends Error {
  readonly code = 'USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `usage: node local-cluster/cli.ts up|down|status|restart-kubelet|operator-up|operator-down [--dir DIR]
         [--pod-ip-prefix 127.N] [--pod-cidr A.B.C.D/N|auto]
  env: CLUSTER_DIR (default <repo>/.cluster), LOCAL_IMAGE_MAP (extra image map files, comma-separated),
       CLUSTER_POD_IP_PREFIX (default 127.1), CLUSTER_POD_CIDR (default 198.18.0.0/16 for 127.1, else 198.19.N.0/24),
       CLUSTER_POD_NETWORK (netns, the default, or loopback), CLUSTER_UP_TIMEOUT (seconds, default 180)`;

export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): Readonly<CliConfig> {
  let command: Command | undefined;
  let dir = env.CLUSTER_DIR || resolve(REPO_ROOT, '.cluster');
  let podIpPrefix = env.CLUSTER_POD_IP_PREFIX || '127.1';
  let podCidr = env.CLUSTER_POD_CIDR || '';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--dir') dir = resolve(argv[++i] ?? '');
    else if (a === '--pod-ip-prefix') podIpPrefix = argv[++i] ?? '';
    else if (a === '--pod-cidr') podCidr = argv[++i] ?? '';
    else if (!command && (COMMANDS as readonly string[]).includes(a)) command = a as Command;
    else throw new UsageError(`unknown argument ${a}\n${USAGE}`);
  }
  if (!command) throw new UsageError(USAGE);
  if (!/^127\.(25[0-4]|2[0-4]\d|1\d\d|[1-9]\d?)$/.test(podIpPrefix)) {
    throw new UsageError(`--pod-ip-prefix must look like 127.N with N in 1..254, got ${podIpPrefix}`);
  }
  const podCidrIsDefault = !podCidr;
  podCidr ||= defaultPodCidr(podIpPrefix);
  if (podCidr !== 'auto') {
    try {
      validatePodCidr(podCidr);
    } catch (err) {
      throw new UsageError(`--pod-cidr / CLUSTER_POD_CIDR: ${(err as Error).message}`);
    }
  }
  const podNetwork = env.CLUSTER_POD_NETWORK || 'netns';
  if (podNetwork !== 'netns' && podNetwork !== 'loopback') {
    throw new UsageError(`CLUSTER_POD_NETWORK must be netns or loopback, got ${podNetwork}`);
  }
  const extra = (env.LOCAL_IMAGE_MAP ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((f) => resolve(f));
  return Object.freeze({
    command,
    dir: resolve(dir),
    repoRoot: REPO_ROOT,
    nodeBinary: process.execPath,
    imageMapFiles: [resolve(REPO_ROOT, 'local-cluster', 'images.json'), ...extra],
    podIpPrefix,
    podCidr,
    podCidrIsDefault,
    podNetwork,
    buildScript: resolve(dirname(import.meta.filename), 'build-binaries.sh'),
    timeoutSeconds: Number(env.CLUSTER_UP_TIMEOUT) > 0 ? Number(env.CLUSTER_UP_TIMEOUT) : 180,
  });
}
