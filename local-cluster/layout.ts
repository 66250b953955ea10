// Where everything of one local cluster lives inside its folder (default <repo>/.cluster). One function, so the CLI,
// the kubelet stand-in and the e2e helpers agree on every path.
import { join } from 'node:path';

export interface Layout {
  dir: string;
  state: string;
  kubeconfig: string;
  kubeletKubeconfig: string;
  kubeletConfig: string;
  pki: string;
  etcdData: string;
  logs: string;
  podLogs: string;
  /** per pod: volumes and pid files, <pods>/<uid>/ */
  pods: string;
  /** the merged image map written at cluster-up */
  images: string;
  /** extra image maps, re-read whenever a pod starts */
  imagesDir: string;
}

export function layout(dir: string): Layout {
  return Object.freeze({
    dir,
    state: join(dir, 'state.json'),
    kubeconfig: join(dir, 'kubeconfig'),
    kubeletKubeconfig: join(dir, 'kubelet.kubeconfig'),
    kubeletConfig: join(dir, 'kubelet.json'),
    pki: join(dir, 'pki'),
    etcdData: join(dir, 'etcd'),
    logs: join(dir, 'logs'),
    podLogs: join(dir, 'logs', 'pods'),
    pods: join(dir, 'pods'),
    images: join(dir, 'images.json'),
    imagesDir: join(dir, 'images.d'),
  });
}

/** The log file of one container, `<ns>_<pod>_<container>.log`, as documented in docs/local-cluster.md. */
export function podLogFile(l: Layout, namespace: string, pod: string, container: string): string {
  return join(l.podLogs, `${namespace}_${pod}_${container}.log`);
}
