// process.exit(0) before the tests run (a helper that exits when it sees no cluster, say).
import { test } from 'uvu';
import * as assert from 'uvu/assert';

test('never runs', () => assert.ok(false));
process.exit(0);
test.run();
