import type { V1Container } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type ProbeIO, probeOnce, resolvePort } from './probes.ts';

const c: V1Container = { name: 'app', ports: [{ name: 'management', containerPort: 7626 }] };

test('named ports resolve against the container; unknown names fail', () => {
  assert.is(resolvePort('management', c), 7626);
  assert.is(resolvePort(8080, c), 8080);
  assert.is(resolvePort('8081', c), 8081);
  assert.equal(resolvePort('nope', c), { error: 'unable to resolve port name "nope" in container app' });
});

function fakeIO(status: number): ProbeIO & { urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    httpGet: async (url) => {
      urls.push(url);
      return status;
    },
    tcpConnect: async (host, port) => {
      urls.push(`tcp://${host}:${port}`);
    },
    exec: async () => 0,
  };
}

test('httpGet targets the pod IP and the resolved port; 2xx/3xx pass', async () => {
  const io = fakeIO(204);
  const r = await probeOnce({ httpGet: { path: '/ready', port: 'management' } }, c, '127.1.0.4', {}, io);
  assert.ok(r.ok);
  assert.equal(io.urls, ['http://127.1.0.4:7626/ready']);
  const bad = await probeOnce({ httpGet: { path: '/ready', port: 7626 } }, c, '127.1.0.4', {}, fakeIO(500));
  assert.not.ok(bad.ok);
  assert.match(bad.message ?? '', /500/);
});

test('an unresolvable named port fails without calling out', async () => {
  const io = fakeIO(200);
  const r = await probeOnce({ tcpSocket: { port: 'missing' } }, c, '127.1.0.4', {}, io);
  assert.not.ok(r.ok);
  assert.equal(io.urls, []);
});

test.run();
