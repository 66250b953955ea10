// The status as TypeScript sees it (STATUS_FIELDS in types.ts, which tsc keeps equal to the status interfaces) and as
// the CRD declares it (schema.ts) name the same fields: a field added to one and not the other fails here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { statusSchema } from './schema-status.ts';
import { STATUS_FIELDS } from './types.ts';

test('the status type and the CRD schema list the same fields', () => {
  assert.equal(Object.keys(STATUS_FIELDS).sort(), Object.keys(statusSchema.properties ?? {}).sort());
});

test.run();
