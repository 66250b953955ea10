import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpuSeconds, machineCpu, memory } from './proc.ts';

test("reads this process's CPU time and memory; a gone process gives undefined", () => {
  const start = Date.now();
  while (Date.now() - start < 50) Math.sqrt(Math.random()); // burn a little CPU
  const cpu = cpuSeconds(process.pid);
  assert.ok(cpu !== undefined && cpu > 0, `cpu ${cpu}`);
  const m = memory(process.pid);
  assert.ok(m && m.rssBytes > 10 * 2 ** 20 && m.peakRssBytes >= m.rssBytes, JSON.stringify(m));
  assert.is(cpuSeconds(2 ** 22 + 1), undefined);
  assert.is(memory(2 ** 22 + 1), undefined);
  const mc = machineCpu();
  assert.ok(mc.total > mc.busy && mc.busy > 0);
});

test.run();
