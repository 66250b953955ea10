// `helm template -f full-values.yaml`: every option on. Namespaced RBAC, leader election, ServiceMonitor,
// NetworkPolicy, PodDisruptionBudget.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  env,
  FULL_VALUES,
  type K8sObject,
  leaderElectionTriples,
  NAMESPACE,
  ofKind,
  one,
  reconcileTriples,
  render,
  triples,
} from './helm.ts';

const objs = render(['-f', FULL_VALUES]);
const deployment = one(objs, 'Deployment', 'pbo');
const pod = deployment.spec.template.spec;
const container = pod.containers[0] as K8sObject;
const subject = { kind: 'ServiceAccount', name: 'pbo-operator', namespace: NAMESPACE };

test('namespaced mode renders Roles and RoleBindings, no ClusterRole or ClusterRoleBinding', () => {
  assert.is(ofKind(objs, 'ClusterRole').length, 0);
  assert.is(ofKind(objs, 'ClusterRoleBinding').length, 0);
  for (const ns of ['team-a', 'team-b']) {
    const role = objs.find((o) => o.kind === 'Role' && o.metadata.name === 'pbo' && o.metadata.namespace === ns);
    assert.ok(role, `Role pbo in ${ns}`);
    assert.equal(triples(role!.rules), reconcileTriples());
    const rb = objs.find((o) => o.kind === 'RoleBinding' && o.metadata.name === 'pbo' && o.metadata.namespace === ns);
    assert.ok(rb, `RoleBinding pbo in ${ns}`);
    assert.equal(rb!.subjects, [subject]);
    assert.equal(rb!.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pbo' });
  }
  // Only the watched namespaces and the release namespace get anything.
  const namespaces = new Set(ofKind(objs, 'Role').map((r) => r.metadata.namespace));
  assert.equal([...namespaces].sort(), [NAMESPACE, 'team-a', 'team-b']);
});

test("the leader-election Role lives in the release namespace and holds only the operator's own lease", () => {
  const lease = one(objs, 'Role', 'pbo-leader-election');
  assert.is(lease.metadata.namespace, NAMESPACE);
  assert.equal(triples(lease.rules), leaderElectionTriples());
  assert.equal(one(objs, 'RoleBinding', 'pbo-leader-election').subjects, [subject]);
});

test('the Deployment carries the values: namespaces, leader election, port, log level, image, scheduling', () => {
  assert.is(deployment.spec.replicas, 2);
  assert.is(env(container, 'WATCH_NAMESPACES')?.value, 'team-a,team-b');
  assert.is(env(container, 'LEADER_ELECTION')?.value, 'true');
  assert.is(env(container, 'LEADER_ELECTION_ID')?.value, 'pbo');
  assert.is(env(container, 'HTTP_PORT')?.value, '9090');
  assert.is(env(container, 'LOG_LEVEL')?.value, 'debug');
  assert.is(env(container, 'EXTRA_SETTING')?.value, 'on');
  assert.is(container.image, 'registry.example/pekko-bootstrap-operator:1.2.3');
  assert.is(container.imagePullPolicy, 'Always');
  assert.equal(container.ports, [{ name: 'http', containerPort: 9090, protocol: 'TCP' }]);
  assert.equal(container.resources.limits, { cpu: '500m', memory: '512Mi' });
  assert.is(pod.serviceAccountName, 'pbo-operator');
  assert.equal(pod.imagePullSecrets, [{ name: 'registry-creds' }]);
  assert.is(pod.priorityClassName, 'system-cluster-critical');
  assert.equal(pod.nodeSelector, { 'kubernetes.io/os': 'linux' });
  assert.is(pod.tolerations[0].key, 'dedicated');
  assert.is(pod.topologySpreadConstraints[0].topologyKey, 'kubernetes.io/hostname');
  assert.is(deployment.spec.template.metadata.labels.team, 'platform');
  assert.is(deployment.spec.template.metadata.annotations['example.com/scrape'], 'true');
  assert.is(one(objs, 'ServiceAccount', 'pbo-operator').metadata.annotations['example.com/owner'], 'platform');
});

test('the ServiceMonitor scrapes /metrics on the metrics Service port', () => {
  const sm = one(objs, 'ServiceMonitor');
  assert.is(sm.apiVersion, 'monitoring.coreos.com/v1');
  assert.is(sm.metadata.labels.release, 'prometheus');
  assert.equal(sm.spec.endpoints, [
    { port: 'http', path: '/metrics', honorLabels: true, interval: '15s', scrapeTimeout: '5s' },
  ]);
  const svc = one(objs, 'Service', 'pbo-metrics');
  assert.equal(sm.spec.selector.matchLabels, svc.spec.selector);
  assert.equal(sm.spec.namespaceSelector.matchNames, [NAMESPACE]);
});

test('the NetworkPolicy: egress to the management ports, the API server and DNS; ingress to the HTTP port', () => {
  const np = one(objs, 'NetworkPolicy');
  assert.equal(np.spec.podSelector.matchLabels, deployment.spec.selector.matchLabels);
  assert.equal(np.spec.policyTypes, ['Ingress', 'Egress']);
  const [mgmt, api, dns] = np.spec.egress as K8sObject[];
  assert.equal(mgmt!.to, [{ namespaceSelector: {}, podSelector: {} }]);
  assert.equal(mgmt!.ports, [
    { port: 7626, protocol: 'TCP' },
    { port: 8558, protocol: 'TCP' },
  ]);
  assert.equal(api!.to, [{ ipBlock: { cidr: '10.0.0.1/32' } }]);
  assert.equal(api!.ports, [{ port: 6443, protocol: 'TCP' }]);
  assert.equal(
    dns!.ports.map((p: K8sObject) => `${p.port}/${p.protocol}`),
    ['53/UDP', '53/TCP'],
  );
  assert.is(np.spec.egress.length, 3);
  assert.equal(np.spec.ingress, [
    {
      ports: [{ port: 'http', protocol: 'TCP' }],
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
    },
  ]);
});

test('the PodDisruptionBudget uses minAvailable when set, and selects the operator pods', () => {
  const pdb = one(objs, 'PodDisruptionBudget');
  assert.is(pdb.spec.minAvailable, 1);
  assert.is(pdb.spec.maxUnavailable, undefined);
  assert.equal(pdb.spec.selector.matchLabels, deployment.spec.selector.matchLabels);
  const byDefault = one(render(['--set', 'podDisruptionBudget.enabled=true']), 'PodDisruptionBudget');
  assert.is(byDefault.spec.maxUnavailable, 1);
  assert.is(byDefault.spec.minAvailable, undefined);
});

test('each toggle alone renders its object', () => {
  const count = (args: string[], kind: string) => ofKind(render(args), kind).length;
  assert.is(count(['--set', 'metrics.serviceMonitor.enabled=true'], 'ServiceMonitor'), 1);
  assert.is(count(['--set', 'networkPolicy.enabled=true'], 'NetworkPolicy'), 1);
  assert.is(count(['--set', 'podDisruptionBudget.enabled=true'], 'PodDisruptionBudget'), 1);
  assert.is(count(['--set', 'metrics.service.enabled=false'], 'Service'), 0);
  assert.is(count(['--set', 'tests.enabled=false'], 'Pod'), 0);
  const noRbac = render(['--set', 'rbac.create=false']);
  assert.is(ofKind(noRbac, 'ClusterRole').length, 0);
  assert.equal(
    ofKind(noRbac, 'Role').map((r) => r.metadata.name),
    ['pbo-test-pekko-bootstrap-operator-test'], // only the helm test hook's own
  );
});

test.run();
