// Reconcile against a fake that behaves like the API server where the operator's judgement depends on it: caches
// that lag behind the operator's own writes, and objects stored the way the API server stores them (quantities
// canonical, defaults filled in). Each test here failed with the code it guards reverted (see the commit messages).
import type { V1Container, V1Deployment } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { flush } from '../../core/runtime/fake-clock.ts';
import { findCondition } from '../status/conditions.ts';
import type { HttpGet } from '../status/probe-http.ts';
import { FIRST_STATUS_WAIT_MS } from './first-status.ts';
import { cbOf, harness, NS, podOf } from './testkit.ts';

const app = (d: V1Deployment | undefined): V1Container | undefined =>
  d?.spec?.template?.spec?.containers.find((c) => c.name === 'app');

test('steady state against stored values: cpu 0.5 stored as 500m, defaults, an env var of another manager: no apply', async () => {
  const h = harness({ apiValues: true });
  h.put(
    cbOf('demo', {
      template: {
        spec: {
          containers: [
            {
              name: 'app',
              resources: { limits: { cpu: 0.5, memory: '1.5Gi' }, requests: { cpu: '1000m' } },
              env: [{ name: 'MODE', value: 'blue' }],
            },
          ],
        },
      },
    }),
  );
  await h.settle('demo');
  const stored = h.kube.find<V1Deployment>('Deployment', NS, 'demo');
  assert.equal(app(stored)?.resources, { limits: { cpu: '500m', memory: '1536Mi' }, requests: { cpu: '1' } });
  assert.is(stored?.spec?.revisionHistoryLimit, 10, 'defaults filled in');
  // `kubectl set env deployment/demo EXTRA=1`: another manager's entry in our env list.
  const edited = structuredClone(stored) as V1Deployment;
  app(edited)?.env?.push({ name: 'EXTRA', value: '1' });
  h.put(edited);
  const applies = h.kube.count('apply');
  for (let i = 0; i < 5; i++) {
    await h.clock.advance(600_000);
    await h.settle('demo');
  }
  assert.is(h.kube.count('apply'), applies, 'no apply in five resyncs');
  assert.not.ok(
    h.reasons().some((r) => r.startsWith('Repaired')),
    h.reasons().join('\n'),
  );
  // A change of a value the operator owns is still repaired, and the other manager's entry is left alone.
  const drifted = structuredClone(h.kube.find<V1Deployment>('Deployment', NS, 'demo')) as V1Deployment;
  const mode = app(drifted)?.env?.find((e) => e.name === 'MODE');
  if (mode) mode.value = 'green';
  h.put(drifted);
  await h.settle('demo');
  assert.is(h.kube.count('apply'), applies + 1);
  assert.ok(h.reasons().some((r) => r.startsWith('Repaired: Repaired Deployment demo')));
});

test('the status writer remembers its own write while the cache lags: no second write of the same status', async () => {
  const h = harness({
    cacheLag: true,
    observe: () => ({
      status: { phase: 'Forming', message: 'forming', contactPoints: [], readyContactPoints: 0 },
      conditions: [],
      events: [],
      requeueAfterMs: 1000,
    }),
  });
  h.put(cbOf('demo'));
  h.kube.sync();
  await h.run(`cb:${NS}/demo`);
  assert.is(h.kube.count('status'), 1);
  for (let i = 0; i < 3; i++) await h.run(`cb:${NS}/demo`);
  assert.is(h.kube.count('status'), 1, 'the cache still holds no status; the writer knows what it wrote');
  h.kube.sync();
  await h.run(`cb:${NS}/demo`);
  assert.is(h.kube.count('status'), 1, 'the cache caught up: still nothing to write');
});

/** Three pods' management endpoints; `up` lists the Up members every pod reports. */
function network(ips: string[]) {
  const addr = (ip: string) => `pekko://demo@${ip}:17355`;
  const state = { up: [...ips] };
  const get: HttpGet = async (url) => {
    const host = new URL(url).hostname;
    const members = state.up.map((ip) => ({ node: addr(ip), nodeUid: '1', status: 'Up', roles: [] }));
    const body = url.endsWith('/bootstrap/seed-nodes')
      ? { selfNode: addr(host), seedNodes: members.map((m) => ({ ...m, nodeUid: 1 })) }
      : { selfNode: addr(host), members, unreachable: [], oldest: addr(ips[0] as string), oldestPerRole: {} };
    return { status: 200, contentType: 'application/json', body: JSON.stringify(body) };
  };
  return { get, state };
}

/** demo on a lagging cache with a pod per IP, each answering as `network(ips)` says; the probing observer's harness. */
function threePods(ips: string[]) {
  const net = network(ips);
  const h = harness({ cacheLag: true, get: net.get });
  h.put(cbOf('demo'));
  ips.forEach((ip, i) => {
    h.put(podOf(`demo-${i}`, 'demo', ip));
  });
  h.kube.sync();
  return { h, net };
}

/** A reconcile that starts the probes, their answers, a reconcile that reads them; then its Events are written. */
async function probedPass(h: ReturnType<typeof harness>): Promise<void> {
  await h.run(`cb:${NS}/demo`);
  await flush();
  await h.run(`cb:${NS}/demo`);
  await h.events.flush();
}

test('the observer sees the status as last written while the cache lags: a member lost after Formed', async () => {
  const ips = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
  const { h, net } = threePods(ips);
  // From here on the cache never shows the operator's status writes.
  await probedPass(h);
  assert.is(h.cb('demo').status?.phase, 'Formed');
  assert.ok(h.reasons().some((r) => r.startsWith('Formed:')));
  // One member leaves the cluster while its pod stays: still Formed (it formed before, so the first-formation rule
  // of as many members as required no longer applies), and the loss is an Event. Both need the status as written.
  net.state.up = ips.slice(0, 2);
  await h.clock.advance(30_000);
  await probedPass(h);
  const status = h.cb('demo').status;
  assert.is(status?.members, 2);
  assert.is(status?.phase, 'Formed');
  assert.ok(
    h.reasons().some((r) => r.startsWith('MemberLost: Up members went from 3 to 2')),
    h.reasons().join('\n'),
  );
});

test('a scale-down is no loss: members going down to the new replica count raise no MemberLost', async () => {
  const ips = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
  const { h, net } = threePods(ips);
  await probedPass(h);
  assert.is(h.cb('demo').status?.phase, 'Formed');
  // kubectl scale cb/demo --replicas=2: the spec changes, one pod goes, the others report two members.
  h.setSpec('demo', { replicas: 2 });
  h.kube.remove('Pod', NS, 'demo-2');
  net.state.up = ips.slice(0, 2);
  h.kube.sync();
  await h.clock.advance(30_000);
  await probedPass(h);
  assert.is(h.cb('demo').status?.members, 2);
  assert.not.ok(
    h.reasons().some((r) => r.startsWith('MemberLost')),
    h.reasons().join('\n'),
  );
});

test('a selector change with a lagging cache: 422, delete, then create with the new selector', async () => {
  const h = harness({ cacheLag: true, apiValues: true });
  h.put(cbOf('demo'));
  await h.settle('demo');
  const cb = h.cb('demo');
  h.put({ ...cb, metadata: { ...cb.metadata, generation: 2 }, spec: { ...cb.spec, serviceName: 'shop' } });
  h.kube.sync();
  const before = h.kube.calls.length;
  await h.run(`cb:${NS}/demo`);
  // The cache still shows the deleted Deployment with the old selector: the next pass applies, which creates it.
  await h.run(`cb:${NS}/demo`);
  assert.equal(
    h.kube.calls.slice(before).filter((c) => c.includes('Deployment')),
    ['apply Deployment demo', 'delete Deployment demo', 'apply Deployment demo'],
  );
  const dep = h.kube.find<V1Deployment>('Deployment', NS, 'demo');
  assert.equal(dep?.spec?.selector?.matchLabels, { app: 'shop', 'app.kubernetes.io/instance': 'demo' });
  await h.settle('demo');
  assert.is(h.kube.count('delete'), 1, 'deleted once');
});

test("a new resource's first status waits for read-pods to bind its account: one status write, Applied", async () => {
  const h = harness();
  const created = new Date(h.clock.now());
  const cb = cbOf('demo');
  h.put({ ...cb, metadata: { ...cb.metadata, creationTimestamp: created } });
  h.kube.sync();
  const first = await h.run(`cb:${NS}/demo`);
  assert.is(h.kube.count('status'), 0, 'read-pods does not bind it yet: no status');
  assert.ok(first?.requeueAfterMs !== undefined && first.requeueAfterMs <= FIRST_STATUS_WAIT_MS, 'looks again');
  h.kube.sync();
  await h.run(`rbac:${NS}`);
  h.kube.sync();
  await h.run(`cb:${NS}/demo`);
  assert.is(h.kube.count('status'), 1);
  assert.is(findCondition(h.cb('demo').status?.conditions, 'ResourcesReady')?.reason, 'Applied');
});

test('a first status still waiting for read-pods is written FIRST_STATUS_WAIT_MS after creation: Progressing', async () => {
  const h = harness();
  const cb = cbOf('demo');
  h.put({ ...cb, metadata: { ...cb.metadata, creationTimestamp: new Date(h.clock.now()) } });
  h.kube.sync();
  await h.run(`cb:${NS}/demo`);
  assert.is(h.kube.count('status'), 0);
  await h.clock.advance(FIRST_STATUS_WAIT_MS);
  h.kube.sync();
  await h.run(`cb:${NS}/demo`);
  assert.is(h.kube.count('status'), 1);
  assert.is(findCondition(h.cb('demo').status?.conditions, 'ResourcesReady')?.reason, 'Progressing');
});

test.run();
