// The informer wrapper around the real client-node ListWatch, with a scripted watch and list instead of a server.
import { type KubernetesListObject, type KubernetesObject, ListWatch, type Watch } from '@kubernetes/client-node';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock, flush } from '../../core/runtime/fake-clock.ts';
import { type EventKind, ResilientInformer } from './informer.ts';
import { guardWatch, type WatchLike } from './list-watch.ts';

const silent = pino({ level: 'silent' });

interface WatchCall {
  query: Record<string, unknown>;
  emit(type: string, obj: KubernetesObject): void;
  end(err: unknown): void;
}

/** A watch whose connections the test drives; `fail` makes the next connections fail with an HTTP status. */
class ScriptedWatch implements WatchLike {
  calls: WatchCall[] = [];
  fail: number[] = [];
  reject = 0;
  async watch(
    _path: string,
    query: Record<string, unknown>,
    callback: (phase: string, obj: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    if (this.reject > 0) {
      this.reject--;
      throw new Error('credentials: token file unreadable');
    }
    const status = this.fail.shift();
    if (status) {
      done(Object.assign(new Error('Internal Server Error'), { statusCode: status }));
      return new AbortController();
    }
    let ended = false;
    this.calls.push({
      query,
      emit: (type, obj) => callback(type, obj),
      end: (err) => {
        if (!ended) {
          ended = true;
          done(err);
        }
      },
    });
    return new AbortController();
  }
  get last(): WatchCall {
    const c = this.calls.at(-1);
    if (!c) throw new Error('no watch call');
    return c;
  }
}

function obj(name: string, rv: string): KubernetesObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', resourceVersion: rv } };
}

function setup(opts: { listFailures?: number; resyncMs?: number; throwing?: boolean } = {}) {
  const clock = new FakeClock();
  const watch = new ScriptedWatch();
  let listFailures = opts.listFailures ?? 0;
  let lists = 0;
  let listItems = [obj('a', '1'), obj('b', '2')];
  let listRv = '10';
  const listFn = async (): Promise<KubernetesListObject<KubernetesObject>> => {
    lists++;
    if (listFailures-- > 0) throw Object.assign(new Error('Service Unavailable'), { statusCode: 503 });
    return { apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: listRv }, items: listItems };
  };
  const source = new ListWatch<KubernetesObject>(
    '/api/v1/namespaces/ns/configmaps',
    guardWatch(watch) as Watch,
    listFn,
    false,
    undefined,
    undefined,
    { delayFn: (ms) => clock.sleep(ms) },
  );
  const events: string[] = [];
  let restarts = 0;
  const informer = new ResilientInformer({
    resource: 'configmaps',
    source,
    clock,
    random: () => 0,
    backoff: { baseMs: 500, maxMs: 8000, jitter: 0 },
    resyncMs: opts.resyncMs ?? 0,
    log: silent,
    onRestart: () => restarts++,
    handler: (kind: EventKind, o: KubernetesObject) => {
      events.push(`${kind}:${o.metadata?.name}`);
      if (opts.throwing) throw new Error('handler bug');
    },
  });
  return {
    clock,
    watch,
    informer,
    events,
    restarts: () => restarts,
    lists: () => lists,
    setList(items: KubernetesObject[], rv: string) {
      listItems = items;
      listRv = rv;
    },
  };
}

let unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
test.before.each(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});
test.after.each(() => {
  process.off('unhandledRejection', onUnhandled);
});

test('lists, syncs, then watches from the list resourceVersion', async () => {
  const t = setup();
  t.informer.start();
  await t.informer.waitForSync();
  assert.ok(t.informer.hasSynced());
  assert.equal(t.events, ['add:a', 'add:b']);
  assert.is(t.watch.last.query.resourceVersion, '10');
  t.watch.last.emit('ADDED', obj('c', '11'));
  t.watch.last.emit('DELETED', obj('a', '12'));
  assert.equal(t.events.slice(2), ['add:c', 'delete:a']);
  assert.equal(
    t.informer
      .list('ns')
      .map((o) => o.metadata?.name)
      .sort(),
    ['b', 'c'],
  );
  await t.informer.stop();
});

test('a failing list is retried with exponential backoff; not synced until it succeeds', async () => {
  const t = setup({ listFailures: 3 });
  t.informer.start();
  await flush();
  assert.not.ok(t.informer.hasSynced());
  assert.is(t.lists(), 1);
  await t.clock.advance(499);
  assert.is(t.lists(), 1, 'waits the first backoff (500 ms)');
  await t.clock.advance(1);
  assert.is(t.lists(), 2);
  await t.clock.advance(1000);
  assert.is(t.lists(), 3, 'second backoff doubles');
  assert.not.ok(t.informer.hasSynced());
  await t.clock.advance(2000);
  assert.is(t.lists(), 4);
  assert.ok(t.informer.hasSynced());
  assert.is(t.restarts(), 3);
  assert.equal(t.events, ['add:a', 'add:b']);
  await t.informer.stop();
});

test('after a watch error (HTTP 500) ListWatch stays stopped; the wrapper restarts it from the resourceVersion', async () => {
  const t = setup();
  t.informer.start();
  await t.informer.waitForSync();
  t.watch.last.emit('MODIFIED', obj('a', '15'));
  const callsBefore = t.watch.calls.length;
  t.watch.fail = [500];
  t.watch.last.end(Object.assign(new Error('Internal Server Error'), { statusCode: 500 }));
  await flush();
  // ListWatch itself would stop here; without the wrapper no new watch would ever be made.
  await t.clock.advance(400);
  assert.is(t.watch.calls.length, callsBefore, 'no reconnect before the backoff');
  await t.clock.advance(5000);
  assert.ok(t.watch.calls.length > callsBefore, 'reconnected');
  assert.is(t.watch.last.query.resourceVersion, '15', 'resumes from the last seen resourceVersion, no relist');
  assert.is(t.lists(), 1);
  assert.is(t.restarts(), 2, 'the 500 on end and the 500 on the first reconnect');
  t.watch.last.emit('ADDED', obj('d', '16'));
  assert.ok(t.events.includes('add:d'));
  await t.informer.stop();
});

test('a rejected watch() (credential failure) restarts instead of an unhandled rejection', async () => {
  const t = setup();
  t.informer.start();
  await t.informer.waitForSync();
  t.watch.reject = 1;
  const before = t.watch.calls.length;
  t.watch.last.end(null); // a clean close: ListWatch reconnects by itself, and that reconnect's watch() throws
  await flush();
  assert.is(t.restarts(), 1);
  await t.clock.advance(500);
  assert.is(t.watch.calls.length, before + 1, 'watching again after the backoff');
  assert.is(t.watch.last.query.resourceVersion, '10');
  assert.equal(unhandled, []);
  await t.informer.stop();
});

test('410 Gone relists without counting a restart, and emits deletes for objects that vanished', async () => {
  const t = setup();
  t.informer.start();
  await t.informer.waitForSync();
  t.setList([obj('b', '30')], '30');
  t.watch.last.emit('ERROR', { code: 410 } as unknown as KubernetesObject);
  t.watch.last.end(null);
  await flush();
  assert.is(t.lists(), 2);
  assert.is(t.restarts(), 0);
  assert.ok(t.events.includes('delete:a'));
  assert.is(t.watch.last.query.resourceVersion, '30');
  await t.informer.stop();
});

test('a throwing handler is contained: later events still arrive, nothing unhandled', async () => {
  const t = setup({ throwing: true });
  t.informer.start();
  await t.informer.waitForSync();
  t.watch.last.emit('ADDED', obj('x', '20'));
  t.watch.last.emit('ADDED', obj('y', '21'));
  await flush();
  assert.equal(t.events, ['add:a', 'add:b', 'add:x', 'add:y']);
  assert.equal(unhandled, []);
  await t.informer.stop();
});

test('resync replays the cache periodically', async () => {
  const t = setup({ resyncMs: 60_000 });
  t.informer.start();
  await t.informer.waitForSync();
  await t.clock.advance(60_000);
  assert.equal(t.events.slice(2).sort(), ['resync:a', 'resync:b']);
  await t.clock.advance(60_000);
  assert.is(t.events.length, 6);
  await t.informer.stop();
  await t.clock.advance(600_000);
  assert.is(t.events.length, 6, 'no resync after stop');
});

test('backoff resets after the watch has been healthy for a while', async () => {
  const t = setup({ listFailures: 2 });
  t.informer.start();
  await t.clock.advance(1500); // 500 + 1000: synced after two failures
  assert.ok(t.informer.hasSynced());
  await t.clock.advance(120_000); // healthy for two minutes
  const before = t.watch.calls.length;
  t.watch.last.end(Object.assign(new Error('boom'), { statusCode: 500 }));
  await t.clock.advance(500);
  assert.is(t.watch.calls.length, before + 1, 'back to the base delay');
  await t.informer.stop();
});

test.run();
