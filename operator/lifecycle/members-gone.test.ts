// "Every member is gone" only when nothing can be a member: every running pod answered, none in a cluster.
import type { V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { NodeAnswer, PodView } from '../status/compute.ts';
import { membersGone } from './members-gone.ts';

const node = (i: number) => `pekko://shop@10.0.0.${i}:17355`;
const OFF = '-Dpekko.management.cluster.bootstrap.new-cluster-enabled=off';
const ON = '-Dpekko.management.cluster.bootstrap.new-cluster-enabled=on';

function pod(
  i: number,
  o: { running?: boolean; java?: string; terminating?: boolean; container?: string } = {},
): V1Pod {
  const container = o.container ?? 'app';
  return {
    metadata: { name: `p${i}`, ...(o.terminating ? { deletionTimestamp: new Date() } : {}) },
    spec: { containers: [{ name: container, env: [{ name: 'JAVA_TOOL_OPTIONS', value: `-Dx=1 ${o.java ?? OFF}` }] }] },
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: container,
          image: 'app',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: o.running === false ? { waiting: { reason: 'CrashLoopBackOff' } } : { running: {} },
        },
      ],
    },
  };
}

const alone = (i: number): NodeAnswer => ({ selfNode: node(i), seedNodes: [], members: { list: [], unreachable: [] } });
const member = (i: number): NodeAnswer => ({
  selfNode: node(i),
  seedNodes: [node(i)],
  members: { list: [{ node: node(i), status: 'Up' }], unreachable: [], oldest: node(i) },
});
const view = (i: number, answer?: NodeAnswer, error?: string): PodView => ({
  contactPoint: { pod: `p${i}`, host: `10.0.0.${i}`, port: 7626, ready: false },
  ...(answer ? { answer } : {}),
  ...(error ? { error } : {}),
});

test('every running pod answers as no member: gone, with the pods that may only join', () => {
  const pods = [pod(1), pod(2), pod(3, { java: ON })];
  assert.equal(membersGone(pods, [view(1, alone(1)), view(2, alone(2)), view(3, alone(3))], 'app'), {
    gone: true,
    running: ['p1', 'p2', 'p3'],
    joinOnly: ['p1', 'p2'],
  });
});

test('one answer in a cluster, even of a pod of another resource: not gone', () => {
  const pods = [pod(1), pod(2)];
  const r = membersGone(pods, [view(1, alone(1)), view(2, alone(2)), view(9, member(9))], 'app');
  assert.equal(r, { gone: false, why: 'pods p9 report a cluster' });
});

test('a running pod that has not answered, or whose latest probe failed, may be a member: not gone', () => {
  const pods = [pod(1), pod(2)];
  assert.equal(membersGone(pods, [view(1, alone(1)), view(2)], 'app'), {
    gone: false,
    why: 'pods p2 have not answered',
  });
  assert.equal(membersGone(pods, [view(1, alone(1)), view(2, alone(2), 'timeout')], 'app').gone, false);
  // A terminating pod is no contact point (no view) but its process may still be a member.
  assert.equal(
    membersGone([...pods, pod(3, { terminating: true })], [view(1, alone(1)), view(2, alone(2))], 'app').gone,
    false,
  );
  // An older answer in a cluster, the latest probe failed: a member may still be there.
  assert.equal(membersGone(pods, [view(1, alone(1)), view(2, member(2), 'timeout')], 'app').gone, false);
});

test('a pod whose member container does not run is no member; no running pod at all is not "gone"', () => {
  const pods = [pod(1), pod(2, { running: false })];
  assert.equal(membersGone(pods, [view(1, alone(1))], 'app'), { gone: true, running: ['p1'], joinOnly: ['p1'] });
  assert.equal(membersGone([pod(2, { running: false })], [], 'app'), { gone: false, why: 'no pod runs' });
  assert.equal(membersGone([], [], 'app'), { gone: false, why: 'no pod runs' });
});

test('the agent sidecar is the member container when there is one; its env says join-only', () => {
  const sidecar = (i: number): V1Pod => {
    const p = pod(i, { container: 'bootstrap-agent' });
    const c = p.spec?.containers[0];
    if (c) c.env = [{ name: 'PEKKO_MANAGEMENT_CLUSTER_BOOTSTRAP_NEW_CLUSTER_ENABLED', value: 'false' }];
    return p;
  };
  assert.equal(membersGone([sidecar(1)], [view(1, alone(1))], 'bootstrap-agent'), {
    gone: true,
    running: ['p1'],
    joinOnly: ['p1'],
  });
  assert.equal(membersGone([sidecar(1)], [view(1, alone(1))], 'app'), { gone: false, why: 'no pod runs' });
});

test.run();
