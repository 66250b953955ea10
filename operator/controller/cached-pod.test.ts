// The informer's pod trim keeps every field the operator reads: discovery, diagnosis and metadata give the same
// answers for a trimmed pod as for the full one.
import type { V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { contactPointsFromPods } from '../../core/discovery/contact-points.ts';
import { SETTINGS } from '../../core/settings/catalog.ts';
import { cacheTransform } from '../kernel/cache-transform.ts';
import { podValue } from '../render/read-back.ts';
import { podsNotRunning } from '../status/pod-problems.ts';
import { trimPod } from './cached-pod.ts';
import { WATCHED } from './kinds.ts';

function fullPod(name: string, ip: string, waiting?: string): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'shop',
      uid: `uid-${name}`,
      labels: { app: 'shop', 'app.kubernetes.io/instance': 'shop' },
      annotations: { 'controller.kubernetes.io/pod-deletion-cost': '10' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'shop-1', uid: 'rs' }],
      managedFields: [{ manager: 'kube-controller-manager', operation: 'Update', fieldsV1: { 'f:metadata': {} } }],
    },
    spec: {
      serviceAccountName: 'shop',
      volumes: [{ name: 'token', projected: { sources: [] } }],
      securityContext: { runAsNonRoot: true },
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }],
      containers: [
        {
          name: 'app',
          image: 'registry.example/shop:1',
          env: [
            {
              name: 'JAVA_TOOL_OPTIONS',
              value: `${'-Dpekko.management.http.port=7626 '.repeat(20)}-Dpekko.management.cluster.bootstrap.new-cluster-enabled=off`,
            },
            { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          ],
          ports: [
            { name: 'management', containerPort: 7626, protocol: 'TCP' },
            { name: 'remoting', containerPort: 17355, protocol: 'TCP' },
          ],
          readinessProbe: { httpGet: { path: '/ready', port: 'management' } },
          livenessProbe: { httpGet: { path: '/alive', port: 'management' } },
          volumeMounts: [{ name: 'token', mountPath: '/var/run/secrets' }],
        },
      ],
    },
    status: {
      phase: waiting ? 'Pending' : 'Running',
      podIP: ip,
      conditions: [{ type: 'Ready', status: waiting ? 'False' : 'True' }],
      containerStatuses: [
        {
          name: 'app',
          image: 'registry.example/shop:1',
          imageID: '',
          ready: !waiting,
          restartCount: 0,
          state: waiting
            ? { waiting: { reason: waiting, message: 'Back-off pulling image' } }
            : { running: { startedAt: new Date(0) } },
        },
      ],
    },
  };
}

const trimmed = (p: V1Pod) => {
  const c = structuredClone(p);
  cacheTransform(WATCHED.Pod.trim?.bind(WATCHED.Pod))(c);
  return c;
};

test('discovery finds the same contact points in trimmed pods', () => {
  const pods = [fullPod('a', '10.0.0.1'), fullPod('b', '10.0.0.2'), fullPod('c', '10.0.0.3', 'ImagePullBackOff')];
  const settings = {
    namespace: 'shop',
    podDomain: 'cluster.local',
    useRawIp: true,
    portName: 'management',
    fallbackPort: 7626,
  };
  assert.equal(contactPointsFromPods(pods.map(trimmed), settings), contactPointsFromPods(pods, settings));
  assert.equal(
    contactPointsFromPods(pods.map(trimmed), { ...settings, containerName: 'app' }),
    contactPointsFromPods(pods, { ...settings, containerName: 'app' }),
  );
});

test('the diagnosis of pods that do not run is the same for trimmed pods', () => {
  const pods = [fullPod('a', '10.0.0.1', 'ImagePullBackOff'), fullPod('b', '10.0.0.2', 'ImagePullBackOff')];
  const full = podsNotRunning(pods, 'shop');
  assert.ok(full, 'a diagnosis');
  assert.equal(podsNotRunning(pods.map(trimmed), 'shop'), full);
});

test('the settings a pod was given read the same from a trimmed pod (formation safety reads new-cluster-enabled)', () => {
  const p = fullPod('a', '10.0.0.1');
  assert.is(podValue(p, SETTINGS.newClusterEnabled), false);
  assert.is(podValue(trimmed(p), SETTINGS.newClusterEnabled), false);
  assert.is(podValue(trimmed(p), SETTINGS.managementPort), podValue(p, SETTINGS.managementPort));
  const sidecar = fullPod('b', '10.0.0.2');
  sidecar.spec?.containers.push({ name: 'other', image: 'x', env: [{ name: 'BIG', value: 'x'.repeat(500) }] });
  assert.is(trimmed(sidecar).spec?.containers[1]?.env, undefined, "another container's env is dropped");
});

test('metadata (no managedFields), status, the account and each container name, image and ports are kept', () => {
  const p = fullPod('a', '10.0.0.1');
  const t = trimmed(p);
  assert.is(t.metadata?.managedFields, undefined);
  const { managedFields: _dropped, ...metadata } = p.metadata ?? {};
  assert.equal(t.metadata, metadata);
  assert.equal(t.status, p.status);
  assert.is(t.spec?.serviceAccountName, 'shop');
  assert.equal(t.spec?.containers, [
    {
      name: 'app',
      image: 'registry.example/shop:1',
      ports: p.spec?.containers[0]?.ports,
      env: [p.spec?.containers[0]?.env?.[0]],
    },
  ]);
  assert.is(t.spec?.volumes, undefined);
  assert.ok(JSON.stringify(t).length < JSON.stringify(p).length, 'smaller');
});

test('the transform drops managedFields of every kind, and trims only pods', () => {
  const d = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', managedFields: [{ manager: 'x' }] },
    spec: { replicas: 3 },
  };
  const out = cacheTransform(WATCHED.Deployment.trim)(structuredClone(d) as never) as typeof d;
  assert.equal(out, { ...d, metadata: { name: 'd' } });
  const pod = fullPod('a', '10.0.0.1');
  trimPod(pod);
  assert.is(pod.spec?.containers[0]?.env?.length, 1, 'only the env entry with a literal value');
  assert.is(pod.spec?.containers[0]?.readinessProbe, undefined);
});

test.run();
