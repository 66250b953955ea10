import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CodedError } from './errors.ts';

class PartError extends CodedError {}
class LookupError extends PartError {}

test('a subclass keeps its own name, the stable code and the cause', () => {
  const cause = new Error('ECONNREFUSED');
  const err = new LookupError('Unreachable', 'no route to the API server', { cause });
  assert.instance(err, PartError);
  assert.instance(err, CodedError);
  assert.instance(err, Error);
  assert.is(err.name, 'LookupError');
  assert.is(err.code, 'Unreachable');
  assert.is(err.message, 'no route to the API server');
  assert.is(err.cause, cause);
  assert.is(new CodedError('X', 'y').cause, undefined);
});

test.run();
