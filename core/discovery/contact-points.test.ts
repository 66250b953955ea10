import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { contactPointsFromPods, type DiscoverySettings, livePodIPs, type PodLike } from './contact-points.ts';
import { podListFromResponse } from './pod-list.ts';
import { podLabelSelector, podListPath, serviceNameFromActorSystem } from './selector.ts';

const settings: DiscoverySettings = {
  namespace: 'shop',
  podDomain: 'cluster.local',
  useRawIp: false,
  fallbackPort: 7626,
};

function pod(name: string, ip: string | undefined, extra: Partial<Record<string, unknown>> = {}): PodLike {
  return {
    metadata: { name, ...(extra.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    spec: {
      containers: [
        {
          name: 'app',
          ports: [
            { name: 'management', containerPort: 7626 },
            { name: 'remoting', containerPort: 17355 },
          ],
        },
        ...((extra.sidecarPorts as unknown[]) ? [{ name: 'side', ports: extra.sidecarPorts as [] }] : []),
      ],
    },
    status: {
      phase: (extra.phase as string) ?? 'Running',
      ...(ip ? { podIP: ip } : {}),
      containerStatuses: [
        { name: 'app', state: extra.waiting ? { waiting: { reason: 'CrashLoopBackOff' } } : { running: {} } },
      ],
      conditions: [{ type: 'Ready', status: extra.ready ? 'True' : 'False' }],
    },
  };
}

test('dashed host names, fallback port, readiness reported but not filtered, Pekko order', () => {
  const rows = contactPointsFromPods([pod('b', '10.1.0.7', { ready: true }), pod('a', '10.1.0.200')], settings);
  assert.equal(rows, [
    {
      pod: 'a',
      host: '10-1-0-200.shop.pod.cluster.local',
      port: 7626,
      podIP: '10.1.0.200',
      ready: false,
      namedPort: false,
    },
    { pod: 'b', host: '10-1-0-7.shop.pod.cluster.local', port: 7626, podIP: '10.1.0.7', ready: true, namedPort: false },
  ]);
});

test('filters in order: deleting, not Running, no spec/status, container waiting, no podIP', () => {
  const pods: PodLike[] = [
    pod('deleting', '10.0.0.1', { deleting: true }),
    pod('pending', '10.0.0.2', { phase: 'Pending' }),
    { metadata: { name: 'nospec' }, status: { phase: 'Running', podIP: '10.0.0.3' } },
    { metadata: { name: 'nostatus' }, spec: { containers: [] } },
    pod('waiting', '10.0.0.4', { waiting: true }),
    pod('noip', undefined),
    pod('ok', '10.0.0.6'),
  ];
  assert.equal(
    contactPointsFromPods(pods, settings).map((r) => r.pod),
    ['waiting', 'ok'],
    'container-name unset: waiting containers are not looked at',
  );
  const named = { ...settings, containerName: 'app' };
  assert.equal(
    contactPointsFromPods(pods, named).map((r) => r.pod),
    ['ok'],
  );
  assert.equal(
    contactPointsFromPods(pods, { ...settings, containerName: 'other' }).map((r) => r.pod),
    [],
    'a named container without any status counts as not running',
  );
  assert.equal([...livePodIPs(pods, named)], ['10.0.0.6']);
});

test('port names: one contact point per containerPort of that name in any container; none without it', () => {
  const pods = [
    pod('two', '10.0.0.1', { sidecarPorts: [{ name: 'management', containerPort: 8558 }] }),
    pod('one', '10.0.0.2'),
  ];
  const rows = contactPointsFromPods(pods, { ...settings, portName: 'management', useRawIp: true });
  assert.equal(
    rows.map((r) => [r.pod, r.host, r.port, r.namedPort]),
    [
      ['two', '10.0.0.1', 7626, true],
      ['two', '10.0.0.1', 8558, true],
      ['one', '10.0.0.2', 7626, true],
    ],
  );
  assert.equal(contactPointsFromPods(pods, { ...settings, portName: 'nope' }), []);
});

test('junk input never throws', () => {
  const junk = [
    null,
    1,
    'x',
    {},
    { status: 'x', spec: 1 },
    { metadata: null, spec: {}, status: { phase: 'Running', podIP: 5 } },
  ];
  assert.equal(contactPointsFromPods(junk as unknown as PodLike[], settings), []);
  assert.equal(contactPointsFromPods(null as unknown as PodLike[], settings), []);
});

test('selector and service name', () => {
  assert.is(podLabelSelector('app=%s', 'shop'), 'app=shop');
  assert.is(podLabelSelector('app=%s,tier=%s', 'shop'), 'app=shop,tier=%s');
  assert.is(serviceNameFromActorSystem('My Actor_System'), 'my-actor-system');
  assert.is(podListPath('ns', 'app=a,b in (c)'), '/api/v1/namespaces/ns/pods?labelSelector=app%3Da%2Cb%20in%20(c)');
});

test('pod list answers: success, empty, 403 naming the Role, other status, not a PodList', () => {
  const ok = podListFromResponse(200, JSON.stringify({ kind: 'PodList', items: [pod('a', '10.0.0.1')] }), 'ns');
  assert.ok(ok.ok && ok.pods.length === 1);
  const empty = podListFromResponse(200, '{"kind":"PodList","apiVersion":"v1","items":null}', 'ns');
  assert.equal(empty, { ok: true, pods: [] });
  const forbidden = podListFromResponse(403, '{"kind":"Status","message":"pods is forbidden"}', 'ns');
  assert.is(forbidden.ok, false);
  if (!forbidden.ok) {
    assert.is(forbidden.code, 'Forbidden');
    assert.match(forbidden.message, /Forbidden when communicating with the Kubernetes API\. Check RBAC settings/);
    assert.match(forbidden.message, /Role pod-reader.*RoleBinding read-pods in namespace ns/);
  }
  const e500 = podListFromResponse(500, 'oops', 'ns');
  assert.ok(!e500.ok && e500.code === 'HttpStatus' && /status 500/.test(e500.message));
  for (const body of ['<html>', '{"kind":"Status"}', '{"items":{}}', '[]x', '[]']) {
    const r = podListFromResponse(200, body, 'ns');
    assert.ok(!r.ok && r.code === 'NotPodList', body);
  }
});

test.run();
