// The shared local cluster, as the e2e suites see it: its files, a KubeConfig and API clients for it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { type Layout, layout } from '../../local-cluster/layout.ts';
import { type ClusterState, readState } from '../../local-cluster/state.ts';
import { e2eEnv } from './env.ts';

export class NoClusterError extends Error {
  readonly code = 'NO_CLUSTER';
  constructor(dir: string) {
    super(`no local cluster in ${dir}: run \`make cluster-up\` first`);
    this.name = 'NoClusterError';
  }
}

/** The cluster folder's paths (kubeconfig, logs, images.d, ...). */
export function clusterLayout(dir = e2eEnv.clusterDir): Layout {
  return layout(dir);
}

/** state.json of the running cluster (ports, pids, the binaries' folder); throws NoClusterError when absent. */
export function clusterState(dir = e2eEnv.clusterDir): ClusterState {
  const st = readState(layout(dir).state);
  if (!st) throw new NoClusterError(dir);
  return st;
}

/** A KubeConfig for the cluster's admin (system:masters). */
export function kubeConfig(dir = e2eEnv.clusterDir): KubeConfig {
  const file = layout(dir).kubeconfig;
  if (!existsSync(file)) throw new NoClusterError(dir);
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return kc;
}

export interface Clients {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  rbac: RbacAuthorizationV1Api;
  /** generic client for any kind (custom resources too) */
  objects: KubernetesObjectApi;
}

let cached: Clients | undefined;

/** Admin clients for the shared cluster (made once per process). */
export function clients(): Clients {
  if (!cached) {
    const kc = kubeConfig();
    cached = {
      kc,
      core: kc.makeApiClient(CoreV1Api),
      apps: kc.makeApiClient(AppsV1Api),
      rbac: kc.makeApiClient(RbacAuthorizationV1Api),
      objects: KubernetesObjectApi.makeApiClient(kc),
    };
  }
  return cached;
}

/** The file holding a container's output (every run of it, appended). */
export function podLogPath(namespace: string, pod: string, container: string, dir = e2eEnv.clusterDir): string {
  return join(layout(dir).podLogs, `${namespace}_${pod}_${container}.log`);
}
