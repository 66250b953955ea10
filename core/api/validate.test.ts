import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterBootstrapSpec } from './types.ts';
import { validate } from './validate.ts';

const meta = { name: 'shop', namespace: 'ns' };
const check = (spec: unknown, name = 'shop') =>
  validate({ metadata: { ...meta, name }, spec: spec as ClusterBootstrapSpec });

test('minimal spec is valid and gets every schema default', () => {
  const { spec, errors } = check({ image: 'app:1' });
  assert.equal(errors, []);
  assert.equal(spec, {
    image: 'app:1',
    replicas: 3,
    workload: 'pekko',
    management: { port: 7626, portName: 'management' },
    remoting: { port: 17355 },
    bootstrap: { stableMargin: '5s', newClusterEnabled: true, podLabelSelector: 'app=%s' },
    paused: false,
    lifecycle: { podDeletionCost: true, appVersion: true, stepwiseScaleDown: true, podDisruptionBudget: true },
    splitRepair: { enabled: false },
    formation: { coldStart: 'Automatic', coldStartAfter: '60s' },
  });
});

test('a fully specified spec is valid and keeps its values', () => {
  const full = {
    image: 'app:1',
    replicas: 5,
    actorSystemName: 'Shop_System',
    serviceName: 'shop.v1',
    workload: 'agent',
    agent: { image: 'agent:1' },
    management: { port: 8558, portName: 'mgmt' },
    remoting: { port: 25520 },
    bootstrap: {
      requiredContactPoints: 2,
      stableMargin: '500ms',
      newClusterEnabled: false,
      podLabelSelector: 'app=%s,tier=be',
    },
    serviceAccountName: 'shop-sa',
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
    template: {
      metadata: { labels: { team: 'a' } },
      spec: { containers: [{ name: 'app', env: [{ name: 'X', value: '1' }] }] },
    },
    paused: true,
    lifecycle: {
      podDeletionCost: false,
      appVersion: false,
      stepwiseScaleDown: false,
      leaveTimeout: '5m',
      podDisruptionBudget: false,
    },
    splitRepair: { enabled: true },
    formation: { coldStart: 'Manual', coldStartAfter: '10s' },
  };
  const { spec, errors } = check(full);
  assert.equal(errors, []);
  assert.equal(spec, full);
});

test('the input is not modified', () => {
  const input = { image: 'app:1' };
  check(input);
  assert.equal(input, { image: 'app:1' });
});

// Every field's invalid forms; each message must name the field.
const invalid: [string, unknown, string][] = [
  ['missing spec', undefined, 'spec'],
  ['missing image', {}, 'spec.image'],
  ['empty image', { image: '' }, 'spec.image'],
  ['image not a string', { image: 3 }, 'spec.image'],
  ['negative replicas', { image: 'a', replicas: -1 }, 'spec.replicas'],
  ['fractional replicas', { image: 'a', replicas: 1.5 }, 'spec.replicas'],
  ['replicas as string', { image: 'a', replicas: '3' }, 'spec.replicas'],
  ['actorSystemName with a dot', { image: 'a', actorSystemName: 'a.b' }, 'spec.actorSystemName'],
  ['actorSystemName too long', { image: 'a', actorSystemName: 'a'.repeat(64) }, 'spec.actorSystemName'],
  ['serviceName with a space', { image: 'a', serviceName: 'a b' }, 'spec.serviceName'],
  ['serviceName ending in -', { image: 'a', serviceName: 'ab-' }, 'spec.serviceName'],
  ['unknown workload', { image: 'a', workload: 'akka' }, 'spec.workload'],
  ['agent with workload pekko', { image: 'a', agent: { image: 'x' } }, 'spec.agent'],
  ['empty agent image', { image: 'a', workload: 'agent', agent: { image: '' } }, 'spec.agent.image'],
  ['management port 0', { image: 'a', management: { port: 0 } }, 'spec.management.port'],
  ['management port too big', { image: 'a', management: { port: 70000 } }, 'spec.management.port'],
  ['port name upper case', { image: 'a', management: { portName: 'Mgmt' } }, 'spec.management.portName'],
  ['port name too long', { image: 'a', management: { portName: 'management-port-x' } }, 'spec.management.portName'],
  ['port name of digits', { image: 'a', management: { portName: '8558' } }, 'spec.management.portName'],
  ['port name remoting', { image: 'a', management: { portName: 'remoting' } }, 'spec.management.portName'],
  [
    'maxSurge and maxUnavailable 0',
    { image: 'a', strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } },
    'spec.strategy.rollingUpdate.maxSurge',
  ],
  ['remoting port negative', { image: 'a', remoting: { port: -5 } }, 'spec.remoting.port'],
  ['remoting equals management', { image: 'a', remoting: { port: 7626 } }, 'spec.remoting.port'],
  [
    'requiredContactPoints 0',
    { image: 'a', bootstrap: { requiredContactPoints: 0 } },
    'spec.bootstrap.requiredContactPoints',
  ],
  ['stableMargin without unit', { image: 'a', bootstrap: { stableMargin: '5' } }, 'spec.bootstrap.stableMargin'],
  ['stableMargin in words', { image: 'a', bootstrap: { stableMargin: '5 seconds' } }, 'spec.bootstrap.stableMargin'],
  ['stableMargin compound', { image: 'a', bootstrap: { stableMargin: '1m30s' } }, 'spec.bootstrap.stableMargin'],
  ['leaveTimeout without unit', { image: 'a', lifecycle: { leaveTimeout: '90' } }, 'spec.lifecycle.leaveTimeout'],
  ['coldStart unknown', { image: 'a', formation: { coldStart: 'Never' } }, 'spec.formation.coldStart'],
  ['coldStartAfter without unit', { image: 'a', formation: { coldStartAfter: '60' } }, 'spec.formation.coldStartAfter'],
  [
    'coldStartAfter below 10s',
    { image: 'a', formation: { coldStartAfter: '9999ms' } },
    'spec.formation.coldStartAfter',
  ],
  [
    'podDeletionCost as string',
    { image: 'a', lifecycle: { podDeletionCost: 'off' } },
    'spec.lifecycle.podDeletionCost',
  ],
  [
    'newClusterEnabled as string',
    { image: 'a', bootstrap: { newClusterEnabled: 'yes' } },
    'spec.bootstrap.newClusterEnabled',
  ],
  [
    'selector with spaces',
    { image: 'a', bootstrap: { podLabelSelector: 'app in (a,b)' } },
    'spec.bootstrap.podLabelSelector',
  ],
  [
    'selector with two %s',
    { image: 'a', bootstrap: { podLabelSelector: 'app=%s,x=%s' } },
    'spec.bootstrap.podLabelSelector',
  ],
  ['selector with %d', { image: 'a', bootstrap: { podLabelSelector: 'app=%d' } }, 'spec.bootstrap.podLabelSelector'],
  ['serviceAccountName upper case', { image: 'a', serviceAccountName: 'SA' }, 'spec.serviceAccountName'],
  ['unknown strategy', { image: 'a', strategy: { type: 'BlueGreen' } }, 'spec.strategy.type'],
  [
    'Recreate with rollingUpdate',
    { image: 'a', strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } },
    'spec.strategy.rollingUpdate',
  ],
  [
    'maxSurge as words',
    { image: 'a', strategy: { rollingUpdate: { maxSurge: 'one' } } },
    'spec.strategy.rollingUpdate.maxSurge',
  ],
  ['template not an object', { image: 'a', template: 'x' }, 'spec.template'],
  [
    'template containers not a list',
    { image: 'a', template: { spec: { containers: {} } } },
    'spec.template.spec.containers',
  ],
  [
    'template container without name',
    { image: 'a', template: { spec: { containers: [{}] } } },
    'spec.template.spec.containers[0].name',
  ],
  [
    'template app container with image',
    { image: 'a', template: { spec: { containers: [{ name: 'app', image: 'b' }] } } },
    'spec.template.spec.containers[0].image',
  ],
  [
    'template sets the app label',
    { image: 'a', template: { metadata: { labels: { app: 'x' } } } },
    'spec.template.metadata.labels.app',
  ],
  ['paused as string', { image: 'a', paused: 'true' }, 'spec.paused'],
];

for (const [what, spec, field] of invalid) {
  test(`rejects ${what}, naming ${field}`, () => {
    const { spec: out, errors } = check(spec);
    assert.is(out, undefined);
    assert.ok(errors.length > 0, 'expected an error');
    assert.ok(
      errors.some((e) => e.startsWith(`${field}:`) || e.startsWith(`${field} `)),
      `no error names ${field}: ${JSON.stringify(errors)}`,
    );
  });
}

test('a metadata.name that is not an actor system name needs spec.actorSystemName', () => {
  const bad = check({ image: 'a' }, 'shop.v1');
  assert.ok(
    bad.errors.some((e) => e.includes('set spec.actorSystemName')),
    JSON.stringify(bad.errors),
  );
  assert.equal(check({ image: 'a', actorSystemName: 'shop' }, 'shop.v1').errors, []);
});

test('a metadata.name longer than 63 is refused even with actorSystemName and serviceName (the selector carries it)', () => {
  const long = 'a'.repeat(64);
  for (const spec of [{ image: 'a' }, { image: 'a', actorSystemName: 'shop', serviceName: 'shop' }]) {
    const { errors } = check(spec, long);
    assert.ok(
      errors.some((e) => e.startsWith('metadata.name is longer than 63') && e.includes('choose a shorter name')),
      JSON.stringify(errors),
    );
  }
  assert.equal(check({ image: 'a' }, 'a'.repeat(63)).errors, []);
});

test('a strategy with maxSurge 0 needs maxUnavailable above 0; the fix is in the message', () => {
  const errors = (rollingUpdate: object) => check({ image: 'a', strategy: { rollingUpdate } }).errors;
  for (const ru of [{ maxSurge: 0 }, { maxSurge: 0, maxUnavailable: 0 }, { maxSurge: '0%', maxUnavailable: '0%' }]) {
    assert.ok(
      errors(ru).some(
        (e) => e.startsWith('spec.strategy.rollingUpdate.maxSurge is 0') && e.includes('set maxSurge to 1'),
      ),
      JSON.stringify(ru),
    );
  }
  for (const ru of [
    { maxSurge: 0, maxUnavailable: 1 },
    { maxSurge: 0, maxUnavailable: '10%' },
    { maxUnavailable: 0 },
  ]) {
    assert.equal(errors(ru), [], JSON.stringify(ru));
  }
});

test('management.portName of digits only, or remoting, is refused with the fix', () => {
  const messages = (portName: string) => check({ image: 'a', management: { portName } }).errors;
  assert.ok(messages('8558').some((e) => e.includes('must contain a letter') && e.includes('use e.g. management')));
  assert.ok(messages('remoting').some((e) => e.includes('must not be remoting') && e.includes('use e.g. management')));
  assert.equal(messages('mgmt-2'), []);
});

test('every problem is reported at once', () => {
  const { errors } = check({ image: '', replicas: -1, bootstrap: { stableMargin: 'soon' } });
  assert.ok(errors.length >= 3, JSON.stringify(errors));
});

test.run();
