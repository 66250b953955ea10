// Golden-file tests: each testdata/<case>.input.yaml renders to testdata/<case>.golden.yaml, YAML a reviewer can
// read. `node operator/render/render.test.ts --update` rewrites the golden files after an intended change.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { V1Deployment, V1ServiceAccount } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse, stringify } from 'yaml';
import { resolve } from '../../core/api/resolve.ts';
import type { ClusterBootstrap } from '../../core/api/types.ts';
import { validate } from '../../core/api/validate.ts';
import { renderChildren } from '../controller/kinds.ts';
import { prepare } from '../lifecycle/lifecycle.ts';
import { renderDeployment, renderSharedRbac, SUBJECTS_ANNOTATION } from './index.ts';

const DIR = new URL('./testdata/', import.meta.url);
const update = process.argv.includes('--update');

function load(file: string): ClusterBootstrap {
  return parse(readFileSync(new URL(file, DIR), 'utf8')) as ClusterBootstrap;
}

function member(cb: ClusterBootstrap) {
  const { spec, errors } = validate(cb);
  if (!spec) throw new Error(`invalid test input: ${errors.join('; ')}`);
  // As the reconcile renders a new resource: with its first pod template revision.
  const r = prepare(cb, resolve(cb, spec), undefined, undefined);
  return { cb, r, account: r.serviceAccountName };
}

function render(cb: ClusterBootstrap): string {
  const { cb: c, r } = member(cb);
  return renderChildren(c, r)
    .map((d) => stringify(d, { lineWidth: 0, aliasDuplicateObjects: false }))
    .join('---\n');
}

for (const input of readdirSync(DIR).filter((f) => f.endsWith('.input.yaml'))) {
  const name = input.replace('.input.yaml', '');
  test(`golden: ${name}`, () => {
    const got = render(load(input));
    const goldenFile = new URL(`${name}.golden.yaml`, DIR);
    if (update) writeFileSync(goldenFile, got);
    assert.fixture(got, readFileSync(goldenFile, 'utf8'));
  });
}

test('the minimal resource gets the seed Deployment: labels, ports, probes, env, strategy, security', () => {
  const { cb, r } = member(load('minimal.input.yaml'));
  const children = renderChildren(cb, r);
  const d = children.find((c) => c.kind === 'Deployment') as V1Deployment;
  const serviceAccount = children.find((c) => c.kind === 'ServiceAccount') as V1ServiceAccount | undefined;
  const labels = d.spec?.template.metadata?.labels ?? {};
  assert.is(labels.app, 'pekko-bootstrap-demo');
  assert.is(labels.actorSystemName, 'pekko-bootstrap-demo');
  assert.is(labels['app.kubernetes.io/managed-by'], 'pekko-bootstrap-operator');
  assert.equal(d.spec?.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  const app = d.spec?.template.spec?.containers[0];
  assert.is(app?.name, 'app');
  assert.equal(
    app?.ports?.map((p) => [p.name, p.containerPort]),
    [
      ['management', 7626],
      ['remoting', 17355],
    ],
  );
  assert.is(app?.readinessProbe?.httpGet?.path, '/ready');
  assert.is(app?.readinessProbe?.httpGet?.port, 'management');
  assert.is(app?.livenessProbe?.httpGet?.path, '/alive');
  const env = Object.fromEntries((app?.env ?? []).map((e) => [e.name, e]));
  assert.is(env.PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME?.valueFrom?.fieldRef?.fieldPath, "metadata.labels['app']");
  assert.is(env.POD_IP?.valueFrom?.fieldRef?.fieldPath, 'status.podIP');
  const java = env.JAVA_TOOL_OPTIONS?.value ?? '';
  for (const flag of [
    '-Dpekko.management.cluster.bootstrap.contact-point-discovery.discovery-method=kubernetes-api',
    '-Dpekko.management.http.hostname=$(POD_IP)',
    '-Dpekko.remote.artery.canonical.hostname=$(POD_IP)',
    '-Dpekko.management.cluster.bootstrap.contact-point-discovery.port-name=management',
    '-Dpekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr=3',
    '-Dpekko.management.cluster.bootstrap.contact-point-discovery.stable-margin=5s',
    '-Dpekko.management.cluster.bootstrap.new-cluster-enabled=on',
    '-Dpekko.discovery.kubernetes-api.pod-label-selector=app=%s',
    '-Dpekko.discovery.kubernetes-api.use-raw-ip=true',
  ]) {
    assert.ok(java.split(' ').includes(flag), `missing ${flag}`);
  }
  const names = (app?.env ?? []).map((e) => e.name);
  assert.ok(names.indexOf('POD_IP') < names.indexOf('JAVA_TOOL_OPTIONS'), 'POD_IP must precede its $(POD_IP) use');
  assert.is(d.spec?.template.spec?.serviceAccountName, 'pekko-bootstrap-demo');
  assert.equal(d.spec?.template.spec?.securityContext, {
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  assert.equal(app?.securityContext, { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  assert.is(serviceAccount?.metadata?.name, 'pekko-bootstrap-demo');
  assert.is(d.metadata?.ownerReferences?.[0]?.controller, true);
});

test("the user's JAVA_TOOL_OPTIONS, env, ports, probe and other containers are kept", () => {
  const { cb, r } = member(load('full.input.yaml'));
  const children = renderChildren(cb, r);
  assert.not.ok(
    children.some((c) => c.kind === 'ServiceAccount'),
    'an existing serviceAccountName means no ServiceAccount is created',
  );
  const d = renderDeployment(cb, r);
  const [app, shipper] = d.spec?.template.spec?.containers ?? [];
  const env = Object.fromEntries((app?.env ?? []).map((e) => [e.name, e]));
  assert.ok(env.JAVA_TOOL_OPTIONS?.value?.startsWith('-Xmx512m -D'));
  assert.is(env.LOG_LEVEL?.value, 'debug');
  assert.is(env.POD_IP?.valueFrom?.fieldRef?.fieldPath, 'status.podIP', 'the operator owns POD_IP');
  assert.is(app?.readinessProbe?.periodSeconds, 5, "the user's readiness probe wins");
  assert.is(app?.livenessProbe?.httpGet?.path, '/alive', 'the unset liveness probe is filled in');
  assert.ok(app?.ports?.some((p) => p.name === 'http'));
  assert.equal(app?.resources?.requests, { cpu: '500m', memory: '1Gi' });
  assert.is(shipper?.name, 'log-shipper');
  assert.equal(d.spec?.strategy?.rollingUpdate, { maxSurge: 2, maxUnavailable: 0 });
  assert.is(d.spec?.template.spec?.securityContext?.runAsUser, 1000);
  assert.is(d.spec?.template.spec?.securityContext?.runAsNonRoot, true);
  assert.is(d.spec?.template.metadata?.labels?.tier, 'backend');
  assert.is(d.spec?.template.spec?.nodeSelector?.disk, 'ssd');
});

test("the security-context defaults merge deeply: a user's capabilities.add keeps drop ALL, the user's values win", () => {
  const cb = load('minimal.input.yaml');
  cb.spec.template = {
    spec: {
      securityContext: { seccompProfile: { localhostProfile: 'profiles/pekko.json', type: 'Localhost' } },
      containers: [
        {
          name: 'app',
          securityContext: { capabilities: { add: ['NET_BIND_SERVICE'] }, readOnlyRootFilesystem: true },
        },
      ],
    },
  };
  const { cb: c, r } = member(cb);
  const d = renderDeployment(c, r);
  assert.equal(d.spec?.template.spec?.containers[0]?.securityContext, {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
    readOnlyRootFilesystem: true,
  });
  assert.equal(d.spec?.template.spec?.securityContext, {
    runAsNonRoot: true,
    seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/pekko.json' },
  });
  cb.spec.template = {
    spec: { containers: [{ name: 'app', securityContext: { capabilities: { drop: ['NET_RAW'] } } }] },
  };
  const own = renderDeployment(cb, member(cb).r).spec?.template.spec?.containers[0]?.securityContext;
  assert.equal(own?.capabilities, { drop: ['NET_RAW'] }, "a user's own drop list is theirs");
});

test('an existing JAVA_TOOL_OPTIONS from a Secret is referenced, not lost', () => {
  const cb = load('minimal.input.yaml');
  cb.spec.template = {
    spec: {
      containers: [
        { name: 'app', env: [{ name: 'JAVA_TOOL_OPTIONS', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] },
      ],
    },
  };
  const { cb: c, r } = member(cb);
  const env = renderDeployment(c, r).spec?.template.spec?.containers[0]?.env ?? [];
  assert.ok(env.some((e) => e.name === 'USER_JAVA_TOOL_OPTIONS' && e.valueFrom?.secretKeyRef?.name === 's'));
  assert.ok(env.find((e) => e.name === 'JAVA_TOOL_OPTIONS')?.value?.startsWith('$(USER_JAVA_TOOL_OPTIONS) -D'));
});

test('agent workload: settings as env vars named after Pekko keys; the required count comes from status', () => {
  const { cb, r } = member(load('agent.input.yaml'));
  const app = renderDeployment(cb, r).spec?.template.spec?.containers[0];
  const env = Object.fromEntries((app?.env ?? []).map((e) => [e.name, e.value]));
  assert.is(env.PEKKO_MANAGEMENT_CLUSTER_BOOTSTRAP_CONTACT_POINT_DISCOVERY_REQUIRED_CONTACT_POINT_NR, '2');
  assert.is(env.PEKKO_DISCOVERY_KUBERNETES_API_POD_LABEL_SELECTOR, 'app=%s');
  assert.is(env.PEKKO_MANAGEMENT_CLUSTER_BOOTSTRAP_NEW_CLUSTER_ENABLED, 'true');
  assert.is(env.PEKKO_ACTOR_SYSTEM_NAME, 'demo');
  assert.is(env.PEKKO_DISCOVERY_KUBERNETES_API_USE_RAW_IP, 'true');
  assert.is(env.JAVA_TOOL_OPTIONS, undefined);
});

test('agent.image adds the bootstrap-agent sidecar, which serves management and carries the probes', () => {
  const { cb, r } = member(load('agent-sidecar.input.yaml'));
  const d = renderDeployment(cb, r);
  const [app, agent] = d.spec?.template.spec?.containers ?? [];
  assert.is(agent?.name, 'bootstrap-agent');
  assert.is(agent?.image, 'pekko-bootstrap-agent:dev');
  assert.ok(agent?.ports?.some((p) => p.name === 'management'));
  assert.is(agent?.readinessProbe?.httpGet?.path, '/ready');
  assert.is(app?.readinessProbe, undefined);
  assert.ok(agent?.env?.some((e) => e.name === 'AGENT_MANAGEMENT_ALSO_LOCALHOST' && e.value === 'true'));
  assert.equal(d.spec?.strategy, { type: 'Recreate' });
});

test('two resources in one namespace share one Role and one RoleBinding naming both accounts', () => {
  const a = member(load('minimal.input.yaml'));
  const bCb = load('full.input.yaml');
  const b = member(bCb);
  const rbac = renderSharedRbac('shop', [b, a]);
  assert.ok(rbac);
  const { role, roleBinding } = rbac;
  assert.is(role.metadata?.name, 'pod-reader');
  assert.is(role.metadata?.namespace, 'shop');
  assert.equal(role.rules, [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'watch', 'list'] }]);
  assert.is(roleBinding.metadata?.name, 'read-pods');
  assert.equal(roleBinding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' });
  assert.equal(roleBinding.subjects, [
    { kind: 'ServiceAccount', name: 'orders-runner', namespace: 'shop' },
    { kind: 'ServiceAccount', name: 'pekko-bootstrap-demo', namespace: 'shop' },
  ]);
  assert.equal(JSON.parse(roleBinding.metadata?.annotations?.[SUBJECTS_ANNOTATION] ?? ''), {
    orders: 'orders-runner',
    'pekko-bootstrap-demo': 'pekko-bootstrap-demo',
  });
  assert.equal(
    roleBinding.metadata?.ownerReferences?.map((o) => [o.name, o.controller]),
    [
      ['orders', false],
      ['pekko-bootstrap-demo', false],
    ],
  );
  assert.equal(renderSharedRbac('shop', [a, b]), rbac, 'order of the input does not matter');
  assert.is(renderSharedRbac('shop', []), undefined);
});

test('a revision and a formation record read back with their keys in another order render the same Deployment', () => {
  // The API server hands status back with sorted keys; the reconcile that decided the revision built it in its own
  // order. Different annotation text would change the applied hash and write the Deployment again for nothing.
  const { cb, r } = member(load('minimal.input.yaml'));
  const revision = r.revision;
  assert.ok(revision);
  const reversed = Object.fromEntries(Object.entries(revision).reverse()) as typeof revision;
  const formed = { seedNode: 'pekko://demo@10.0.0.1:17355', formedAt: '2026-11-29T12:00:00Z' };
  const formedReversed = { formedAt: formed.formedAt, seedNode: formed.seedNode };
  const a = renderDeployment(cb, { ...r, revision, formed });
  const b = renderDeployment(cb, { ...r, revision: reversed, formed: formedReversed });
  assert.ok(Object.keys(revision).length > 1);
  assert.equal(a.metadata?.annotations, b.metadata?.annotations);
});

test.run();
