// The e2e helpers that other suites trust to fail: expectQuiet / whileQuiet (a "nothing happens" window must fail at
// the first unwanted event, including one between the read and the window's start) and Operator.start (an operator
// that cannot become ready is killed, not left running). A helper that silently passes would make those checks empty.
import type { V1ConfigMap } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  clients,
  expectQuiet,
  kubectl,
  Operator,
  UnwantedEventError,
  whileQuiet,
  withNamespace,
} from '../lib/index.ts';

const configMaps = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;

async function configMap(ns: string): Promise<V1ConfigMap> {
  return clients().core.createNamespacedConfigMap({
    namespace: ns,
    body: { metadata: { name: 'probe' }, data: { n: '0' } },
  });
}

/** The error a promise rejects with (fails when it resolves). */
async function rejection(p: Promise<unknown>): Promise<Error> {
  const r = await p.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (!r) assert.unreachable('expected a rejection');
  return r as Error;
}

const bump = (ns: string, n: string) =>
  kubectl(['patch', 'configmap', 'probe', '--type', 'merge', '-p', JSON.stringify({ data: { n } })], { namespace: ns });

test('expectQuiet: a quiet window passes; the first unwanted event fails it at once, named', () =>
  withNamespace(async (ns) => {
    const cm = await configMap(ns);
    const rv = cm.metadata?.resourceVersion ?? '';
    const opts = { path: configMaps(ns), fieldSelector: 'metadata.name=probe', what: 'probe unchanged' };
    await expectQuiet({ ...opts, resourceVersion: rv, forMs: 1500 });

    const t0 = Date.now();
    const quiet = rejection(
      expectQuiet<V1ConfigMap>({
        ...opts,
        resourceVersion: rv,
        forMs: 30_000,
        unwanted: (type, o) => (o.data?.n === '1' ? `${type} n=1` : undefined),
      }),
    );
    await bump(ns, '1');
    const err = await quiet;
    assert.instance(err, UnwantedEventError);
    assert.match(err.message, 'probe unchanged: MODIFIED n=1');
    assert.ok(Date.now() - t0 < 10_000, `failed after ${Date.now() - t0} ms, not at the end of the window`);
  }));

test('expectQuiet: a change between the read and the window is seen (the watch starts at the read)', () =>
  withNamespace(async (ns) => {
    const rv = (await configMap(ns)).metadata?.resourceVersion ?? '';
    await bump(ns, '2');
    const err = await rejection(
      expectQuiet({ path: configMaps(ns), resourceVersion: rv, what: 'nothing', forMs: 5000 }),
    );
    assert.match(err.message, /nothing: MODIFIED/);
  }));

test('whileQuiet: returns the body value; the watch is stopped either way', () =>
  withNamespace(async (ns) => {
    const rv = (await configMap(ns)).metadata?.resourceVersion ?? '';
    const v = await whileQuiet({ path: configMaps(ns), resourceVersion: rv, what: 'nothing' }, async () => 42);
    assert.is(v, 42);
    const failing = whileQuiet({ path: configMaps(ns), resourceVersion: rv, what: 'nothing' }, async () => {
      throw new Error('body failed');
    });
    assert.match((await rejection(failing)).message, 'body failed');
  }));

test('Operator.start: an operator that exits at start fails start() at once, with its log', () =>
  withNamespace(async (ns) => {
    const t0 = Date.now();
    const err = await rejection(Operator.start(ns, 'broken', { LOG_LEVEL: 'loud' })); // an invalid setting
    assert.match(err.message, 'LOG_LEVEL');
    assert.match(err.message, 'operator broken log');
    assert.ok(Date.now() - t0 < 30_000, `failed after ${Date.now() - t0} ms, not at the 60 s readiness timeout`);
  }));

test.run();
