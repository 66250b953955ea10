import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from './logger.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, destination: { write: (s: string) => void lines.push(JSON.parse(s)) } };
}

test('one schema: level by name, ISO wall time, the program name and fixed fields, then msg and fields', () => {
  const { lines, destination } = capture();
  const log = createLogger({
    level: 'info',
    name: 'bootstrap-agent',
    fields: { pod: 'a-0', podIP: '10.0.0.5' },
    destination,
    now: () => Date.UTC(2024, 0, 2, 3, 4, 5, 6),
  });
  log.debug({ ignored: true }, 'below the level');
  log.warn({ code: 'Forbidden' }, 'contact point discovery failed');
  log.child({ reconcileId: 'r1' }).error({}, 'failed');
  assert.equal(lines, [
    {
      level: 'warn',
      time: '2024-01-02T03:04:05.006Z',
      name: 'bootstrap-agent',
      pod: 'a-0',
      podIP: '10.0.0.5',
      code: 'Forbidden',
      msg: 'contact point discovery failed',
    },
    {
      level: 'error',
      time: '2024-01-02T03:04:05.006Z',
      name: 'bootstrap-agent',
      pod: 'a-0',
      podIP: '10.0.0.5',
      reconcileId: 'r1',
      msg: 'failed',
    },
  ]);
});

test('the default time is the wall clock', () => {
  const { lines, destination } = capture();
  const before = Date.now();
  createLogger({ level: 'info', name: 'pekko-bootstrap-operator', destination }).info({}, 'started');
  const t = Date.parse(String(lines[0]?.time));
  assert.ok(t >= before && t <= Date.now());
  assert.is(lines[0]?.name, 'pekko-bootstrap-operator');
  assert.is(lines[0]?.level, 'info');
});

test.run();
