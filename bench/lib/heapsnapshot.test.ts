import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type HeapSnapshot, summarizeHeapSnapshot } from './heapsnapshot.ts';

test('self size by kind, long strings by their start', () => {
  const source = `import { x } from 'y';${' '.repeat(300)}`;
  const s: HeapSnapshot = {
    snapshot: {
      meta: {
        node_fields: ['type', 'name', 'id', 'self_size'],
        node_types: [['hidden', 'array', 'string', 'object', 'code']],
      },
    },
    // [type, name index, id, self_size]
    nodes: [3, 0, 1, 100, 3, 0, 2, 50, 3, 1, 3, 10, 2, 2, 4, 400, 2, 3, 5, 20, 4, 4, 6, 1000],
    strings: ['Object', 'Timeout', source, 'short', 'code'],
  };
  const h = summarizeHeapSnapshot(s);
  assert.is(h.totalBytes, 1580);
  assert.is(h.objects, 6);
  assert.equal(h.byKind, [
    ['(compiled code)', 1000, 1],
    ['(strings)', 420, 2],
    ['object Object', 150, 2],
    ['object Timeout', 10, 1],
  ]);
  assert.equal(h.longStrings, [[source.slice(0, 60).replace(/\s+/g, ' '), 400, 1]]);
});

test.run();
