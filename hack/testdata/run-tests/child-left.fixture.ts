// Passes and exits, but leaves a child process running in its process group that holds its output open.
// With PID_DIR set, writes the child's pid there, so the runner's test can check that it was killed.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

test('passes and leaves a child process', () => {
  const child = spawn('sleep', ['60'], { stdio: 'inherit' });
  child.unref();
  if (process.env.PID_DIR) writeFileSync(join(process.env.PID_DIR, 'child-left'), String(child.pid));
  assert.ok(child.pid);
});
test.run();
