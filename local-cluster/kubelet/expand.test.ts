import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expand } from './expand.ts';

const vars: Record<string, string> = { A: 'a', POD_IP: '127.1.0.2', EMPTY: '' };
const x = (s: string) => expand(s, (n) => vars[n]);

test('defined variables are replaced', () => {
  assert.is(x('$(A)-$(POD_IP):8080'), 'a-127.1.0.2:8080');
  assert.is(x('[$(EMPTY)]'), '[]');
});

test('undefined variables stay as written', () => {
  assert.is(x('$(NOPE)/x'), '$(NOPE)/x');
});

test('$$ escapes, other $ are literal', () => {
  assert.is(x('$$(A)'), '$(A)');
  assert.is(x('$$$(A)'), '$a');
  assert.is(x('cost $5 $'), 'cost $5 $');
  assert.is(x('$HOME'), '$HOME');
});

test('an unterminated reference is literal', () => {
  assert.is(x('a $(A'), 'a $(A');
});

test.run();
