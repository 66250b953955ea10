// A test that never ends (an awaited watch that nothing stops): uvu never prints its totals. It starts a child
// process too, which must die with it. With PID_DIR set, writes both pids there.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';

test('waits forever', () => {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  if (process.env.PID_DIR) writeFileSync(join(process.env.PID_DIR, 'hung'), `${process.pid} ${child.pid}`);
  return new Promise<void>(() => setInterval(() => undefined, 1000));
});
test.run();
