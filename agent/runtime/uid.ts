// A node incarnation's uid: a random signed 64-bit integer, like Pekko's, as a decimal string.
import { randomBytes } from 'node:crypto';

export function randomUid(): string {
  return randomBytes(8).readBigInt64BE().toString();
}
