// A container's environment and command line, as a real kubelet computes them (pure: pod, container and the
// ConfigMaps/Secrets it references in; strings out). Order, lowest first: the host's PATH/HOME, HOSTNAME, the image
// map's env, the service variables (KUBERNETES_SERVICE_HOST/PORT), envFrom, env. $(VAR) in env values sees the
// service variables and earlier container variables; in command and args it sees the container's final variables.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { type ImageEntry, substitute } from '../images.ts';
import { expand } from './expand.ts';

export class EnvError extends Error {
  readonly code = 'CREATE_CONTAINER_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'EnvError';
  }
}

/** ConfigMap and Secret data by name (Secret values already base64-decoded); undefined = the object does not exist. */
export interface EnvSources {
  configMaps: ReadonlyMap<string, Readonly<Record<string, string>> | undefined>;
  secrets: ReadonlyMap<string, Readonly<Record<string, string>> | undefined>;
}

export interface EnvContext {
  pod: V1Pod;
  podIP: string;
  hostIP: string;
  apiserverHost: string;
  apiserverPort: number;
  hostEnv: Readonly<Record<string, string>>;
}

/** The ConfigMaps and Secrets a container's env names, so the caller can fetch them before resolving. */
export function referencedSources(c: V1Container): { configMaps: string[]; secrets: string[] } {
  const cms = new Set<string>();
  const secrets = new Set<string>();
  for (const f of c.envFrom ?? []) {
    if (f.configMapRef?.name) cms.add(f.configMapRef.name);
    if (f.secretRef?.name) secrets.add(f.secretRef.name);
  }
  for (const e of c.env ?? []) {
    if (e.valueFrom?.configMapKeyRef?.name) cms.add(e.valueFrom.configMapKeyRef.name);
    if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
  }
  return { configMaps: [...cms], secrets: [...secrets] };
}

/** metadata.labels['x'] and friends: the downward API's field paths allowed in env. */
export function fieldRef(path: string, ctx: Pick<EnvContext, 'pod' | 'podIP' | 'hostIP'>): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  const md = ctx.pod.metadata ?? {};
  if (m) return (m[1] === 'labels' ? md.labels : md.annotations)?.[m[2] as string] ?? '';
  switch (path) {
    case 'metadata.name':
      return md.name ?? '';
    case 'metadata.namespace':
      return md.namespace ?? '';
    case 'metadata.uid':
      return md.uid ?? '';
    case 'spec.nodeName':
      return ctx.pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return ctx.pod.spec?.serviceAccountName ?? 'default';
    case 'status.podIP':
    case 'status.podIPs':
      return ctx.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return ctx.hostIP;
    default:
      throw new EnvError(`unsupported fieldRef ${path}`);
  }
}

function keyRef(
  kind: 'configmap' | 'secret',
  data: Readonly<Record<string, string>> | undefined,
  name: string,
  key: string,
  optional: boolean | undefined,
): string | undefined {
  if (data === undefined) {
    if (optional) return undefined;
    throw new EnvError(`${kind} "${name}" not found`);
  }
  const v = data[key];
  if (v === undefined && !optional) throw new EnvError(`couldn't find key ${key} in ${kind} "${name}"`);
  return v;
}

/** The container's own variables (service variables, envFrom, env), without host or image variables. */
export function containerEnv(c: V1Container, ctx: EnvContext, src: EnvSources): Map<string, string> {
  const service = new Map<string, string>([
    ['KUBERNETES_SERVICE_HOST', ctx.apiserverHost],
    ['KUBERNETES_SERVICE_PORT', String(ctx.apiserverPort)],
    ['KUBERNETES_SERVICE_PORT_HTTPS', String(ctx.apiserverPort)],
    ['KUBERNETES_PORT', `tcp://${ctx.apiserverHost}:${ctx.apiserverPort}`],
  ]);
  const env = new Map<string, string>();
  for (const f of c.envFrom ?? []) {
    const prefix = f.prefix ?? '';
    const [kind, name, optional] = f.configMapRef
      ? (['configmap', f.configMapRef.name ?? '', f.configMapRef.optional] as const)
      : (['secret', f.secretRef?.name ?? '', f.secretRef?.optional] as const);
    const data = kind === 'configmap' ? src.configMaps.get(name) : src.secrets.get(name);
    if (data === undefined && !optional) throw new EnvError(`${kind} "${name}" not found`);
    for (const [k, v] of Object.entries(data ?? {})) env.set(prefix + k, v);
  }
  const lookup = (n: string) => env.get(n) ?? service.get(n);
  for (const e of c.env ?? []) {
    let v: string | undefined;
    const from = e.valueFrom;
    if (!from) v = expand(e.value ?? '', lookup);
    else if (from.fieldRef) v = fieldRef(from.fieldRef.fieldPath, ctx);
    else if (from.configMapKeyRef) {
      const r = from.configMapKeyRef;
      v = keyRef('configmap', src.configMaps.get(r.name ?? ''), r.name ?? '', r.key, r.optional);
    } else if (from.secretKeyRef) {
      const r = from.secretKeyRef;
      v = keyRef('secret', src.secrets.get(r.name ?? ''), r.name ?? '', r.key, r.optional);
    } else if (from.resourceFieldRef) {
      // approximate: the declared limit (else request) as written, without divisor arithmetic
      const res = from.resourceFieldRef.resource;
      const [kind, name] = res.split('.') as [string, string];
      const q = kind === 'limits' ? c.resources?.limits?.[name] : c.resources?.requests?.[name];
      v = String(q ?? c.resources?.requests?.[name] ?? '0');
    }
    if (v !== undefined) env.set(e.name, v);
  }
  for (const [k, v] of service) if (!env.has(k)) env.set(k, v);
  return env;
}

export interface ProcessSpec {
  command: string[];
  env: Record<string, string>;
  cwd: string;
}

/**
 * The process to run: Kubernetes' rules for an image's ENTRYPOINT/CMD (the map's command/args) against the
 * container's command/args, with $(VAR) expanded, and the full environment.
 */
export function processSpec(
  c: V1Container,
  image: ImageEntry,
  ctx: EnvContext,
  src: EnvSources,
  cwd: string,
): ProcessSpec {
  const own = containerEnv(c, ctx, src);
  const lookup = (n: string) => own.get(n);
  const x = (s: string) => expand(s, lookup);
  let argv: string[];
  if (c.command?.length) argv = [...c.command.map(x), ...(c.args ?? []).map(x)];
  else if (c.args?.length) argv = [...image.command, ...c.args.map(x)];
  else argv = [...image.command, ...(image.args ?? [])];
  const md = ctx.pod.metadata ?? {};
  const podVars = { POD_IP: ctx.podIP, POD_NAME: md.name ?? '', POD_NAMESPACE: md.namespace ?? '' };
  const imageEnv = Object.fromEntries(Object.entries(image.env ?? {}).map(([k, v]) => [k, substitute(v, podVars)]));
  return {
    command: argv,
    env: { ...ctx.hostEnv, HOSTNAME: md.name ?? '', ...imageEnv, ...Object.fromEntries(own) },
    // a container's workingDir names a folder inside an image; the local process runs where the map says
    cwd: image.cwd || cwd,
  };
}
