// `helm template` with the chart's default values: a cluster-wide install with exactly the operator's API use as RBAC.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  env,
  type K8sObject,
  leaderElectionTriples,
  NAMESPACE,
  ofKind,
  one,
  operatorTriples,
  RELEASE,
  reconcileTriples,
  render,
  triples,
} from './helm.ts';

const objs = render();
const fullname = `${RELEASE}-pekko-bootstrap-operator`;
const deployment = one(objs, 'Deployment');
const pod = deployment.spec.template.spec;
const container = pod.containers[0] as K8sObject;

test('renders the expected objects and no optional ones', () => {
  const kinds = objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();
  assert.equal(kinds, [
    `ClusterRole/${fullname}`,
    `ClusterRoleBinding/${fullname}`,
    `Deployment/${fullname}`,
    `Pod/${fullname}-test`,
    `Role/${fullname}-leader-election`,
    `Role/${fullname}-test`,
    `RoleBinding/${fullname}-leader-election`,
    `RoleBinding/${fullname}-test`,
    `Service/${fullname}-metrics`,
    `ServiceAccount/${fullname}`,
    `ServiceAccount/${fullname}-test`,
  ]);
  for (const kind of ['ServiceMonitor', 'NetworkPolicy', 'PodDisruptionBudget'])
    assert.is(ofKind(objs, kind).length, 0);
});

test("the ClusterRole holds exactly the reconcilers' API use; the leader-election Role exactly its own lease", () => {
  const cr = one(objs, 'ClusterRole');
  assert.equal(triples(cr.rules), reconcileTriples());
  const lease = one(objs, 'Role', `${fullname}-leader-election`);
  assert.is(lease.metadata.namespace, NAMESPACE);
  assert.equal(triples(lease.rules), leaderElectionTriples());
  // Together: what the operator calls (operator/api-access.ts), nothing more, nothing less.
  assert.equal([...new Set([...triples(cr.rules), ...triples(lease.rules)])].sort(), [...new Set(operatorTriples())]);
});

test('no wildcard anywhere in any rule', () => {
  for (const role of [...ofKind(objs, 'ClusterRole'), ...ofKind(objs, 'Role')]) {
    for (const rule of role.rules as K8sObject[]) {
      for (const field of ['apiGroups', 'resources', 'verbs', 'resourceNames', 'nonResourceURLs']) {
        assert.not.ok((rule[field] ?? []).includes('*'), `${role.metadata.name}: '*' in ${field}`);
      }
    }
  }
});

test('the bindings bind the operator ServiceAccount in the release namespace', () => {
  const sa = one(objs, 'ServiceAccount', fullname);
  assert.is(sa.metadata.namespace, NAMESPACE);
  const subject = { kind: 'ServiceAccount', name: fullname, namespace: NAMESPACE };
  const crb = one(objs, 'ClusterRoleBinding');
  assert.equal(crb.subjects, [subject]);
  assert.equal(crb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: fullname });
  const rb = one(objs, 'RoleBinding', `${fullname}-leader-election`);
  assert.equal(rb.subjects, [subject]);
  assert.is(rb.roleRef.name, `${fullname}-leader-election`);
  assert.is(pod.serviceAccountName, fullname);
});

test('the Deployment: image from appVersion, one replica, no leader election, watches every namespace', () => {
  assert.is(deployment.spec.replicas, 1);
  assert.is(container.image, 'pekko-bootstrap-operator:0.1.0');
  assert.is(env(container, 'WATCH_NAMESPACES')?.value, '');
  assert.is(env(container, 'LEADER_ELECTION')?.value, 'false');
  assert.is(env(container, 'LEADER_ELECTION_NAMESPACE')?.value, NAMESPACE);
  assert.is(env(container, 'HTTP_PORT')?.value, '8080');
  assert.is(env(container, 'LOG_LEVEL')?.value, 'info');
});

test('identity and address come from the downward API', () => {
  assert.equal(env(container, 'POD_NAME')?.valueFrom, { fieldRef: { fieldPath: 'metadata.name' } });
  assert.equal(env(container, 'POD_NAMESPACE')?.valueFrom, { fieldRef: { fieldPath: 'metadata.namespace' } });
  assert.equal(env(container, 'HTTP_HOST')?.valueFrom, { fieldRef: { fieldPath: 'status.podIP' } });
});

test('probes: /healthz (liveness) and /readyz (readiness) on the named HTTP port', () => {
  assert.equal(container.ports, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
  assert.equal(container.livenessProbe.httpGet, { path: '/healthz', port: 'http' });
  assert.equal(container.readinessProbe.httpGet, { path: '/readyz', port: 'http' });
  assert.ok(container.resources.requests.cpu && container.resources.limits.memory);
});

test('restricted security context (Pod Security Standard "restricted")', () => {
  assert.is(pod.securityContext.runAsNonRoot, true);
  assert.is(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
  assert.ok(pod.securityContext.runAsUser > 0);
  const sc = container.securityContext;
  assert.is(sc.allowPrivilegeEscalation, false);
  assert.is(sc.readOnlyRootFilesystem, true);
  assert.equal(sc.capabilities.drop, ['ALL']);
  assert.not.ok(sc.privileged);
  assert.not.ok(sc.capabilities.add);
});

test('the metrics Service selects the operator pods on the HTTP port', () => {
  const svc = one(objs, 'Service');
  assert.equal(svc.spec.ports, [{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }]);
  assert.equal(svc.spec.selector, deployment.spec.selector.matchLabels);
  for (const [k, v] of Object.entries(svc.spec.selector)) assert.is(deployment.spec.template.metadata.labels[k], v);
});

test('the helm test pod runs the operator image, is a test hook, and is not selected as an operator pod', () => {
  const t = one(objs, 'Pod');
  assert.is(t.metadata.annotations['helm.sh/hook'], 'test');
  assert.is(t.spec.containers[0].image, container.image);
  assert.equal(t.spec.containers[0].command.slice(0, 2), ['node', '-e']);
  assert.ok(t.spec.containers[0].command[2].includes('/readyz'));
  const selector = deployment.spec.selector.matchLabels as Record<string, string>;
  assert.not.ok(Object.entries(selector).every(([k, v]) => t.metadata.labels[k] === v));
  const wanted = Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  assert.is(t.spec.containers[0].env.find((e: K8sObject) => e.name === 'OPERATOR_SELECTOR').value, wanted);
  const role = one(objs, 'Role', `${fullname}-test`);
  assert.equal(triples(role.rules), ['/pods:list']);
});

test('one replica without leader election is replaced with Recreate: never two operators at once', () => {
  assert.equal(deployment.spec.strategy, { type: 'Recreate' });
});

test('replicaCount > 1 switches leader election on, and with it rolling updates', () => {
  const d = one(render(['--set', 'replicaCount=3']), 'Deployment');
  assert.is(d.spec.replicas, 3);
  assert.is(env(d.spec.template.spec.containers[0], 'LEADER_ELECTION')?.value, 'true');
  assert.equal(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  const forced = one(render(['--set', 'leaderElection.enabled=true']), 'Deployment');
  assert.is(env(forced.spec.template.spec.containers[0], 'LEADER_ELECTION')?.value, 'true');
  assert.is(forced.spec.strategy.type, 'RollingUpdate');
});

test('image.repository and image.tag as make helm-install sets them', () => {
  const d = one(render(['--set', 'image.tag=dev']), 'Deployment');
  assert.is(d.spec.template.spec.containers[0].image, 'pekko-bootstrap-operator:dev');
});

test.run();
