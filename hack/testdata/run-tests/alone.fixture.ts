// test-runner: alone (the fixture of the runner's schedule test)
// Records when it ran, so that the test can check that nothing else ran meanwhile.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';

test('runs alone', async () => {
  const start = Date.now();
  await sleep(400);
  appendFileSync(join(process.env.PID_DIR ?? '.', 'spans'), `alone ${start} ${Date.now()}\n`);
});
test.run();
