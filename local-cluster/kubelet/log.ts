// The kubelet stand-in's log: pino JSON lines on stdout (the CLI sends them to <dir>/logs/kubelet.log), a fixed
// message plus fields, with a child logger per pod carrying its namespace/name.
import { pino } from 'pino';

export type Logger = pino.Logger;

export function makeLogger(level: string): Logger {
  return pino({ level, base: { component: 'kubelet' } });
}
