// test.run() with no test registered: uvu prints "Total: 0".
import { test } from 'uvu';

test.run();
