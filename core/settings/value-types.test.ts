import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { boolean, decimal, duration, host, integer, list, matching, oneOf, parseDuration } from './value-types.ts';

test('HOCON-style durations; a bare number is milliseconds', () => {
  assert.is(parseDuration('5s'), 5000);
  assert.is(parseDuration('500ms'), 500);
  assert.is(parseDuration('1 m'), 60_000);
  assert.is(parseDuration('2 seconds'), 2000);
  assert.is(parseDuration('1.5s'), 1500);
  assert.is(parseDuration('250'), 250);
  assert.is(parseDuration('s'), undefined);
  assert.is(parseDuration('5 fortnights'), undefined);
  assert.equal(duration(10).parse('5ms'), {
    ok: false,
    error: 'must be a duration of at least 10ms like 5s or 500ms, got "5ms"',
  });
  assert.equal(duration(0).parse('0s'), { ok: true, value: 0 });
  assert.equal([duration().show(15_000), duration().show(1500)], ['15s', '1500ms']);
});

test('numbers within their range, and what the error says', () => {
  const port = integer(1, 65535);
  assert.equal(port.parse('8558'), { ok: true, value: 8558 });
  for (const t of ['0', '65536', '80a', '-1', '1.5']) {
    assert.equal(port.parse(t), { ok: false, error: `must be an integer from 1 to 65535, got ${JSON.stringify(t)}` });
  }
  assert.equal(decimal(0, 1).parse('0.25'), { ok: true, value: 0.25 });
  assert.is(decimal(0, 1).parse('2').ok, false);
  assert.is(port.doc, 'integer 1-65535');
});

test('booleans read six words in any case; the on-off spelling is for system properties only', () => {
  for (const [t, v] of [
    ['true', true],
    ['ON', true],
    ['yes', true],
    ['False', false],
    ['off', false],
    ['no', false],
  ] as const) {
    assert.equal(boolean().parse(t), { ok: true, value: v }, t);
  }
  assert.is(boolean().parse('maybe').ok, false);
  assert.equal([boolean('on-off').write(true, 'property'), boolean('on-off').write(false, 'property')], ['on', 'off']);
  assert.equal([boolean('on-off').write(true, 'env'), boolean().write(true, 'property')], ['true', 'true']);
});

test('hosts, patterns, lists and words', () => {
  assert.equal(host.parse('10.0.0.5'), { ok: true, value: '10.0.0.5' });
  assert.equal(host.parse('a@b'), { ok: false, error: 'is not a host name or IP: "a@b"' });
  const name = matching(/^[a-z]+$/, 'lower-case letters');
  assert.equal(name.parse('A'), { ok: false, error: 'must be lower-case letters' });
  assert.equal(list.parse(' a, ,b '), { ok: true, value: ['a', 'b'] });
  assert.is(list.show(['a', 'b']), 'a,b');
  const level = oneOf(['info', 'warn'] as const);
  assert.equal(level.parse('WARN'), { ok: true, value: 'warn' });
  assert.equal(level.parse('loud'), { ok: false, error: 'must be one of info, warn' });
});

test.run();
