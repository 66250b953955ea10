// Entering the record after the bootstrap decision (docs/membership.md, "Writes" and "Cold start"):
//   JoinOtherSeedNodes: join the incarnation one of the seed nodes belongs to (one conditional write);
//   JoinSelf: found it when the record has no members; otherwise challenge every member, wait the removal margin on
//   the monotonic clock, and replace the incarnation if nobody answered; any sign of life: join instead.
// Every write is conditional (resourceVersion); a 409 means: read again and decide again.
import { parseNodeAddress } from '../../core/protocol/address.ts';
import type { Clock, Logger, Random } from '../ports.ts';
import { foundingStep } from './duties.ts';
import { challenged, founded, joined, keyOf, type MembershipState, memberOf, type Newcomer } from './record.ts';
import type { Fetched, RecordStore } from './store.ts';

export interface EnterDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  store: RecordStore;
  self: Newcomer;
  system: string;
  removalMarginMs: number;
  /** Gives up (back to bootstrap) after this long. */
  deadlineMs: number;
  /** Records when a challenge seq was first seen (shared with the member that follows). */
  sawChallenge: (seq: number, at: number) => void;
  challengeSeenAt: (seq: number) => number | undefined;
  /** Still wanted? (the agent may be stopping). */
  active: () => boolean;
}

export type Entered = { ok: true; fetched: Fetched } | { ok: false; why: string };

const sleep = (clock: Clock, ms: number) => new Promise<void>((done) => clock.setTimeout(done, Math.max(0, ms)));
/** The actor system of an address, or of a unique address (`address#uid`, as clusterId is). */
const systemOf = (node: string) => {
  const a = parseNodeAddress(node.replace(/#-?\d+$/, ''));
  return a.ok ? a.value.system : undefined;
};

/** Jittered pause after a 409, so joiners arriving together spread out. */
const conflictPause = (d: EnterDeps) => sleep(d.clock, 50 + Math.floor(d.random() * 350));

function noteChallenges(d: EnterDeps, s: MembershipState): void {
  const now = d.clock.monotonic();
  for (const m of s.members)
    if (m.challenge && d.challengeSeenAt(m.challenge.seq) === undefined) d.sawChallenge(m.challenge.seq, now);
}

/** Joins the incarnation in `f` (retrying on 409). Succeeds at once when this incarnation is already a member. */
async function join(d: EnterDeps, f: Fetched, accept: (s: MembershipState) => string | undefined): Promise<Entered> {
  const selfKey = keyOf(d.self);
  for (let current = f; d.active(); ) {
    if (memberOf(current.state, selfKey)) return { ok: true, fetched: current };
    const refusal = accept(current.state);
    if (refusal) return { ok: false, why: refusal };
    const next = joined(current.state, d.self);
    if (!next) return { ok: true, fetched: current };
    const written = await d.store.put(current, next.state);
    if (written !== 'conflict') {
      const replaced = next.replaced.map((m) => m.node);
      d.logger.info(
        {
          clusterId: written.state.clusterId,
          upNumber: memberOf(written.state, selfKey)?.upNumber,
          members: written.state.members.length,
          ...(replaced.length ? { replaced } : {}),
        },
        'joined cluster',
      );
      return { ok: true, fetched: written };
    }
    await conflictPause(d);
    current = await d.store.get();
  }
  return { ok: false, why: 'stopping' };
}

/** JoinOtherSeedNodes: join the record's incarnation when one of the seed nodes is a member of it. */
export async function joinThroughSeeds(d: EnterDeps, seedNodes: readonly string[]): Promise<Entered> {
  const f = await d.store.get();
  return join(d, f, (s) => {
    if (s.clusterId === undefined) return 'the ClusterMembership holds no cluster yet';
    if (systemOf(s.clusterId) !== d.system)
      return `the ClusterMembership holds a cluster of another actor system (${s.clusterId})`;
    if (!s.members.some((m) => seedNodes.includes(m.node)))
      return 'none of the seed nodes is a member of the recorded cluster';
    return undefined;
  });
}

/** JoinSelf: found, or after the cold-start challenges replace, or join a cluster that shows life. */
export async function found(d: EnterDeps): Promise<Entered> {
  const end = d.clock.monotonic() + d.deadlineMs;
  let current = await d.store.get();
  const startedWith = current.state.members.length > 0 ? current.state.clusterId : undefined;
  const seen = new Map<string, number>();
  while (d.active()) {
    if (d.clock.monotonic() > end) return { ok: false, why: 'founding took too long' };
    noteChallenges(d, current.state);
    const step = foundingStep({
      state: current.state,
      startedWith,
      seen,
      challengeSeenAt: d.challengeSeenAt,
      now: d.clock.monotonic(),
      removalMarginMs: d.removalMarginMs,
    });
    for (const m of current.state.members) if (m.challenge && !seen.has(keyOf(m))) seen.set(keyOf(m), m.challenge.seq);
    if (step.kind === 'join') {
      d.logger.info({ why: step.why, clusterId: current.state.clusterId }, 'a live cluster exists, joining it');
      return join(d, current, () => undefined);
    }
    if (step.kind === 'wait') {
      await sleep(d.clock, step.untilMs - d.clock.monotonic());
      current = await d.store.get();
      continue;
    }
    let next: MembershipState | undefined;
    if (step.kind === 'challenge') {
      next = challenged(current.state, step.targets, d.self.node);
      d.logger.info(
        { clusterId: current.state.clusterId, members: step.targets.length },
        'cold start: challenging the recorded members',
      );
    } else next = founded(current.state, d.self);
    const written = next ? await d.store.put(current, next) : 'conflict';
    if (written === 'conflict') {
      await conflictPause(d);
      current = await d.store.get();
      if (step.kind === 'found' && current.state.members.length > 0) {
        d.logger.info({ clusterId: current.state.clusterId }, 'another node founded first, joining it');
        return join(d, current, () => undefined);
      }
      continue;
    }
    if (step.kind === 'challenge') {
      current = written;
      noteChallenges(d, current.state);
      continue;
    }
    const replaced = step.kind === 'replace' ? { replaced: current.state.clusterId } : {};
    d.logger.info({ clusterId: written.state.clusterId, ...replaced }, 'formed a new cluster');
    return { ok: true, fetched: written };
  }
  return { ok: false, why: 'stopping' };
}
