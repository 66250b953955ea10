// The settings contract, end to end on the operator's side: render the real Deployment of a `workload: agent`
// resource, resolve its env as the kubelet does (downward-API fields, then $(VAR) references to earlier entries), and
// feed that to the agent's own parser. A variable renamed or re-typed on one side only fails here.
import type { V1Container, V1Deployment } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../agent/config.ts';
import { resolve } from '../../core/api/resolve.ts';
import { AGENT_CONTAINER, APP_CONTAINER, type ClusterBootstrap } from '../../core/api/types.ts';
import { validate } from '../../core/api/validate.ts';
import { ALL_SETTINGS } from '../../core/settings/catalog.ts';
import { isValueRender } from '../../core/settings/setting.ts';
import { parseDuration } from '../../core/settings/value-types.ts';
import { prepare } from '../lifecycle/lifecycle.ts';
import { renderDeployment } from './deployment.ts';

const POD_IP = '10.244.3.17';

function rendered(spec: ClusterBootstrap['spec']) {
  const cb: ClusterBootstrap = {
    apiVersion: 'bootstrap.pekko-operator.dev/v1alpha1',
    kind: 'ClusterBootstrap',
    metadata: { name: 'shop', namespace: 'team-a', uid: '0b6f1c2e-0000-4000-8000-00000000000a' },
    spec,
  };
  const valid = validate(cb);
  if (!valid.spec) throw new Error(valid.errors.join('; '));
  // As the reconcile renders it: with the pod template revision (the app version) of a new resource.
  const r = prepare(cb, resolve(cb, valid.spec), undefined, undefined);
  return { r, d: renderDeployment(cb, r) };
}

/** The container's env as the process sees it: fields from the pod, $(NAME) expanded from earlier entries. */
function envOf(d: V1Deployment, container: V1Container): Record<string, string> {
  const pod: Record<string, string> = {
    'status.podIP': POD_IP,
    'metadata.name': 'shop-7d9c-x2x4q',
    'metadata.namespace': d.metadata?.namespace ?? '',
  };
  for (const [k, v] of Object.entries(d.spec?.template.metadata?.labels ?? {})) pod[`metadata.labels['${k}']`] = v;
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    const field = e.valueFrom?.fieldRef?.fieldPath;
    if (field !== undefined) {
      assert.ok(field in pod, `${e.name} refers to ${field}, which this test does not know`);
      env[e.name] = pod[field] as string;
    } else {
      env[e.name] = (e.value ?? '').replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (ref, name) => env[name] ?? ref);
    }
  }
  return env;
}

const agentNames = new Set(ALL_SETTINGS.flatMap((s) => s.env));

function agentContainer(d: V1Deployment): V1Container {
  const containers = d.spec?.template.spec?.containers ?? [];
  const c = containers.find((x) => x.name === AGENT_CONTAINER) ?? containers.find((x) => x.name === APP_CONTAINER);
  if (!c) throw new Error('no agent container');
  return c;
}

const cases: Array<[string, ClusterBootstrap['spec']]> = [
  ['defaults, the agent as the app', { image: 'pekko-bootstrap-agent:dev', workload: 'agent', replicas: 3 }],
  [
    'every rendered setting changed, the agent as a sidecar',
    {
      image: 'registry.example/shop:1',
      workload: 'agent',
      agent: { image: 'pekko-bootstrap-agent:dev' },
      replicas: 5,
      actorSystemName: 'Shop_System',
      serviceName: 'shop-svc',
      management: { port: 8558, portName: 'mgmt' },
      remoting: { port: 25520 },
      bootstrap: {
        requiredContactPoints: 4,
        stableMargin: '7500ms',
        newClusterEnabled: false,
        podLabelSelector: 'app=%s,tier=backend',
      },
    },
  ],
];

for (const [name, spec] of cases) {
  test(`the agent parses the env the operator renders: ${name}`, () => {
    const { r, d } = rendered(spec);
    const container = agentContainer(d);
    const env = envOf(d, container);
    for (const n of Object.keys(env))
      assert.ok(agentNames.has(n), `the operator writes ${n}, which the agent never reads`);
    const c = parseConfig(env);
    assert.is(c.actorSystemName, r.actorSystemName);
    assert.is(c.serviceName, r.serviceName);
    assert.is(c.portName, r.managementPortName);
    assert.is(c.podIP, POD_IP);
    assert.is(c.podName, 'shop-7d9c-x2x4q');
    assert.is(c.kubernetes.namespace, 'team-a');
    assert.equal(c.management, {
      hostname: POD_IP,
      port: r.managementPort,
      bindHostname: POD_IP,
      bindPort: r.managementPort,
      alsoLocalhost: container.name === AGENT_CONTAINER,
    });
    assert.equal(c.remoting, { hostname: POD_IP, port: r.remotingPort });
    assert.is(c.bootstrap.requiredContactPointNr, r.requiredContactPoints);
    assert.is(c.bootstrap.stableMarginMs, parseDuration(r.stableMargin));
    assert.is(c.bootstrap.newClusterEnabled, r.newClusterEnabled);
    assert.is(c.kubernetes.podLabelSelector, r.podLabelSelectorTemplate);
    assert.is(c.kubernetes.useRawIp, true);
  });
}

test('a Pekko app gets every Pekko setting as a -D flag and the downward-API variables, no agent env', () => {
  const { r, d } = rendered({ image: 'registry.example/shop:1', replicas: 3 });
  const env = envOf(d, agentContainer(d));
  const flags = (env.JAVA_TOOL_OPTIONS ?? '').split(' ');
  // Every Pekko setting that has a value for this resource (the split brain resolver's have none without it).
  const keys = ALL_SETTINGS.filter(
    (s) => isValueRender(s.render) && s.render.to.includes('pekko') && s.render.value(r) !== undefined,
  );
  assert.equal(
    flags.map((f) => f.slice(2, f.indexOf('='))),
    keys.map((s) => s.key),
  );
  assert.ok(flags.includes(`-Dpekko.management.http.hostname=${POD_IP}`), '$(POD_IP) expands');
  assert.equal(Object.keys(env).sort(), [
    'JAVA_TOOL_OPTIONS',
    'KUBERNETES_NAMESPACE',
    'PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME',
    'POD_IP',
    'POD_NAME',
  ]);
});

test.run();
