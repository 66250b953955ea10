import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PHASES, parseScaleOptions, phaseParts } from './scale-options.ts';

test('defaults: N 100, R 3, every phase, 5 idle minutes, cluster-wide, results written', () => {
  const o = parseScaleOptions([]);
  assert.equal(o.ns, [100]);
  assert.is(o.replicas, 3);
  assert.equal(o.phases, PHASES);
  assert.is(o.idleSeconds, 300);
  assert.is(o.scope, 'cluster');
  assert.ok(o.write && o.build);
  assert.ok(Object.isFrozen(o));
});

test('flags override the defaults', () => {
  const o = parseScaleOptions(
    '--n 100,300,1000 --replicas 2 --phases ours-answering --idle-seconds 10 --settle-seconds 0 --scope namespaces --no-write --json /tmp/x.json --no-build --repeat 3'.split(
      ' ',
    ),
  );
  assert.equal(o.ns, [100, 300, 1000]);
  assert.is(o.replicas, 2);
  assert.equal(o.phases, ['ours-answering']);
  assert.is(o.settleSeconds, 0);
  assert.is(o.scope, 'namespaces');
  assert.is(o.json, '/tmp/x.json');
  assert.is(o.repeat, 3);
  assert.not.ok(o.write || o.build);
  assert.equal(phaseParts('peer-silent'), { subject: 'peer', pods: 'silent', polled: false });
  assert.equal(phaseParts('ours-answering-polled'), { subject: 'ours', pods: 'answering', polled: true });
  assert.ok(parseScaleOptions(['--report-only']).reportOnly);
  assert.not.ok(o.reportOnly);
});

test('status lag: 40 samples one every 250 ms by default; --lag-samples 0 turns it off', () => {
  const d = parseScaleOptions([]);
  assert.is(d.lagSamples, 40);
  assert.is(d.lagSpacingMs, 250);
  const o = parseScaleOptions(['--lag-samples', '0', '--lag-spacing-ms', '100']);
  assert.is(o.lagSamples, 0);
  assert.is(o.lagSpacingMs, 100);
  assert.throws(() => parseScaleOptions(['--lag-spacing-ms', '0']), /--lag-spacing-ms: expected a positive/);
  assert.throws(() => parseScaleOptions(['--lag-samples', '-1']), /--lag-samples: expected a non-negative/);
});

test('a bad value names the flag and what it expects', () => {
  assert.throws(() => parseScaleOptions(['--n', '10,x']), /--n: expected a positive whole number, got "x"/);
  assert.throws(() => parseScaleOptions(['--idle-seconds', '0']), /--idle-seconds/);
  assert.throws(() => parseScaleOptions(['--phases', 'ours-loud']), /--phases: unknown phase "ours-loud"; choose from/);
  assert.throws(() => parseScaleOptions(['--scope', 'all']), /--scope: expected cluster or namespaces/);
  assert.throws(() => parseScaleOptions(['--fast']), /unknown flag "--fast"/);
});

test.run();
