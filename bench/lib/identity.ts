// The identity the benchmarked controllers run as: the chart's ServiceAccount and RBAC (`helm template` of
// charts/pekko-bootstrap-operator, cluster-wide rules), a token kubeconfig for it, and a FlowSchema that puts
// exactly that account's requests into their own API Priority and Fairness flow. The API server then counts them
// apart from everybody else's (the kubelet, the controller manager, the benchmark itself) in
// apiserver_flowcontrol_dispatched_requests_total{flow_schema="pbo-bench-operator"}.
// The flow uses the `exempt` priority level, as the admin credentials the operator otherwise uses do, so that no
// queueing of the flow shifts the figures.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { clusterLayout, kubeConfig, kubectl, REPO_ROOT } from '../../test-e2e/lib/index.ts';
import { parseProm, sum } from './prom.ts';

export const BENCH_SYSTEM_NAMESPACE = 'pbo-bench-system';
export const FLOW_SCHEMA = 'pbo-bench-operator';
const RELEASE = 'pbo-bench';
/** Not `Helm`: the e2e preflight refuses to run beside a cluster-wide chart install (hack/e2e-preflight.sh). */
const MANAGED_BY = 'pekko-bootstrap-operator-bench';

export interface Identity {
  /** a kubeconfig with the ServiceAccount's token */
  kubeconfig: string;
  serviceAccount: string;
  /** the ServiceAccount's API requests so far, as the API server counted them, and of them watches */
  apiRequests(): Promise<{ all: number; watches: number }>;
  remove(): Promise<void>;
}

function helmBinary(): string {
  const out = execFileSync(join(REPO_ROOT, 'local-cluster', 'ensure-helm.sh'), { encoding: 'utf8' });
  return out.trim().split('\n').at(-1) as string;
}

/** The chart's ServiceAccount, ClusterRole and ClusterRoleBinding (and leader-election Role), relabelled. */
function chartRbac(): { yaml: string; serviceAccount: string } {
  const rendered = execFileSync(
    helmBinary(),
    [
      'template',
      RELEASE,
      join(REPO_ROOT, 'charts', 'pekko-bootstrap-operator'),
      '--namespace',
      BENCH_SYSTEM_NAMESPACE,
      '--show-only',
      'templates/serviceaccount.yaml',
      '--show-only',
      'templates/rbac.yaml',
    ],
    { encoding: 'utf8' },
  );
  let serviceAccount = '';
  const docs = parseAllDocuments(rendered)
    .map((d) => d.toJS() as { kind?: string; metadata?: { name: string; labels?: Record<string, string> } } | null)
    .filter((o) => o?.kind)
    .map((o) => {
      const obj = o as NonNullable<typeof o>;
      if (obj.kind === 'ServiceAccount') serviceAccount = obj.metadata?.name ?? '';
      if (obj.metadata?.labels) obj.metadata.labels['app.kubernetes.io/managed-by'] = MANAGED_BY;
      return JSON.stringify(obj);
    });
  if (!serviceAccount) throw new Error('helm template rendered no ServiceAccount (serviceAccount.create false?)');
  return { yaml: docs.join('\n---\n'), serviceAccount };
}

function flowSchema(serviceAccount: string): string {
  return JSON.stringify({
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'FlowSchema',
    metadata: { name: FLOW_SCHEMA, labels: { 'app.kubernetes.io/managed-by': MANAGED_BY } },
    spec: {
      matchingPrecedence: 50,
      priorityLevelConfiguration: { name: 'exempt' },
      rules: [
        {
          subjects: [
            { kind: 'ServiceAccount', serviceAccount: { name: serviceAccount, namespace: BENCH_SYSTEM_NAMESPACE } },
          ],
          resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }],
          nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
        },
      ],
    },
  });
}

/** The API server's metric text (admin credentials). */
export async function apiServerMetrics(): Promise<string> {
  return (await kubectl(['get', '--raw', '/metrics'])).stdout;
}

export async function createIdentity(): Promise<Identity> {
  // A run just before this one deletes the namespace without waiting: nothing can be created in it until it is gone.
  await kubectl(['wait', '--for=delete', `namespace/${BENCH_SYSTEM_NAMESPACE}`, '--timeout=120s'], { check: false });
  await kubectl(['create', 'namespace', BENCH_SYSTEM_NAMESPACE], { check: false });
  const { yaml, serviceAccount } = chartRbac();
  await kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], { input: yaml });
  await kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], { input: flowSchema(serviceAccount) });
  const token = (
    await kubectl(['create', 'token', serviceAccount, '-n', BENCH_SYSTEM_NAMESPACE, '--duration', '24h'])
  ).stdout.trim();
  const admin = kubeConfig();
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no current cluster');
  const dir = join(clusterLayout().dir, 'bench');
  mkdirSync(dir, { recursive: true });
  const kubeconfig = join(dir, 'operator.kubeconfig');
  const caData = admin.clusters.find((c) => c.name === cluster.name)?.caData;
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'local', cluster: { server: cluster.server, 'certificate-authority-data': caData } }],
      users: [{ name: serviceAccount, user: { token } }],
      contexts: [{ name: 'bench', context: { cluster: 'local', user: serviceAccount } }],
      'current-context': 'bench',
    }),
    { mode: 0o600 },
  );
  return {
    kubeconfig,
    serviceAccount,
    apiRequests: async () => {
      const m = parseProm(await apiServerMetrics());
      return {
        all: sum(m, 'apiserver_flowcontrol_dispatched_requests_total', { flow_schema: FLOW_SCHEMA }),
        watches: sum(m, 'apiserver_flowcontrol_request_execution_seconds_count', {
          flow_schema: FLOW_SCHEMA,
          type: 'watch',
        }),
      };
    },
    remove: async () => {
      await kubectl(['delete', '--ignore-not-found', '--wait=false', '-f', '-'], { input: yaml, check: false });
      await kubectl(['delete', 'flowschema', FLOW_SCHEMA, '--ignore-not-found'], { check: false });
      await kubectl(['delete', 'namespace', BENCH_SYSTEM_NAMESPACE, '--ignore-not-found', '--wait=false'], {
        check: false,
      });
    },
  };
}
