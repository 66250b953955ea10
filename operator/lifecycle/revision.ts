// The pod template revision: a counter that rises by one with each change of the Deployment's pod template (the
// changes that roll the pods; a scale is not one), kept in status.podTemplate and on the Deployment's own metadata
// (an annotation, which rolls nothing), so that it survives a lost status and never goes backwards.
//
// Some settings handed to the pods are revision-scoped: decided once, when a revision starts, and kept until the next
// one, so that they change only together with a change that rolls the pods anyway. Today: pekko.cluster.app-version
// (the revision number itself) and new-cluster-enabled (off once the cluster formed: formation.ts). To add one: a field in PodTemplateRevision (core/api/types.ts) and the status schema,
// its value for a new revision in settingsFor(), what the hash sees instead in masked() (the user's own spec value, or
// a placeholder: never the decided value), and its catalog entry reading r.revision (core/settings/catalog.ts).
import type { V1Deployment } from '@kubernetes/client-node';
import type { Resolved } from '../../core/api/resolve.ts';
import { type ClusterBootstrap, type PodTemplateRevision, TEMPLATE_REVISION_ANNOTATION } from '../../core/api/types.ts';
import { contentHash } from '../controller/apply.ts';
import { renderDeployment } from '../render/deployment.ts';

/** The revision-scoped settings of a revision. */
export type RevisionSettings = Omit<PodTemplateRevision, 'revision' | 'hash'>;

/** What decides the formation setting of a new revision (formation.ts). */
export interface FormationFacts {
  /** The cluster has formed (status.formation, the Deployment's annotation, or a revision that handed it off). */
  formed: boolean;
  /** A cold start is under way: every pod may form. */
  coldStart: boolean;
  /** The user's strategy is Recreate: each rollout replaces every member, so the new pods must be able to form. */
  recreate: boolean;
}

const NEVER_FORMED: FormationFacts = { formed: false, coldStart: false, recreate: false };

/** What the pods of a new revision `revision` are handed. Pure. */
export function settingsFor(revision: number, r: Resolved, f: FormationFacts = NEVER_FORMED): RevisionSettings {
  // Pekko lets a node form a cluster only when no contact point answers with seed nodes; once a cluster formed, a
  // pod that may form could found a second one when it cannot see the others (docs/pekko.md, "Formation safety").
  const newClusterEnabled = r.newClusterEnabled && (!f.formed || f.coldStart || f.recreate);
  return { ...(r.lifecycle.appVersion ? { appVersion: String(revision) } : {}), newClusterEnabled };
}

/**
 * What the template hash sees in place of the revision-scoped values: whether each is handed at all and the user's
 * own spec value (the spec decides those, so changing one is a change), never the value decided for a revision
 * (which would make every revision a change of the template, and so another revision).
 */
function masked(r: Resolved): PodTemplateRevision {
  return {
    revision: 0,
    hash: '',
    ...(r.lifecycle.appVersion ? { appVersion: 'revision-scoped' } : {}),
    newClusterEnabled: r.newClusterEnabled,
  };
}

/** The hash of the pod template the resource renders, revision-scoped values masked. Pure. */
export function templateHash(cb: ClusterBootstrap, r: Resolved): string {
  return contentHash(renderDeployment(cb, { ...r, revision: masked(r) }).spec?.template);
}

const isRevision = (v: unknown): v is PodTemplateRevision => {
  const x = v as PodTemplateRevision | undefined;
  return (
    !!x &&
    typeof x === 'object' &&
    Number.isSafeInteger(x.revision) &&
    x.revision >= 1 &&
    typeof x.hash === 'string' &&
    (x.appVersion === undefined || typeof x.appVersion === 'string') &&
    (x.newClusterEnabled === undefined || typeof x.newClusterEnabled === 'boolean')
  );
};

/** The revision recorded on a Deployment (its annotation, JSON: operator/render/deployment.ts), if it parses. */
export function revisionOf(deployment: V1Deployment | undefined): PodTemplateRevision | undefined {
  const text = deployment?.metadata?.annotations?.[TEMPLATE_REVISION_ANNOTATION];
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return isRevision(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export interface RevisionInput {
  /** What was recorded (status.podTemplate, the Deployment's annotation); malformed or missing ones are skipped. */
  recorded: readonly unknown[];
  /** templateHash() of the template the resource renders now. */
  hash: string;
  /** The revision-scoped settings of a new revision. */
  settingsFor: (revision: number) => RevisionSettings;
  /**
   * Whether the latest revision's settings may stay although its hash is the template's; false starts the next
   * revision (a cold start, whose pods must all be handed new-cluster-enabled=on). Default: they may.
   */
  keeps?: (latest: PodTemplateRevision) => boolean;
}

/** The highest revision recorded (status.podTemplate, the Deployment's annotation), malformed ones skipped. */
export function latestRevision(recorded: readonly unknown[]): PodTemplateRevision | undefined {
  return recorded.filter(isRevision).sort((a, b) => b.revision - a.revision)[0];
}

/**
 * The revision to render. The highest recorded revision stays as it is (its settings too) while its hash is the
 * template's (and `keeps` lets it); any other hash starts the next revision with fresh settings. Nothing recorded:
 * revision 1. Pure.
 */
export function decideRevision(i: RevisionInput): PodTemplateRevision {
  const latest = latestRevision(i.recorded);
  if (latest && latest.hash === i.hash && (i.keeps?.(latest) ?? true)) return latest;
  const revision = (latest?.revision ?? 0) + 1;
  return { revision, hash: i.hash, ...i.settingsFor(revision) };
}
