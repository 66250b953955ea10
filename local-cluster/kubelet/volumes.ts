// A pod's volumes as folders under <pods>/<uid>/volumes/<name>/, bind-mounted at each container's mountPath by the
// runner. Supported: projected (serviceAccountToken, configMap, secret, downwardAPI: the token volume the
// ServiceAccount admission plugin adds), configMap, secret, downwardAPI, emptyDir, hostPath. Service-account tokens
// come from the TokenRequest API, bound to the pod, and are rewritten at 80% of their lifetime as a kubelet does.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { V1Container, V1DownwardAPIVolumeFile, V1KeyToPath, V1Pod, V1Volume } from '@kubernetes/client-node';
import { fieldRef } from './env.ts';
import type { Rest } from './rest.ts';
import type { Mount } from './runner.ts';

export class VolumeError extends Error {
  readonly code = 'VOLUME_SETUP';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'VolumeError';
  }
}

interface TokenRequestStatus {
  status: { token: string; expirationTimestamp: string };
}

function writeAtomic(file: string, content: string | Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, content, { mode: 0o644 });
  renameSync(`${file}.tmp`, file);
}

/** A pod's own address and its node's, as the downward API gives them. */
export interface PodAddresses {
  podIP: string;
  hostIP: string;
}

function downwardValue(f: V1DownwardAPIVolumeFile, pod: V1Pod, addrs: PodAddresses): string {
  const path = f.fieldRef?.fieldPath ?? '';
  if (path === 'metadata.labels' || path === 'metadata.annotations') {
    const m = (path === 'metadata.labels' ? pod.metadata?.labels : pod.metadata?.annotations) ?? {};
    return Object.keys(m)
      .sort()
      .map((k) => `${k}=${JSON.stringify(m[k])}`)
      .join('\n');
  }
  return fieldRef(path, { pod, ...addrs });
}

export class PodVolumes {
  readonly #api: Rest;
  readonly #pod: V1Pod;
  readonly #root: string;
  readonly #addrs: PodAddresses;
  /** one renewal timer per token file: a retried setup replaces it rather than adding another */
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #onError: (message: string) => void;
  #stopped = false;

  /** no token is renewed sooner than this after it was written (tests lower it) */
  readonly #minRenewMs: number;

  constructor(
    api: Rest,
    pod: V1Pod,
    podDir: string,
    addrs: PodAddresses,
    onError: (message: string) => void,
    minRenewMs = 5000,
  ) {
    this.#minRenewMs = minRenewMs;
    this.#api = api;
    this.#pod = pod;
    this.#root = join(podDir, 'volumes');
    this.#addrs = addrs;
    this.#onError = onError;
  }

  get #ns(): string {
    return this.#pod.metadata?.namespace ?? 'default';
  }

  async #data(kind: 'configmaps' | 'secrets', name: string, optional?: boolean): Promise<Record<string, Buffer>> {
    try {
      const o = await this.#api.request<{ data?: Record<string, string>; binaryData?: Record<string, string> }>(
        'GET',
        `/api/v1/namespaces/${this.#ns}/${kind}/${name}`,
      );
      const out: Record<string, Buffer> = {};
      for (const [k, v] of Object.entries(o.data ?? {}))
        out[k] = kind === 'secrets' ? Buffer.from(v, 'base64') : Buffer.from(v);
      for (const [k, v] of Object.entries(o.binaryData ?? {})) out[k] = Buffer.from(v, 'base64');
      return out;
    } catch (err) {
      if (optional && (err as { status?: number }).status === 404) return {};
      throw new VolumeError(`${kind} "${name}": ${(err as Error).message}`, { cause: err });
    }
  }

  #writeKeys(dir: string, data: Record<string, Buffer>, items: V1KeyToPath[] | undefined): void {
    const pairs = items?.length
      ? items.map((i) => [i.key, i.path] as const)
      : Object.keys(data).map((k) => [k, k] as const);
    for (const [key, path] of pairs) {
      const v = data[key];
      if (v === undefined) throw new VolumeError(`key ${key} not found`);
      writeAtomic(join(dir, path), v);
    }
  }

  /** Requests a token and writes it; schedules its renewal at 80% of its lifetime. */
  async #token(file: string, audience: string | undefined, expirationSeconds: number): Promise<void> {
    const md = this.#pod.metadata ?? {};
    const sa = this.#pod.spec?.serviceAccountName || 'default';
    const res = await this.#api
      .request<TokenRequestStatus>('POST', `/api/v1/namespaces/${this.#ns}/serviceaccounts/${sa}/token`, {
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: {
            audiences: audience ? [audience] : [],
            expirationSeconds,
            boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: md.name, uid: md.uid },
          },
        },
      })
      .catch((err: unknown) => {
        throw new VolumeError(`token for service account ${sa}: ${(err as Error).message}`, { cause: err });
      });
    writeAtomic(file, res.status.token);
    const ttlMs = Date.parse(res.status.expirationTimestamp) - Date.now();
    this.#later(file, Math.max(this.#minRenewMs, ttlMs * 0.8), () => this.#token(file, audience, expirationSeconds));
  }

  #later(key: string, ms: number, fn: () => Promise<void>): void {
    if (this.#stopped) return;
    clearTimeout(this.#timers.get(key));
    const t = setTimeout(() => {
      this.#timers.delete(key);
      fn().catch((err: unknown) => {
        this.#onError((err as Error).message);
        this.#later(key, 10000, fn);
      });
    }, ms);
    t.unref();
    this.#timers.set(key, t);
  }

  async #setupOne(v: V1Volume): Promise<string> {
    const dir = join(this.#root, v.name);
    if (v.hostPath) return v.hostPath.path;
    mkdirSync(dir, { recursive: true });
    if (v.emptyDir) return dir;
    if (v.configMap)
      this.#writeKeys(
        dir,
        await this.#data('configmaps', v.configMap.name ?? '', v.configMap.optional),
        v.configMap.items,
      );
    else if (v.secret)
      this.#writeKeys(dir, await this.#data('secrets', v.secret.secretName ?? '', v.secret.optional), v.secret.items);
    else if (v.downwardAPI) {
      for (const f of v.downwardAPI.items ?? [])
        writeAtomic(join(dir, f.path), downwardValue(f, this.#pod, this.#addrs));
    } else if (v.projected) {
      for (const s of v.projected.sources ?? []) {
        if (s.serviceAccountToken) {
          const t = s.serviceAccountToken;
          await this.#token(join(dir, t.path), t.audience, t.expirationSeconds ?? 3607);
        } else if (s.configMap)
          this.#writeKeys(
            dir,
            await this.#data('configmaps', s.configMap.name ?? '', s.configMap.optional),
            s.configMap.items,
          );
        else if (s.secret)
          this.#writeKeys(dir, await this.#data('secrets', s.secret.name ?? '', s.secret.optional), s.secret.items);
        else if (s.downwardAPI) {
          for (const f of s.downwardAPI.items ?? [])
            writeAtomic(join(dir, f.path), downwardValue(f, this.#pod, this.#addrs));
        }
      }
    } else {
      throw new VolumeError(`volume ${v.name}: this type is not supported by the local kubelet stand-in`);
    }
    return dir;
  }

  #sources = new Map<string, string>();

  /** Materialises every volume; throws VolumeError (the worker retries) when one cannot be set up yet. */
  async setup(): Promise<void> {
    for (const v of this.#pod.spec?.volumes ?? []) {
      if (!this.#sources.has(v.name)) this.#sources.set(v.name, await this.#setupOne(v));
    }
  }

  /** The bind mounts of one container (subPath mounts are not supported and are skipped). */
  mountsFor(c: V1Container): Mount[] {
    return (c.volumeMounts ?? [])
      .filter((m) => !m.subPath && this.#sources.has(m.name))
      .map((m) => ({
        source: this.#sources.get(m.name) as string,
        target: m.mountPath,
        readOnly: m.readOnly ?? false,
      }));
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }
}
