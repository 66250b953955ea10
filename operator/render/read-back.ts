// The inverse of env.ts on a live Deployment: the value a setting was rendered with, read from the cluster
// container's JAVA_TOOL_OPTIONS (`-D<key>=<value>`, for a Pekko application) or from the agent's env (the
// bootstrap-agent sidecar, else the app container), and parsed with the setting's own type from the catalog. Pure.
// The reconcile uses it to recover what it fixed once (requiredContactPoints) when the status that held it is lost.
import type { V1Container, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { AGENT_CONTAINER, APP_CONTAINER } from '../../core/api/types.ts';
import { lookup, type Setting } from '../../core/settings/setting.ts';

/** The last `-D<key>=` flag in a JAVA_TOOL_OPTIONS value (the JVM lets a later one win). */
function systemProperty(options: string | undefined, key: string | undefined): string | undefined {
  if (options === undefined || key === undefined) return undefined;
  const prefix = `-D${key}=`;
  return options
    .split(/\s+/)
    .filter((f) => f.startsWith(prefix))
    .at(-1)
    ?.slice(prefix.length);
}

function textIn(c: V1Container, s: Setting): string | undefined {
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  return systemProperty(env.JAVA_TOOL_OPTIONS, s.key) ?? lookup(env, s)?.text;
}

/** The setting's value as rendered into `d`; undefined when it is not there or does not parse. */
export function renderedValue<T>(d: V1Deployment | undefined, s: Setting<T>): T | undefined {
  return valueIn(d?.spec?.template?.spec?.containers ?? [], s);
}

/** The setting's value as a pod was given it (its own spec: the revision it was created from). */
export function podValue<T>(p: V1Pod, s: Setting<T>): T | undefined {
  return valueIn(p.spec?.containers ?? [], s);
}

function valueIn<T>(containers: readonly V1Container[], s: Setting<T>): T | undefined {
  for (const name of [AGENT_CONTAINER, APP_CONTAINER]) {
    const c = containers.find((x) => x.name === name);
    const text = c ? textIn(c, s as Setting) : undefined;
    if (text === undefined || text.trim() === '') continue;
    const parsed = s.type.parse(text.trim());
    if (parsed.ok) return parsed.value;
  }
  return undefined;
}
