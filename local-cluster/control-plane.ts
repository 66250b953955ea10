// Command lines of the control-plane processes (pure: paths and ports in, argv out). Flags follow
// ../shared/spec/local-control-plane.md; comments say why a flag is there.
import type { Pki } from './pki.ts';
import type { Ports } from './state.ts';

export interface ControlPlaneInput {
  assets: string;
  pki: Pki;
  ports: Ports;
  etcdData: string;
  adminKubeconfig: string;
}

export interface ComponentCmd {
  name: 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler';
  cmd: string;
  args: string[];
  /** the URL that answers 200 once the component is ready */
  health: string;
}

export function etcdCmd(i: ControlPlaneInput): ComponentCmd {
  const client = `http://127.0.0.1:${i.ports.etcdClient}`;
  const peer = `http://127.0.0.1:${i.ports.etcdPeer}`;
  return {
    name: 'etcd',
    cmd: `${i.assets}/etcd`,
    args: [
      '--name=default',
      `--data-dir=${i.etcdData}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=default=${peer}`,
      '--unsafe-no-fsync', // a throw-away test store: durability costs seconds per write on slow disks
      '--log-level=warn',
    ],
    health: `${client}/health`,
  };
}

export function apiserverCmd(i: ControlPlaneInput): ComponentCmd {
  const p = i.pki;
  return {
    name: 'kube-apiserver',
    cmd: `${i.assets}/kube-apiserver`,
    args: [
      `--etcd-servers=http://127.0.0.1:${i.ports.etcdClient}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${i.ports.apiserver}`,
      '--advertise-address=127.0.0.1',
      '--endpoint-reconciler-type=none', // Endpoints reject loopback addresses
      `--tls-cert-file=${p.apiserverCert}`,
      `--tls-private-key-file=${p.apiserverKey}`,
      `--client-ca-file=${p.caCert}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${p.saPub}`,
      `--service-account-signing-key-file=${p.saKey}`,
      '--service-cluster-ip-range=10.96.0.0/16', // never routed to
      '--authorization-mode=Node,RBAC',
      '--enable-admission-plugins=NodeRestriction',
      '--allow-privileged=true',
      // `kubectl logs`: the API server calls the kubelet stand-in's HTTPS endpoint with this client certificate
      `--kubelet-client-certificate=${p.adminCert}`,
      `--kubelet-client-key=${p.adminKey}`,
      `--kubelet-certificate-authority=${p.caCert}`,
      '--kubelet-preferred-address-types=InternalIP',
      '--profiling=false',
    ],
    health: `https://127.0.0.1:${i.ports.apiserver}/readyz`,
  };
}

export function controllerManagerCmd(i: ControlPlaneInput): ComponentCmd {
  return {
    name: 'kube-controller-manager',
    cmd: `${i.assets}/kube-controller-manager`,
    args: [
      `--kubeconfig=${i.adminKubeconfig}`,
      `--authentication-kubeconfig=${i.adminKubeconfig}`,
      `--authorization-kubeconfig=${i.adminKubeconfig}`,
      '--leader-elect=false',
      `--service-account-private-key-file=${i.pki.saKey}`,
      `--root-ca-file=${i.pki.caCert}`, // published as kube-root-ca.crt, the ca.crt of every pod's token volume
      `--cluster-signing-cert-file=${i.pki.caCert}`,
      `--cluster-signing-key-file=${i.pki.caKey}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${i.ports.controllerManager}`, // 0 may be refused; a free port is always accepted
      // the defaults (20/s, burst 30) make a 1000-replica scale test wait ~50 s for pod creation alone
      '--kube-api-qps=200',
      '--kube-api-burst=400',
      '--profiling=false',
    ],
    health: `https://127.0.0.1:${i.ports.controllerManager}/healthz`,
  };
}

export function schedulerCmd(i: ControlPlaneInput): ComponentCmd {
  return {
    name: 'kube-scheduler',
    cmd: `${i.assets}/kube-scheduler`,
    args: [
      `--kubeconfig=${i.adminKubeconfig}`,
      `--authentication-kubeconfig=${i.adminKubeconfig}`,
      `--authorization-kubeconfig=${i.adminKubeconfig}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${i.ports.scheduler}`,
      '--profiling=false',
    ],
    health: `https://127.0.0.1:${i.ports.scheduler}/healthz`,
  };
}
