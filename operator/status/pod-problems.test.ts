import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { managementPortProblem, podsNotRunning } from './pod-problems.ts';

const R = { namespace: 'shop', name: 'demo', managementPort: 7626, managementPortName: 'management' };

function pod(name: string, statuses: V1ContainerStatus[] = [], extra: Partial<V1Pod> = {}): V1Pod {
  return {
    metadata: { name },
    spec: { containers: [{ name: 'app', ports: [{ name: 'management', containerPort: 7626 }] }] },
    status: { phase: 'Running', containerStatuses: statuses },
    ...extra,
  };
}
const running: V1ContainerStatus = {
  name: 'app',
  image: 'x',
  imageID: '',
  ready: false,
  restartCount: 0,
  state: { running: {} },
};
const waiting = (reason: string, message?: string, extra: Partial<V1ContainerStatus> = {}): V1ContainerStatus => ({
  ...running,
  state: { waiting: { reason, ...(message ? { message } : {}) } },
  ...extra,
});

test('running and starting pods are not a problem; terminating pods are not judged', () => {
  assert.is(podsNotRunning([pod('a', [running]), pod('b', [waiting('ContainerCreating')])], 'shop'), undefined);
  const gone = pod('c', [waiting('CrashLoopBackOff')], {});
  gone.metadata = { name: 'c', deletionTimestamp: new Date() };
  assert.is(podsNotRunning([gone], 'shop'), undefined);
  assert.is(podsNotRunning([], 'shop'), undefined);
});

test('ImagePullBackOff: the container, its reason, the kubelet message and what to check', () => {
  const d = podsNotRunning(
    [
      pod('a', [waiting('ImagePullBackOff', 'Back-off pulling image "nope:1"')]),
      pod('b', [waiting('ImagePullBackOff', 'Back-off pulling image "nope:1"')]),
      pod('c', [running]),
    ],
    'shop',
  );
  assert.is(d?.reason, 'PodsNotRunning');
  assert.match(d?.message ?? '', /^2 of 3 pods not running: container app ImagePullBackOff on a, b: Back-off pulling/);
  assert.match(d?.message ?? '', 'check spec.image');
});

test('CrashLoopBackOff: the last exit code, the restarts and the log command', () => {
  const d = podsNotRunning(
    [
      pod('a', [
        waiting('CrashLoopBackOff', 'back-off 10s restarting failed container', {
          restartCount: 4,
          lastState: { terminated: { exitCode: 3, reason: 'Error' } },
        }),
      ]),
    ],
    'shop',
  );
  assert.match(d?.message ?? '', 'container app CrashLoopBackOff (last exit code 3, 4 restarts) on a');
  assert.match(d?.message ?? '', 'kubectl -n shop logs a -c app --previous');
  const exited = podsNotRunning(
    [pod('b', [{ ...running, state: { terminated: { exitCode: 1, reason: 'Error' } } }])],
    'shop',
  );
  assert.match(exited?.message ?? '', 'container app exited: Error (exit code 1)');
});

test('an init container first; an unschedulable pod with the scheduler message', () => {
  const init = pod('a', [running]);
  init.status = {
    ...init.status,
    initContainerStatuses: [waiting('CreateContainerConfigError', 'secret "s" not found')],
  };
  init.status.initContainerStatuses = [
    { ...waiting('CreateContainerConfigError', 'secret "s" not found'), name: 'init' },
  ];
  assert.match(podsNotRunning([init], 'shop')?.message ?? '', 'container init CreateContainerConfigError');
  const pending = pod('p', [], {
    status: {
      phase: 'Pending',
      conditions: [
        { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available' },
      ],
    },
  });
  const d = podsNotRunning([pending], 'shop');
  assert.match(d?.message ?? '', 'not scheduled (Unschedulable) on p: 0/1 nodes are available');
  assert.match(d?.message ?? '', 'no node fits the pod');
});

test('no container port named like the management port: ManagementPortMissing naming the pods', () => {
  assert.is(managementPortProblem([pod('a')], R), undefined);
  const renamed = pod('a');
  renamed.spec = { containers: [{ name: 'app', ports: [{ name: 'mgmt', containerPort: 7626 }] }] };
  const d = managementPortProblem([renamed, pod('b')], R);
  assert.is(d?.reason, 'ManagementPortMissing');
  assert.match(d?.message ?? '', /^pod a declares no container port named management/);
  assert.match(d?.message ?? '', 'kubectl -n shop get deployment demo -o yaml');
});

test('a port with the management name on another number: ManagementPortMismatch naming container and port', () => {
  const two = pod('a');
  two.spec = {
    containers: [
      { name: 'app', ports: [{ name: 'management', containerPort: 8080 }] },
      { name: 'bootstrap-agent', ports: [{ name: 'management', containerPort: 7626 }] },
    ],
  };
  const d = managementPortProblem([two], R);
  assert.is(d?.reason, 'ManagementPortMismatch');
  assert.match(d?.message ?? '', 'declares the port name management on container app port 8080');
  assert.match(d?.message ?? '', 'remove or rename that port in spec.template');
});

test.run();
