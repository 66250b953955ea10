import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Pod } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RequestOptions, Rest } from './rest.ts';
import { PodVolumes } from './volumes.ts';

// The volume the ServiceAccount admission plugin adds to every pod.
const pod: V1Pod = {
  metadata: { name: 'p', namespace: 'ns1', uid: 'uid-1' },
  spec: {
    serviceAccountName: 'reader',
    containers: [
      {
        name: 'c',
        volumeMounts: [
          { name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
        ],
      },
    ],
    volumes: [
      {
        name: 'kube-api-access',
        projected: {
          sources: [
            { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
          ],
        },
      },
    ],
  },
};

function fakeApi(ttlMs: number): Rest & { calls: { method: string; path: string; body?: unknown }[] } {
  const calls: { method: string; path: string; body?: unknown }[] = [];
  let n = 0;
  return {
    calls,
    async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
      calls.push({ method, path, body: opts.body });
      if (path.endsWith('/token')) {
        n++;
        return {
          status: { token: `token-${n}`, expirationTimestamp: new Date(Date.now() + ttlMs).toISOString() },
        } as T;
      }
      if (path.endsWith('/configmaps/kube-root-ca.crt')) return { data: { 'ca.crt': 'CA' } } as T;
      throw new Error(`unexpected ${method} ${path}`);
    },
    stream: async () => {},
  };
}

test('the token volume: a pod-bound token, ca.crt and namespace, mounted read-only at the standard path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vol-'));
  const api = fakeApi(3600_000);
  const v = new PodVolumes(api, pod, dir, { podIP: '127.1.0.9', hostIP: '127.0.0.1' }, () => {});
  try {
    await v.setup();
    const root = join(dir, 'volumes', 'kube-api-access');
    assert.is(readFileSync(join(root, 'token'), 'utf8'), 'token-1');
    assert.is(readFileSync(join(root, 'ca.crt'), 'utf8'), 'CA');
    assert.is(readFileSync(join(root, 'namespace'), 'utf8'), 'ns1');
    const req = api.calls.find((c) => c.path.endsWith('/token'));
    assert.is(req?.path, '/api/v1/namespaces/ns1/serviceaccounts/reader/token');
    assert.equal((req?.body as { spec?: { boundObjectRef: unknown } } | undefined)?.spec?.boundObjectRef, {
      apiVersion: 'v1',
      kind: 'Pod',
      name: 'p',
      uid: 'uid-1',
    });
    assert.equal(v.mountsFor((pod.spec?.containers ?? [])[0] ?? { name: 'x' }), [
      { source: root, target: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
    ]);
  } finally {
    v.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the token is renewed at 80% of its lifetime', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vol-'));
  const api = fakeApi(250);
  const v = new PodVolumes(api, pod, dir, { podIP: '127.1.0.9', hostIP: '127.0.0.1' }, () => {}, 50);
  try {
    await v.setup();
    await sleep(600);
    const file = join(dir, 'volumes', 'kube-api-access', 'token');
    const n = Number(readFileSync(file, 'utf8').replace('token-', ''));
    assert.ok(n >= 3, `renewed ${n - 1} times in 600 ms with a 250 ms lifetime`);
  } finally {
    v.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
