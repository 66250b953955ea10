// The generated CRD on a real API server: it is accepted, its CEL rules reject what the schema cannot with messages
// that name the field, defaults are filled in by the server, `kubectl explain` reads like documentation, and the
// scale subresource works. No operator runs here: this is the API alone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ensureCrd, kubectl, loudly, withNamespace } from '../lib/index.ts';

test.before(loudly('apply the CRD', ensureCrd));

const cb = (ns: string, name: string, spec: string) => `apiVersion: bootstrap.pekko-operator.dev/v1alpha1
kind: ClusterBootstrap
metadata: {name: ${name}, namespace: ${ns}}
spec: ${spec}
`;

/** Applies with a server-side dry run and returns the API server's error text ('' when accepted). */
async function rejection(ns: string, name: string, spec: string): Promise<string> {
  const r = await kubectl(['apply', '--dry-run=server', '-f', '-'], { input: cb(ns, name, spec), check: false });
  return r.code === 0 ? '' : r.stderr;
}

test('the API server fills in the schema defaults', () =>
  withNamespace(async (ns) => {
    await kubectl(['apply', '-f', '-'], { input: cb(ns, 'defaults', '{image: app:1}') });
    const got = JSON.parse((await kubectl(['get', 'cb', 'defaults', '-o', 'json'], { namespace: ns })).stdout);
    assert.equal(got.spec, {
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
  }));

const rejected: [string, string, string, string][] = [
  ['a.b', '{image: a}', 'spec.actorSystemName', 'set spec.actorSystemName'],
  ['x', '{image: a, agent: {image: b}}', 'spec.agent', 'set spec.workload to agent'],
  ['x', '{image: a, remoting: {port: 7626}}', 'spec.remoting.port', 'different numbers'],
  [
    'x',
    '{image: a, strategy: {type: Recreate, rollingUpdate: {maxSurge: 1}}}',
    'spec.strategy.rollingUpdate',
    'remove it',
  ],
  ['x', '{image: a, management: {portName: "8558"}}', 'spec.management.portName', 'must contain a letter'],
  ['x', '{image: a, management: {portName: remoting}}', 'spec.management.portName', 'use e.g. management'],
  [
    'x',
    '{image: a, strategy: {rollingUpdate: {maxSurge: 0}}}',
    'spec.strategy.rollingUpdate.maxSurge',
    'set maxSurge to 1',
  ],
  [
    'x',
    "{image: a, strategy: {rollingUpdate: {maxSurge: '0%', maxUnavailable: 0}}}",
    'spec.strategy.rollingUpdate.maxSurge',
    'set maxSurge to 1',
  ],
  ['x', '{image: a, bootstrap: {stableMargin: 5sec}}', 'spec.bootstrap.stableMargin', 'e.g. 5s'],
  ['x', '{image: a, lifecycle: {leaveTimeout: 2min}}', 'spec.lifecycle.leaveTimeout', 'e.g. 2m'],
  ['x', '{image: a, formation: {coldStartAfter: 1min}}', 'spec.formation.coldStartAfter', 'e.g. 60s'],
  ['x', '{image: a, formation: {coldStartAfter: 9s}}', 'spec.formation.coldStartAfter', 'at least 10s'],
  ['x', '{image: a, formation: {coldStart: Never}}', 'spec.formation.coldStart', 'supported values'],
  ['x', "{image: a, bootstrap: {podLabelSelector: 'app=%s,b=%s'}}", 'spec.bootstrap.podLabelSelector', '%s once'],
  ['x', "{image: a, bootstrap: {podLabelSelector: 'app in (a,b)'}}", 'spec.bootstrap.podLabelSelector', 'no spaces'],
  ['x', '{image: a, replicas: -1}', 'spec.replicas', 'greater than or equal to 0'],
  ['x', '{image: a, workload: akka}', 'spec.workload', 'supported values'],
  ['x', '{replicas: 1}', 'spec.image', 'Required'],
  [
    'x',
    '{image: a, workload: agent, splitBrainResolver: {strategy: keep-majority}}',
    'spec.splitBrainResolver',
    'for workload pekko only',
  ],
  ['x', '{image: a, splitBrainResolver: {strategy: majority}}', 'spec.splitBrainResolver.strategy', 'supported values'],
  [
    'x',
    '{image: a, splitBrainResolver: {strategy: static-quorum}}',
    'spec.splitBrainResolver.staticQuorum',
    'set it to more than half of the nodes',
  ],
  [
    'x',
    '{image: a, splitBrainResolver: {strategy: keep-majority, leaseMajority: {}}}',
    'spec.splitBrainResolver.leaseMajority',
    'remove it, or set strategy lease-majority',
  ],
  [
    'x',
    '{image: a, splitBrainResolver: {strategy: lease-majority, leaseMajority: {heartbeatTimeout: 10s}}}',
    'spec.splitBrainResolver.leaseMajority.heartbeatTimeout',
    'longer than 10s',
  ],
  [
    'x',
    '{image: a, splitBrainResolver: {strategy: lease-majority, leaseMajority: {leaseName: My_Lease}}}',
    'spec.splitBrainResolver.leaseMajority.leaseName',
    'lower-case letters',
  ],
];

test('every split brain resolver setting the CEL rules check passes them on the API server', () =>
  withNamespace(async (ns) => {
    const lease =
      '{leaseName: shop-lease, acquireLeaseDelayForMinority: 3s, releaseAfter: 1m, heartbeatTimeout: 30s, ' +
      'leaseOperationTimeout: 500ms}';
    for (const sbr of [
      `{strategy: lease-majority, stableAfter: 7s, leaseMajority: ${lease}}`,
      '{strategy: static-quorum, staticQuorum: {quorumSize: 2}}',
      '{strategy: keep-oldest, keepOldest: {downIfAlone: false}}',
      '{strategy: down-all}',
    ]) {
      assert.is(await rejection(ns, 'x', `{image: a, splitBrainResolver: ${sbr}}`), '', sbr);
    }
  }));

for (const [name, spec, field, fix] of rejected) {
  test(`the API server rejects ${spec} naming ${field}`, () =>
    withNamespace(async (ns) => {
      const err = await rejection(ns, name, spec);
      assert.ok(err.includes(field), `expected ${field} in: ${err}`);
      assert.ok(err.includes(fix), `expected "${fix}" in: ${err}`);
    }));
}

test('a metadata.name over 63 characters is refused, also with spec.actorSystemName (the selector carries it)', () =>
  withNamespace(async (ns) => {
    for (const spec of ['{image: a}', '{image: a, actorSystemName: shop, serviceName: shop}']) {
      const err = await rejection(ns, 'a'.repeat(64), spec);
      assert.match(err, 'longer than 63 characters');
      assert.match(err, 'choose a shorter name');
    }
    assert.is(await rejection(ns, 'a'.repeat(63), '{image: a}'), '');
    assert.is(await rejection(ns, 'x', '{image: a, strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 1}}}'), '');
    assert.is(await rejection(ns, 'x', '{image: a, formation: {coldStartAfter: 10000ms}}'), '');
  }));

test('kubectl explain reads like documentation', async () => {
  const out = (await kubectl(['explain', 'cb.spec', '--recursive'])).stdout;
  for (const f of [
    'image',
    'replicas',
    'workload',
    'bootstrap',
    'stableMargin',
    'podLabelSelector',
    'template',
    'paused',
  ]) {
    assert.match(out, f);
  }
  const margin = (await kubectl(['explain', 'cb.spec.bootstrap.stableMargin'])).stdout;
  assert.match(margin, 'How long the set of contact points must stay the same');
});

test('kubectl scale changes spec.replicas through the scale subresource', () =>
  withNamespace(async (ns) => {
    await kubectl(['apply', '-f', '-'], { input: cb(ns, 'scaled', '{image: app:1}') });
    await kubectl(['scale', 'cb/scaled', '--replicas=5'], { namespace: ns });
    const got = JSON.parse((await kubectl(['get', 'cb', 'scaled', '-o', 'json'], { namespace: ns })).stdout);
    assert.is(got.spec.replicas, 5);
  }));

test('kubectl get cb prints the columns', async () =>
  withNamespace(async (ns) => {
    await kubectl(['apply', '-f', '-'], { input: cb(ns, 'cols', '{image: app:1}') });
    const header = (await kubectl(['get', 'cb'], { namespace: ns })).stdout.split('\n')[0] ?? '';
    assert.match(header, /NAME\s+REPLICAS\s+READY\s+CONTACT POINTS\s+SEED\s+PHASE\s+AGE/);
    const wide = (await kubectl(['get', 'cb', '-o', 'wide'], { namespace: ns })).stdout.split('\n')[0] ?? '';
    assert.match(wide, /MEMBERS\s+REQUIRED\s+WORKLOAD\s+SBR\s+LEASE HOLDER\s+HELD FOR\s+MESSAGE/);
  }));

test.run();
