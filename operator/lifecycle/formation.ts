// Formation safety (docs/pekko.md, "Formation safety"): no second cluster after the first, and a cold start after a
// full outage that cannot deadlock.
//
// - Once the cluster has formed (status.formation, kept on the Deployment's annotation too), each new pod template
//   revision hands its pods new-cluster-enabled=off (revision.ts), so they only join: only with a change that rolls
//   the pods anyway.
// - When every member is gone (members-gone.ts) and pods that may only join run, no cluster can form again. After
//   spec.formation.coldStartAfter the operator starts a cold start: a revision whose pods are all handed
//   new-cluster-enabled=on, rolled out with strategy Recreate (every old pod gone before the new ones start), so that
//   whichever pod is the lowest contact point may form; it ends when one cluster has formed. Why Recreate: Pekko lets
//   only the lowest-addressed contact point form, and a rolling update would start one new pod beside the old,
//   join-only ones; unless that pod is the lowest, nobody forms, the new pod never becomes Ready and the rollout
//   never goes on. Replacing all at once costs nothing here: none of the pods is a member.
//
// decideFormation() is pure: the time is an argument (the fake clock's in tests).
import type { V1Deployment } from '@kubernetes/client-node';
import type { FormationRecord, Resolved } from '../../core/api/resolve.ts';
import {
  ConditionReason,
  ConditionType,
  FORMATION_ANNOTATION,
  type FormationStatus,
  type Phase,
  type PodTemplateRevision,
} from '../../core/api/types.ts';
import { capText, listed, MAX_MESSAGE_CHARS } from '../status/caps.ts';
import { metaTime } from '../status/conditions.ts';
import type { Observed } from '../status/observer.ts';
import type { MembersGone } from './members-gone.ts';

export interface FormationEvent {
  type: 'Normal' | 'Warning';
  reason: 'ColdStart' | 'ColdStartCompleted' | 'ColdStartRequired';
  note: string;
}

/** What replaces the status message, and the reason of ClusterFormed and Ready, while every member is gone. */
export interface FormationProblem {
  reason: ConditionReason;
  message: string;
}

export interface FormationInput {
  nowMs: number;
  r: Resolved;
  /** recordedFormation(): status.formation, else the Deployment's annotation. */
  recorded: FormationStatus | undefined;
  /** The latest pod template revision: as rendered, or as recorded while paused. */
  revision: PodTemplateRevision | undefined;
  /** This pass's observation. */
  observed: { phase?: Phase; seedNode?: string };
  gone: MembersGone;
}

export interface FormationOutcome {
  formation?: FormationStatus;
  events: FormationEvent[];
  problem?: FormationProblem;
  requeueAfterMs?: number;
}

const iso = metaTime;
const seconds = (ms: number) => `${Math.round(ms / 1000)}s`;

/** The formation record on a Deployment (its annotation, JSON: operator/render/deployment.ts), if it parses. */
export function formationOf(deployment: V1Deployment | undefined): FormationRecord | undefined {
  const text = deployment?.metadata?.annotations?.[FORMATION_ANNOTATION];
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (!v || typeof v !== 'object') return undefined;
    const out: FormationRecord = {};
    if (typeof v.formedAt === 'string' && !Number.isNaN(Date.parse(v.formedAt))) out.formedAt = v.formedAt;
    if (typeof v.seedNode === 'string') out.seedNode = v.seedNode;
    return out.formedAt !== undefined || out.seedNode !== undefined ? out : undefined;
  } catch {
    return undefined;
  }
}

/**
 * status.formation, with when and around which seed from the Deployment's annotation where that is the later
 * formation (the status lost, or its last write). Undefined: neither says the cluster formed.
 */
export function recordedFormation(
  status: FormationStatus | undefined,
  deployment: V1Deployment | undefined,
): FormationStatus | undefined {
  const kept = formationOf(deployment);
  if (!kept) return status;
  if (!status) return { ...kept };
  const later = (kept.formedAt ?? '') > (status.formedAt ?? '');
  return later ? { ...status, ...kept } : status;
}

export const coldStartPending = (f: FormationStatus | undefined): boolean =>
  f?.coldStart !== undefined && f.coldStart.completedAt === undefined;

/**
 * Whether the cluster has formed: a formation record, or a revision that handed new-cluster-enabled=off although the
 * spec allows it (the operator hands that only after formation), so that a lost status and annotation do not make
 * the operator forget.
 */
export function hasFormed(f: FormationStatus | undefined, latest: PodTemplateRevision | undefined, r: Resolved) {
  return f !== undefined || (r.newClusterEnabled && latest?.newClusterEnabled === false);
}

/** The record for the Deployment's annotation. */
export function formationRecord(f: FormationStatus | undefined): FormationRecord | undefined {
  if (!f || (f.formedAt === undefined && f.seedNode === undefined)) return undefined;
  return {
    ...(f.formedAt !== undefined ? { formedAt: f.formedAt } : {}),
    ...(f.seedNode !== undefined ? { seedNode: f.seedNode } : {}),
  };
}

export function decideFormation(i: FormationInput): FormationOutcome {
  const { r, nowMs } = i;
  const now = iso(nowMs);
  let f: FormationStatus | undefined = i.recorded ? { ...i.recorded } : undefined;
  const pending = coldStartPending(f);
  const seed = i.observed.seedNode;

  if (i.observed.phase === 'Formed' && seed !== undefined) {
    const first = !f || (f.formedAt === undefined && f.seedNode === undefined);
    f = { ...f, ...(first || pending ? { formedAt: now, seedNode: seed } : {}) };
    delete f.membersGoneSince;
    const events: FormationEvent[] = [];
    if (pending && f.coldStart) {
      const took = nowMs - Date.parse(f.coldStart.startedAt);
      f.coldStart = { ...f.coldStart, completedAt: now };
      events.push({
        type: 'Normal',
        reason: 'ColdStartCompleted',
        note: `one cluster again after the cold start, formed around ${seed}${Number.isNaN(took) ? '' : ` ${seconds(took)} after it started`}`,
      });
    }
    return { formation: f, events };
  }

  if (pending && f?.coldStart) {
    const cs = { ...f.coldStart };
    if (cs.revision === undefined && i.revision?.newClusterEnabled !== false && i.revision) {
      cs.revision = i.revision.revision;
    }
    f = { ...f, coldStart: cs };
    delete f.membersGoneSince;
    const rev = cs.revision !== undefined ? `revision ${cs.revision}` : 'the next revision';
    return {
      formation: f,
      events: [],
      problem: {
        reason: ConditionReason.ColdStart,
        message:
          `cold start since ${cs.startedAt}: ${cs.cause}; ${rev} hands every pod new-cluster-enabled=on, all ` +
          'replaced at once (strategy Recreate until one cluster has formed)',
      },
    };
  }

  const gone = i.gone;
  if (!hasFormed(f, i.revision, r) || !gone.gone) {
    if (f) delete f.membersGoneSince;
    return { ...(f ? { formation: f } : {}), events: [] };
  }
  f = { ...f, membersGoneSince: f?.membersGoneSince ?? now };
  // Pods that may all form do so on their own; what keeps them from it is not the formation setting.
  if (gone.joinOnly.length === 0) return { formation: f, events: [] };

  const sinceMs = Date.parse(f.membersGoneSince ?? now);
  const dueMs = (Number.isNaN(sinceMs) ? nowMs : sinceMs) + r.formation.coldStartAfterMs;
  const cluster = f.seedNode ? `the cluster formed around ${f.seedNode}` : 'the cluster';
  const n = gone.running.length;
  const state =
    `every member of ${cluster} is gone since ${f.membersGoneSince}: ${n} pod${n === 1 ? '' : 's'} running ` +
    `(${listed(gone.running)}), none a member and none answering as one, and ${gone.joinOnly.length === n ? 'every one' : listed(gone.joinOnly)} may only join (new-cluster-enabled=off)`;
  const forWhat = `kubectl patch cb/${r.name} -n ${r.namespace} --type merge -p`;
  const due = nowMs >= dueMs;

  if (!r.newClusterEnabled) {
    return blocked(
      f,
      due,
      state,
      dueMs - nowMs,
      `${state}; spec.bootstrap.newClusterEnabled is false, so no pod may form a cluster: make sure no member of ` +
        `the old cluster runs anywhere, then set it to true (${forWhat} '{"spec":{"bootstrap":{"newClusterEnabled":true}}}') ` +
        'and the operator forms a new cluster (a cold start, spec.formation)',
    );
  }
  if (r.formation.coldStart === 'Manual') {
    return blocked(
      f,
      due,
      state,
      dueMs - nowMs,
      `${state}; spec.formation.coldStart is Manual, so the operator forms no new cluster: make sure no member of ` +
        `the old cluster runs anywhere, then set it to Automatic (${forWhat} '{"spec":{"formation":{"coldStart":"Automatic"}}}') ` +
        'for a cold start now: every pod replaced at once with new-cluster-enabled=on',
    );
  }
  if (r.paused) {
    return {
      formation: f,
      events: [],
      problem: { reason: ConditionReason.MembersGone, message: `${state}; no cold start while spec.paused is true` },
    };
  }
  if (!due) {
    return {
      formation: f,
      events: [],
      problem: {
        reason: ConditionReason.MembersGone,
        message: `${state}; unless a member answers, the operator forms a new cluster (a cold start) at ${iso(dueMs)} (spec.formation.coldStartAfter ${seconds(r.formation.coldStartAfterMs)})`,
      },
      requeueAfterMs: dueMs - nowMs,
    };
  }
  const cause = `${state}, for ${seconds(nowMs - (Number.isNaN(sinceMs) ? nowMs : sinceMs))}`;
  const started: FormationStatus = { ...f, coldStart: { startedAt: now, cause } };
  delete started.membersGoneSince;
  return {
    formation: started,
    events: [
      {
        type: 'Warning',
        reason: 'ColdStart',
        note: `${cause}; forming a new cluster: every pod replaced at once with new-cluster-enabled=on`,
      },
    ],
    problem: {
      reason: ConditionReason.ColdStart,
      message: `cold start since ${now}: ${cause}; the next revision hands every pod new-cluster-enabled=on, all replaced at once (strategy Recreate until one cluster has formed)`,
    },
    requeueAfterMs: 0,
  };
}

/** Every member gone and no cold start allowed: the message says what to do; once due, a Warning Event too. */
function blocked(f: FormationStatus, due: boolean, state: string, untilDueMs: number, whatToDo: string) {
  if (!due) {
    return {
      formation: f,
      events: [],
      problem: { reason: ConditionReason.MembersGone, message: state },
      requeueAfterMs: untilDueMs,
    };
  }
  return {
    formation: f,
    events: [{ type: 'Warning' as const, reason: 'ColdStartRequired' as const, note: whatToDo }],
    problem: { reason: ConditionReason.ColdStartRequired, message: whatToDo },
  };
}

/**
 * The observation with the formation problem in place of its message, and as the reason and message of ClusterFormed
 * and Ready (both False): while every member is gone, what keeps the cluster from forming is that the pods may only
 * join, and the message says what happens next or what to do. The phase stays as observed.
 */
export function withFormationProblem(o: Observed, problem: FormationProblem | undefined): Observed {
  if (!problem) return o;
  const message = capText(problem.message, MAX_MESSAGE_CHARS);
  const replaced = new Set<string>([ConditionType.ClusterFormed, ConditionType.Ready]);
  return {
    ...o,
    status: { ...o.status, message },
    conditions: o.conditions.map((c) =>
      replaced.has(c.type) ? { ...c, status: 'False', reason: problem.reason, message } : c,
    ),
  };
}
