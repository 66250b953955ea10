// The Go peer (bench/peer): built once per source hash by bench/peer/build.sh (cached under
// ~/.cache/pekko-bootstrap-operator/peer/), and checked to render exactly operator/render's children for the
// benchmark's resources before anything is measured, so that both controllers do the same work.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { resolve } from '../../core/api/resolve.ts';
import type { ClusterBootstrap } from '../../core/api/types.ts';
import { validate } from '../../core/api/validate.ts';
import { renderChildren } from '../../operator/controller/kinds.ts';
import { renderSharedRbac } from '../../operator/render/index.ts';
import { REPO_ROOT } from '../../test-e2e/lib/index.ts';

/** Builds the peer if its sources changed (minutes the first time: modules from the proxy); its binary's path. */
export function ensurePeer(): string {
  const out = execFileSync(join(REPO_ROOT, 'bench', 'peer', 'build.sh'), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out.trim().split('\n').at(-1) as string;
}

/** operator/render's output for resources of one namespace, in the shape `pbo-peer render` prints. */
export function ourRender(cbs: ClusterBootstrap[]): unknown {
  const members = cbs.map((cb) => {
    const v = validate(cb);
    if (!v.spec) throw new Error(`${cb.metadata.name}: ${v.errors.join('; ')}`);
    const r = resolve(cb, v.spec);
    return { cb, r, account: r.serviceAccountName };
  });
  const shared = renderSharedRbac(cbs[0]?.metadata.namespace ?? 'default', members);
  // The peer prints each resource's children by kind; renderChildren gives them as the list the reconcile applies.
  const byKind = (objects: { kind?: string }[]) => ({
    deployment: objects.find((o) => o.kind === 'Deployment'),
    serviceAccount: objects.find((o) => o.kind === 'ServiceAccount'),
  });
  return JSON.parse(
    JSON.stringify({
      children: members.map(({ cb, r }) => byKind(renderChildren(cb, r))),
      ...(shared ? { rbac: shared } : {}),
    }),
  );
}

/** The first path where two JSON values differ, for the error message. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
  }
  return `${path || '.'}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

/** Throws unless the peer renders the same children as the operator for these resources (one namespace). */
export function checkPeerRenders(binary: string, cbs: ClusterBootstrap[]): void {
  const res = spawnSync(binary, ['render'], { input: JSON.stringify({ items: cbs }), encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`pbo-peer render exited ${res.status}: ${res.stderr}`);
  const diff = firstDifference(ourRender(cbs), JSON.parse(res.stdout));
  if (diff) throw new Error(`the peer renders other children than operator/render (ours vs peer) at ${diff}`);
}
