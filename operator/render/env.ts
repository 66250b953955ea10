// The bootstrap settings handed to the pods, written from the one settings catalog (core/settings/catalog.ts): env
// vars for the agent, -D system properties in JAVA_TOOL_OPTIONS for a Pekko application (system properties override
// its application.conf), and the downward-API variables both get.
import type { V1EnvVar } from '@kubernetes/client-node';
import type { Resolved } from '../../core/api/resolve.ts';
import { ALL_SETTINGS } from '../../core/settings/catalog.ts';
import { isFieldRender, isValueRender, type Setting, type Target } from '../../core/settings/setting.ts';
import type { Written } from '../../core/settings/value-types.ts';

export { envName } from '../../core/settings/setting.ts';

/** The downward-API variables every cluster container gets, first, so later values can say $(POD_IP). */
export function downwardEnv(): V1EnvVar[] {
  return ALL_SETTINGS.flatMap((s) =>
    isFieldRender(s.render)
      ? [{ name: s.render.name ?? (s.env[0] as string), valueFrom: { fieldRef: { fieldPath: s.render.field } } }]
      : [],
  );
}

/** The settings the operator writes to a target, with their values as text, in catalog order. */
function written(r: Resolved, targets: readonly Target[], as: Written): [Setting, string][] {
  return ALL_SETTINGS.flatMap((s): [Setting, string][] => {
    const render = s.render;
    if (!isValueRender(render) || !render.to.some((t) => targets.includes(t))) return [];
    const value = render.value(r);
    return value === undefined ? [] : [[s, s.type.write(value, as)]];
  });
}

/** Pekko config keys and values, in the order they are written. */
export function bootstrapSettings(r: Resolved): [string, string][] {
  return written(r, ['pekko'], 'property').map(([s, value]) => [s.key as string, value]);
}

/** The agent's env: every setting it is handed, under the first of its env names. */
export function agentEnv(r: Resolved): V1EnvVar[] {
  return written(r, ['agent'], 'env').map(([s, value]) => ({ name: s.env[0] as string, value }));
}

/** The sidecar agent's env: the agent's, plus what only a sidecar is told. */
export function sidecarEnv(r: Resolved): V1EnvVar[] {
  return written(r, ['agent', 'sidecar'], 'env').map(([s, value]) => ({ name: s.env[0] as string, value }));
}

/** The -D flags for JAVA_TOOL_OPTIONS. Values never contain spaces (the schema forbids them in the selector). */
export function javaToolOptions(r: Resolved): string {
  return bootstrapSettings(r)
    .map(([key, value]) => `-D${key}=${value}`)
    .join(' ');
}

/** Names the operator owns in the cluster container's env; a user's entry of the same name is replaced. */
export const OWNED_ENV = new Set(downwardEnv().map((e) => e.name));
