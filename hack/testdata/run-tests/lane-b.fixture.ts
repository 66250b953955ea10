// Records when it ran, so that the schedule test can check that it shared its time with the other lane only.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';

test('runs in a lane', async () => {
  const start = Date.now();
  await sleep(400);
  appendFileSync(join(process.env.PID_DIR ?? '.', 'spans'), `lane-b ${start} ${Date.now()}\n`);
});
test.run();
