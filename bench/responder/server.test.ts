// The responder on real sockets (two loopback addresses), without a cluster.
import { execFileSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type MemberEvent, openEventStream } from '../../operator/status/event-stream.ts';
import { freePort } from '../../test-e2e/lib/operator.ts';
import { Responder } from './server.ts';

test('answers each pod address with its own node, counts requests, stops answering a removed pod', async () => {
  const port = await freePort();
  const r = new Responder();
  const pod = (ip: string) => ({ ip, port, cluster: 'ns/a', system: 'a', remotingPort: 17355 });
  try {
    await r.add(pod('127.0.0.1'));
    await r.add(pod('127.0.0.2'));
    const get = async (ip: string, path: string) => {
      const res = await fetch(`http://${ip}:${port}${path}`);
      return { status: res.status, body: await res.text() };
    };
    const one = JSON.parse((await get('127.0.0.2', '/bootstrap/seed-nodes')).body);
    assert.is(one.selfNode, 'pekko://a@127.0.0.2:17355');
    assert.is(one.seedNodes.length, 2);
    const members = JSON.parse((await get('127.0.0.1', '/cluster/members')).body);
    assert.is(members.selfNode, 'pekko://a@127.0.0.1:17355');
    assert.is(members.oldest, 'pekko://a@127.0.0.1:17355');
    assert.is((await get('127.0.0.1', '/ready')).status, 404);
    assert.equal(r.stats().requests, { '/bootstrap/seed-nodes': 1, '/cluster/members': 1, other: 1 });
    assert.is(r.stats().listening, 2);

    r.remove('127.0.0.2', port);
    const after = JSON.parse((await get('127.0.0.1', '/bootstrap/seed-nodes')).body);
    assert.is(after.seedNodes.length, 1, 'the other pod left the cluster');
    // A kept-alive connection gets 404 (no such pod), a new one is refused.
    const gone = await get('127.0.0.2', '/bootstrap/seed-nodes').catch(() => ({ status: 0 }));
    assert.ok(gone.status !== 200, `removed pod answered ${gone.status}`);
  } finally {
    await r.close();
  }
});

test('an address in use is reported as failed, not thrown', async () => {
  const port = await freePort();
  const a = new Responder();
  const b = new Responder();
  try {
    await a.add({ ip: '127.0.0.3', port, cluster: 'ns/x', system: 'x', remotingPort: 17355 });
    await b.add({ ip: '127.0.0.3', port, cluster: 'ns/x', system: 'x', remotingPort: 17355 });
    assert.match(b.stats().failed[`127.0.0.3:${port}`] ?? '', /EADDRINUSE/);
  } finally {
    await a.close();
    await b.close();
  }
});

test('an address no interface has (EADDRNOTAVAIL) is added to lo, answered on, and removed at close', async () => {
  // 198.51.100.0/24 is TEST-NET-2: never a pod's address, on this machine or any other.
  const ip = '198.51.100.77';
  const onLo = () => execFileSync('ip', ['-4', 'addr', 'show', 'dev', 'lo'], { encoding: 'utf8' }).includes(`${ip}/32`);
  assert.not.ok(onLo(), `${ip} is on lo before the test`);
  const port = await freePort();
  const r = new Responder();
  try {
    await r.add({ ip, port, cluster: 'ns/t', system: 't', remotingPort: 17355 });
    if (process.getuid?.() !== 0) {
      // Without root the address cannot be added: the pod is reported as failed, nothing thrown.
      assert.match(r.stats().failed[`${ip}:${port}`] ?? '', /adding 198\.51\.100\.77\/32 to lo/);
      return;
    }
    assert.is(r.stats().addedToLo, 1);
    assert.ok(onLo(), 'added to lo');
    const res = await fetch(`http://${ip}:${port}/bootstrap/seed-nodes`);
    assert.is(JSON.parse(await res.text()).selfNode, `pekko://t@${ip}:17355`);
  } finally {
    await r.close();
  }
  assert.not.ok(onLo(), 'removed from lo at close');
});

test("serves /cluster/domain-events as the operator's stream client reads it: the members, then who comes and goes", async () => {
  const port = await freePort();
  const r = new Responder();
  const pod = (ip: string) => ({ ip, port, cluster: 'ns/a', system: 'a', remotingPort: 17355 });
  const seen: MemberEvent[] = [];
  const ends: string[] = [];
  let streamHandle: { close(): void } | undefined;
  try {
    await r.add(pod('127.0.0.1'));
    await r.add(pod('127.0.0.2'));
    const opened = new Promise<void>((resolve) => {
      const handle = openEventStream(
        `http://127.0.0.1:${port}/cluster/domain-events`,
        { onOpen: resolve, onEvents: (e) => seen.push(...e), onEnd: (reason) => ends.push(reason) },
        { connectTimeoutMs: 2000, idleMs: 15_000, maxLine: 65_536 },
      );
      streamHandle = handle;
    });
    await opened;
    const until = async (n: number) => {
      for (let i = 0; i < 100 && seen.length < n; i++) await new Promise((res) => setTimeout(res, 10));
    };
    await until(2);
    assert.equal(seen, [
      { type: 'MemberUp', address: 'pekko://a@127.0.0.1:17355' },
      { type: 'MemberUp', address: 'pekko://a@127.0.0.2:17355' },
    ]);
    assert.is(r.stats().streams, 1);
    const t = Date.now();
    const left = r.remove('127.0.0.2', port);
    assert.is(left?.streams, 1, 'written to the one open stream');
    assert.ok(left && left.at >= t && left.at <= Date.now(), 'the emit time, on this clock');
    await until(3);
    assert.equal(seen[2], { type: 'MemberRemoved', address: 'pekko://a@127.0.0.2:17355' });
    assert.is(r.stats().eventsSent, 1);
    const members = JSON.parse(await (await fetch(`http://127.0.0.1:${port}/cluster/members`)).text());
    assert.equal(members.members.length, 1, 'gone from the member list');
    // Back: answering on its address again, MemberUp on the stream.
    const joined = await r.add(pod('127.0.0.2'));
    assert.is(joined.streams, 1);
    const back = await fetch(`http://127.0.0.2:${port}/cluster/members`);
    assert.is(back.status, 200);
    await until(4);
    assert.equal(seen[3], { type: 'MemberUp', address: 'pekko://a@127.0.0.2:17355' });
    assert.is(r.stats().eventsSent, 2);
    assert.is(r.remove('127.0.0.9', port), undefined, 'no such pod');
    assert.equal(ends, [], 'still open');
  } finally {
    streamHandle?.close();
    await r.close();
  }
});
test.run();
