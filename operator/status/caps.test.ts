// A misbehaving pod must not push the resource past etcd's size limit: whatever the pods answer, the status stays
// small (caps.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock, flush } from '../../core/runtime/fake-clock.ts';
import { MAX_ADDRESS_CHARS, MAX_CONTACT_POINTS, MAX_MESSAGE_CHARS } from './caps.ts';
import type { HttpGet } from './probe-http.ts';
import { ProbeScheduler, type Target } from './probe-scheduler.ts';

const MAX_BYTES = 256 * 1024;
const targets = (n: number): Target[] =>
  Array.from({ length: n }, (_, i) => ({
    contactPoint: { pod: `p${String(i).padStart(3, '0')}`, host: `10.0.${i >> 8}.${i & 255}`, port: 7626, ready: true },
    incarnation: `u${i}`,
  }));

/** Each pod answers as `answer(host, path)` says, cut off at the probe's body limit like the real GET. */
function scheduler(answer: (host: string, path: string) => string) {
  const get: HttpGet = async (url, { maxBytes }) => {
    const u = new URL(url);
    const body = answer(u.hostname, u.pathname);
    if (body.length > maxBytes) throw new Error(`body larger than ${maxBytes} bytes`);
    return { status: 200, contentType: 'application/json', body };
  };
  return new ProbeScheduler({ get, clock: new FakeClock(), onChange: () => {}, maxBytes: MAX_BYTES });
}

async function observeTwice(s: ProbeScheduler, t: Target[]) {
  const input = { resourcesReady: true, requiredContactPoints: 3 };
  s.observe('ns/a', t, input);
  await flush();
  const { observation } = s.observe('ns/a', t, input);
  const { clusters: _, ...status } = observation;
  return status;
}

function assertSmall(status: { message: string; conditions: { message: string }[]; seedNode?: string }) {
  assert.ok(status.message.length <= MAX_MESSAGE_CHARS, `message: ${status.message.length} characters`);
  for (const c of status.conditions) assert.ok(c.message.length <= MAX_MESSAGE_CHARS, c.message.slice(0, 80));
  assert.ok((status.seedNode ?? '').length <= MAX_ADDRESS_CHARS);
  const size = JSON.stringify(status).length;
  assert.ok(size < 16_384, `status is ${size} characters`);
}

test('pods answering huge lists of long addresses: the status stays small', async () => {
  // One cluster of the three pods; each pod also reports ~200 unreachable members with 500-character addresses (just
  // under the body limit), a different 200 each, and a 500-character address for itself.
  const t = targets(3);
  const pad = (s: string) => `${s}-${'x'.repeat(480 - s.length)}`;
  const self = (host: string) => `pekko://a@${pad(host.replaceAll('.', '-'))}:17355`;
  const members = t.map((x) => ({ node: self(x.contactPoint.host), nodeUid: '1', status: 'Up', roles: [] }));
  const s = scheduler((host, path) => {
    if (path.endsWith('seed-nodes')) {
      return JSON.stringify({ selfNode: self(host), seedNodes: members.map((m) => ({ ...m, nodeUid: 1 })) });
    }
    const unreachable = Array.from({ length: 200 }, (_, i) => ({
      node: `pekko://a@${pad(`${host}-${i}`)}:17355`,
      observedBy: [self(host)],
    }));
    return JSON.stringify({ selfNode: self(host), members, unreachable, oldest: members[0]?.node, oldestPerRole: {} });
  });
  const status = await observeTwice(s, t);
  assert.is(status.phase, 'Degraded', 'members unreachable');
  assert.match(status.message, /^members unreachable: .* and 595 more$/);
  for (const c of status.contactPoints) assert.ok((c.node ?? '').length <= MAX_ADDRESS_CHARS);
  assertSmall(status);
});

test('pods answering garbage: errors, not status text', async () => {
  const garbage = [
    '<html>'.repeat(40_000),
    '{"selfNode": 5}',
    '\u0000\u0001',
    '[]',
    `{"selfNode":"${'a'.repeat(600)}"}`,
  ];
  const s = scheduler((host) => garbage[Number(host.split('.')[3]) % garbage.length] as string);
  const status = await observeTwice(s, targets(5));
  assert.is(status.phase, 'Forming');
  assertSmall(status);
});

test('a very large cluster: contact points listed up to the cap, all counted', async () => {
  const s = scheduler(() => 'not json');
  const status = await observeTwice(s, targets(MAX_CONTACT_POINTS + 50));
  assert.is(status.contactPoints.length, MAX_CONTACT_POINTS);
  assert.is(status.readyContactPoints, MAX_CONTACT_POINTS + 50);
  assert.match(status.message, `${MAX_CONTACT_POINTS + 50} of 3 required contact points`);
});

test.run();
