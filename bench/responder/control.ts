// The control channel between the benchmark and the responder process (child_process.fork's IPC), one shape for
// both sides:
//   parent → { op: 'add', pod } | { op: 'remove', ip, port }          (the pod feed, no answer)
//            { op: 'leave', id, ip, port } | { op: 'join', id, pod }   (a membership change, answered with a Change)
//            { op: 'stats', id } | { op: 'close', id }
//   child  → { op: 'ready' } | { id, result }
// `leave` is a member going Removed (its node stops answering, the others' member lists drop it, MemberRemoved on
// the cluster's open streams); `join` brings it back (MemberUp). Both processes run on one machine and read one
// clock, the system's wall clock (Date.now()): the Change's `at` is comparable with the parent's own Date.now().
import type { PodAddress } from './answers.ts';

export type ControlMessage =
  | { op: 'add'; pod: PodAddress }
  | { op: 'remove'; ip: string; port: number }
  | { op: 'leave'; id: number; ip: string; port: number }
  | { op: 'join'; id: number; pod: PodAddress }
  | { op: 'stats'; id: number }
  | { op: 'close'; id: number };

/** What the responder did for a leave or join. */
export interface Change {
  /** Date.now() in the responder right after the member events were written to the streams and the answers changed */
  at: number;
  /** open streams of the cluster the events were written to */
  streams: number;
}

/** A leave/join answer from the responder as a Change; throws naming what is wrong. */
export function parseChange(op: string, result: unknown): Change {
  const r = result as Partial<Change> & { error?: unknown };
  if (typeof r !== 'object' || r === null) throw new Error(`responder: ${op}: expected an object, got ${String(r)}`);
  if (typeof r.error === 'string') throw new Error(`responder: ${op}: ${r.error}`);
  if (typeof r.at !== 'number' || !Number.isFinite(r.at) || r.at <= 0) {
    throw new Error(`responder: ${op}: "at" must be a wall-clock time in ms, got ${JSON.stringify(r.at)}`);
  }
  if (typeof r.streams !== 'number' || !Number.isInteger(r.streams) || r.streams < 0) {
    throw new Error(`responder: ${op}: "streams" must be a count, got ${JSON.stringify(r.streams)}`);
  }
  return { at: r.at, streams: r.streams };
}
