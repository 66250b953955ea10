// A restarted operator and a formed cluster: the status keeps Formed until the pods' first answers, instead of
// flapping to Forming while nothing is known (first-answers.ts).
import type { V1Pod } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolve } from '../../core/api/resolve.ts';
import type { ClusterBootstrapStatus } from '../../core/api/types.ts';
import { FakeClock, flush } from '../../core/runtime/fake-clock.ts';
import { cbOf, podOf } from '../controller/testkit.ts';
import { awaitingFirstAnswers, withKnownNodes } from './first-answers.ts';
import { probingObserver } from './observer.ts';
import type { HttpGet } from './probe-http.ts';

const cb = cbOf('demo', { replicas: 2 });
const r = resolve(cb, cb.spec);
const ips = ['10.0.0.1', '10.0.0.2'];
const pods: V1Pod[] = ips.map((ip, i) => podOf(`demo-${i}`, 'demo', ip));
const addr = (ip: string) => `pekko://demo@${ip}:17355`;
const seed = addr('10.0.0.1');

/** Both pods answer as members of one cluster around 10.0.0.1, or refuse every connection. */
function pekko(up: { answering: boolean }): HttpGet {
  return async (url) => {
    if (!up.answering) throw new Error('connect ECONNREFUSED');
    const self = addr(new URL(url).hostname);
    const members = ips.map((ip) => ({ node: addr(ip), nodeUid: '1', status: 'Up', roles: [] }));
    const body = url.endsWith('/bootstrap/seed-nodes')
      ? JSON.stringify({ selfNode: self, seedNodes: members.map((m) => ({ ...m, nodeUid: 1 })) })
      : JSON.stringify({ selfNode: self, members, unreachable: [], oldest: seed, oldestPerRole: {} });
    return { status: 200, contentType: 'application/json', body };
  };
}

const stored: ClusterBootstrapStatus = {
  phase: 'Formed',
  message: `one cluster of 2 Up members formed around ${seed}`,
  seedNode: seed,
  members: 2,
  conditions: [
    { type: 'ClusterFormed', status: 'True', reason: 'Formed', message: 'm', lastTransitionTime: new Date() },
    { type: 'Ready', status: 'True', reason: 'Formed', message: 'm', lastTransitionTime: new Date() },
  ],
};

function restarted(answering: boolean) {
  const clock = new FakeClock();
  const up = { answering };
  const observer = probingObserver({ get: pekko(up), clock, enqueue: () => {}, registry: new Registry() });
  const observe = (previous: ClusterBootstrapStatus | undefined) =>
    observer.observe({ r, previous, deployment: undefined, pods, childrenReady: true });
  return { observe, clock, up };
}

const condition = (o: { conditions: { type: string; status: string }[] }, type: string) =>
  o.conditions.find((c) => c.type === type)?.status;

test('a formed cluster keeps Formed, its seed and Ready until the first answers, then reads them', async () => {
  const h = restarted(true);
  const first = h.observe(stored);
  assert.is(first.status.phase, 'Formed', 'no answer yet: not Forming');
  assert.is(first.status.seedNode, seed);
  assert.is(first.status.members, 2);
  assert.is(condition(first, 'Ready'), 'True');
  assert.equal(first.events, [], 'nothing changed, nothing to report');
  await flush();
  const second = h.observe(stored);
  assert.is(second.status.phase, 'Formed', 'from the answers now');
  assert.is(second.status.seedNode, seed);
});

test('pods that refuse their first probe: no longer held, the status reads what is known', async () => {
  const h = restarted(false);
  assert.is(h.observe(stored).status.phase, 'Formed', 'before the first probes return');
  await flush();
  const after = h.observe(stored);
  assert.is.not(after.status.phase, 'Formed', 'every pod failed its probe: nothing holds the old phase');
});

test('a cluster that never formed is not held: Forming at once', () => {
  const h = restarted(true);
  const o = h.observe({ phase: 'Forming', message: 'x' });
  assert.is(o.status.phase, 'Forming');
});

test('awaiting: no answer and a Ready pod not asked yet; not when one answered or every Ready pod failed', () => {
  const cp = (ready: boolean) => ({ pod: 'p', host: 'h', port: 1, ready });
  assert.ok(awaitingFirstAnswers([{ contactPoint: cp(true) }]));
  assert.not.ok(awaitingFirstAnswers([{ contactPoint: cp(true), error: 'refused' }]));
  assert.not.ok(awaitingFirstAnswers([{ contactPoint: cp(false) }]), 'a pod not Ready is not being asked');
  const answer = { selfNode: seed } as never;
  assert.not.ok(awaitingFirstAnswers([{ contactPoint: cp(true) }, { contactPoint: cp(true), answer }]));
});

test('a contact point keeps the stored node address until its own pod answers; another pod or host gets none', () => {
  const cp = (pod: string, host: string, node?: string) => ({
    pod,
    host,
    port: 7626,
    ready: true,
    ...(node ? { node } : {}),
  });
  const previous: ClusterBootstrapStatus = {
    contactPoints: [cp('a', '10.0.0.1', addr('10.0.0.1')), cp('b', '10.0.0.2', addr('10.0.0.2'))],
  };
  const computed = {
    phase: 'Formed',
    message: '',
    readyContactPoints: 3,
    contactPoints: [cp('a', '10.0.0.1'), cp('b', '10.0.0.9'), cp('c', '10.0.0.3', addr('10.0.0.3'))],
    clusters: [],
    conditions: [],
  } as Parameters<typeof withKnownNodes>[1];
  assert.equal(
    withKnownNodes(previous, computed).contactPoints.map((c) => c.node),
    [addr('10.0.0.1'), undefined, addr('10.0.0.3')],
  );
});

test.run();
