import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Condition, type ContainerView, type PodView, phase, podStatus } from './status.ts';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:00:10Z';
const running = (name: string, ready: boolean): ContainerView => ({
  name,
  image: 'img:1',
  state: { kind: 'running', startedAt: T0 },
  ready,
  started: true,
  restartCount: 0,
});
const view = (containers: ContainerView[], more: Partial<PodView> = {}): PodView => ({
  restartPolicy: 'Always',
  podIP: '127.1.0.3',
  hostIP: '127.0.0.1',
  startTime: T0,
  sandboxReady: true,
  init: [],
  containers,
  readinessGates: [],
  ...more,
});
const cond = (s: Record<string, unknown>, type: string) => (s.conditions as Condition[]).find((c) => c.type === type);

test('all containers ready: Running and Ready, with pod IPs', () => {
  const s = podStatus(view([running('a', true), running('b', true)]), undefined, T0);
  assert.is(s.phase, 'Running');
  assert.is(cond(s, 'Ready')?.status, 'True');
  assert.is(s.podIP, '127.1.0.3');
  assert.equal(s.podIPs, [{ ip: '127.1.0.3' }]);
});

test('one unready container: Running, not Ready, naming it', () => {
  const s = podStatus(view([running('a', true), running('b', false)]), undefined, T0);
  assert.is(s.phase, 'Running');
  const ready = cond(s, 'Ready');
  assert.is(ready?.status, 'False');
  assert.is(ready?.message, 'containers with unready status: [b]');
});

test('lastTransitionTime changes only with the status', () => {
  const first = podStatus(view([running('a', false)]), undefined, T0);
  const same = podStatus(view([running('a', false)]), first.conditions as Condition[], T1);
  assert.is(cond(same, 'Ready')?.lastTransitionTime, T0);
  const flipped = podStatus(view([running('a', true)]), same.conditions as Condition[], T1);
  assert.is(cond(flipped, 'Ready')?.lastTransitionTime, T1);
});

test('a container that never started keeps the pod Pending (ErrImagePull)', () => {
  const waiting: ContainerView = {
    name: 'x',
    image: 'nope:1',
    state: { kind: 'waiting', reason: 'ErrImagePull', message: 'not in the image map' },
    ready: false,
    started: false,
    restartCount: 0,
  };
  const s = podStatus(view([running('a', true), waiting]), undefined, T0);
  assert.is(s.phase, 'Pending');
  const cs = (s.containerStatuses as { state: { waiting?: { reason: string } } }[])[1];
  assert.is(cs?.state.waiting?.reason, 'ErrImagePull');
});

test('phase by restart policy for exited containers', () => {
  const exited = (code: number): ContainerView => ({
    name: 'a',
    image: 'i',
    state: { kind: 'terminated', exitCode: code, reason: code ? 'Error' : 'Completed', startedAt: T0, finishedAt: T1 },
    ready: false,
    started: false,
    restartCount: 0,
  });
  assert.is(phase(view([exited(0)], { restartPolicy: 'Never' })), 'Succeeded');
  assert.is(phase(view([exited(1)], { restartPolicy: 'Never' })), 'Failed');
  assert.is(phase(view([exited(1)], { restartPolicy: 'OnFailure' })), 'Running');
  assert.is(phase(view([exited(0)], { restartPolicy: 'Always' })), 'Running');
});

test('readiness gates hold Ready until their condition is True', () => {
  const v = view([running('a', true)], { readinessGates: ['example.com/gate'] });
  assert.is(cond(podStatus(v, undefined, T0), 'Ready')?.status, 'False');
  const gate: Condition = { type: 'example.com/gate', status: 'True', lastTransitionTime: T0 };
  assert.is(cond(podStatus(v, [gate], T0), 'Ready')?.status, 'True');
});

test.run();
