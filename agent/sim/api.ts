// An in-memory Kubernetes API server for the simulation, with the semantics the agent relies on:
//   - one resourceVersion counter; every object carries the version of its last change;
//   - GET returns the current object (a "most recent" read); PUT of clustermemberships/<name>/status needs the
//     resourceVersion it read (409 Conflict otherwise); create() of an existing name is 409 AlreadyExists;
//   - pod lists by label selector with the list's resourceVersion;
//   - watches (pods by label selector, a ClusterMembership by fieldSelector metadata.name) replay the event log after
//     their resourceVersion, then deliver live events in order, each after a random delay; a resourceVersion older
//     than the log is 410 Gone;
//   - failures: pod lists answering 403, 500 or never (mode), one caller cut off (requests time out, its watches go
//     silent, then break when it is back), and a restart (every request refused, every watch broken, the log gone).
// Requests take 1..latencyMs each way; the write happens in between.
import { matchesLabels, parseLabelSelector } from '../../core/discovery/selector.ts';
import type { Clock } from '../../core/runtime/clock.ts';
import { DiscoveryError } from '../errors.ts';
import type { KubeApi, KubeRequest, Reply, WatchHandle } from '../ports.ts';

export type ApiMode = 'ok' | 'forbidden' | 'timeout' | 'error500';

type Obj = {
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    uid?: string;
    labels?: Record<string, string>;
  };
} & Record<string, unknown>;
interface LogEvent {
  rv: number;
  kind: 'pods' | 'clustermemberships';
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Obj;
}
interface Watcher {
  caller: string;
  kind: LogEvent['kind'];
  match: (o: Obj) => boolean;
  onEvent: (e: unknown) => void;
  onEnd: (err?: Error) => void;
  lastAt: number;
  open: boolean;
}

const LOG_SIZE = 20_000;
const CM =
  /^\/apis\/bootstrap\.pekko-operator\.dev\/v1alpha1\/namespaces\/[^/]+\/clustermemberships(?:\/([^/?]+)(\/status)?)?(?:\?(.*))?$/;
const PODS = /^\/api\/v1\/namespaces\/[^/]+\/pods\?(.*)$/;
const json = (status: number, body: unknown): Reply => ({ status, body: JSON.stringify(body) });
const status = (code: number, reason: string, message: string) =>
  json(code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code });

/** The API server's labelSelector matching (core/discovery); a selector it would refuse matches nothing here. */
function labelMatch(selector: string): (o: Obj) => boolean {
  const parsed = parseLabelSelector(selector);
  return (o) => parsed.ok && matchesLabels(parsed.terms, o.metadata.labels);
}

export class SimApi {
  /** The simulation's FakeClock, or the system clock (runtime/testkit.ts serves this API over HTTPS). */
  readonly #time: Clock;
  readonly #random: () => number;
  readonly objects = { pods: new Map<string, Obj>(), clustermemberships: new Map<string, Obj>() };
  mode: ApiMode = 'ok';
  /** Caller IPs cut off from the API server. */
  readonly #lost = new Set<string>();
  #down = false;
  latencyMs = 4;
  watchDelayMs = 30;
  /** Request counts (by kind of request), and pod-list calls per caller IP. */
  readonly counts = { list: 0, get: 0, put: 0, conflict: 0, watch: 0, events: 0 };
  readonly calls = new Map<string, number>();
  #rv = 1;
  #uid = 1;
  #log: LogEvent[] = [];
  #logFrom = 1;
  readonly #watchers = new Set<Watcher>();

  constructor(time: Clock, random: () => number) {
    this.#time = time;
    this.#random = random;
  }

  #lat(max: number): number {
    return 1 + Math.floor(this.#random() * max);
  }

  /** Stores a new version of an object (as a controller or the kubelet would) and emits its event. */
  store(kind: LogEvent['kind'], obj: Obj, type?: 'DELETED'): Obj {
    const map = this.objects[kind];
    const old = map.get(obj.metadata.name);
    const rv = ++this.#rv;
    const uid = obj.metadata.uid ?? old?.metadata.uid ?? `uid-${this.#uid++}`;
    const stored = Object.freeze({
      ...obj,
      metadata: Object.freeze({ ...obj.metadata, uid, resourceVersion: String(rv) }),
    }) as Obj;
    if (type === 'DELETED') map.delete(obj.metadata.name);
    else map.set(obj.metadata.name, stored);
    const e: LogEvent = { rv, kind, type: type ?? (old ? 'MODIFIED' : 'ADDED'), object: stored };
    this.#log.push(e);
    if (this.#log.length > LOG_SIZE) this.#logFrom = (this.#log.shift() as LogEvent).rv + 1;
    for (const w of this.#watchers) if (w.kind === kind && w.match(stored)) this.#deliver(w, e);
    return stored;
  }

  /** Create-if-absent: 'exists' when the name is taken. */
  create(kind: LogEvent['kind'], obj: Obj): Obj | 'exists' {
    if (this.objects[kind].has(obj.metadata.name)) return 'exists';
    return this.store(kind, obj);
  }

  deleteObject(kind: LogEvent['kind'], name: string): void {
    const o = this.objects[kind].get(name);
    if (o) this.store(kind, o, 'DELETED');
  }

  /** The caller loses the API: requests time out, watches go silent. */
  lose(ip: string): void {
    this.#lost.add(ip);
  }

  /** The caller reaches the API again; its silent watches break (connection reset), so it reads again. */
  restore(ip: string): void {
    this.#lost.delete(ip);
    for (const w of [...this.#watchers]) if (w.caller === ip) this.#end(w, new Error('connection reset'));
  }

  /** A process died: its watches close. */
  dropCaller(ip: string): void {
    for (const w of [...this.#watchers]) if (w.caller === ip) this.#end(w);
  }

  /** The API server restarts: down for `ms`, every watch broken, the event log lost (older versions: 410). */
  restart(ms: number): void {
    this.#down = true;
    for (const w of [...this.#watchers]) this.#end(w, new Error('connection refused'));
    this.#log = [];
    this.#logFrom = this.#rv + 1;
    this.#time.setTimeout(() => {
      this.#down = false;
    }, ms);
  }

  #end(w: Watcher, err?: Error): void {
    if (!w.open) return;
    w.open = false;
    this.#watchers.delete(w);
    this.#time.setTimeout(() => w.onEnd(err), 0);
  }

  #deliver(w: Watcher, e: { type: string; object: unknown }): void {
    const at = Math.max(w.lastAt, this.#time.monotonic() + this.#lat(this.watchDelayMs));
    w.lastAt = at;
    this.#time.setTimeout(() => {
      if (!w.open || this.#lost.has(w.caller)) return; // a cut-off caller's watch is silent
      this.counts.events++;
      w.onEvent(e);
    }, at - this.#time.monotonic());
  }

  /** The API as the process at `caller` (a pod IP) sees it. */
  client(caller: string): KubeApi {
    return {
      request: (req) => this.#request(caller, req),
      watch: (path, onEvent, onEnd) => this.#watch(caller, path, onEvent, onEnd),
    };
  }

  #request(caller: string, req: KubeRequest): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      const t = this.#time;
      if (this.#lost.has(caller) || (this.mode === 'timeout' && PODS.test(req.path))) {
        t.setTimeout(
          () => reject(new DiscoveryError('Timeout', `Kubernetes API did not answer within ${req.timeoutMs}ms`)),
          req.timeoutMs,
        );
        return;
      }
      t.setTimeout(() => {
        if (this.#down)
          return reject(new DiscoveryError('Unreachable', 'connect ECONNREFUSED (API server restarting)'));
        if (this.#lost.has(caller))
          return void t.setTimeout(() => reject(new DiscoveryError('Timeout', 'timed out')), req.timeoutMs);
        const reply = this.#handle(caller, req);
        t.setTimeout(
          () => (this.#lost.has(caller) ? reject(new DiscoveryError('Timeout', 'timed out')) : resolve(reply)),
          this.#lat(this.latencyMs),
        );
      }, this.#lat(this.latencyMs));
    });
  }

  #handle(caller: string, req: KubeRequest): Reply {
    const pods = PODS.exec(req.path);
    if (pods && req.method === 'GET') {
      this.counts.list++;
      this.calls.set(caller, (this.calls.get(caller) ?? 0) + 1);
      if (this.mode === 'forbidden') {
        return status(
          403,
          'Forbidden',
          'pods is forbidden: User "system:serviceaccount:sim:app" cannot list resource "pods"',
        );
      }
      if (this.mode === 'error500') return { status: 500, body: 'etcdserver: request timed out' };
      const match = labelMatch(new URLSearchParams(pods[1]).get('labelSelector') ?? '');
      const items = [...this.objects.pods.values()].filter(match);
      return json(200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: String(this.#rv) }, items });
    }
    const cm = CM.exec(req.path);
    const name = cm?.[1] ? decodeURIComponent(cm[1]) : undefined;
    if (!cm || !name) return status(404, 'NotFound', `no route for ${req.method} ${req.path}`);
    const current = this.objects.clustermemberships.get(name);
    if (!current) return status(404, 'NotFound', `clustermemberships "${name}" not found`);
    if (req.method === 'GET' && !cm[2]) {
      this.counts.get++;
      return json(200, current);
    }
    if (req.method === 'PUT' && cm[2]) {
      this.counts.put++;
      const body = JSON.parse(req.body ?? '{}') as Obj;
      if (body.metadata?.resourceVersion !== current.metadata.resourceVersion) {
        this.counts.conflict++;
        return status(
          409,
          'Conflict',
          `Operation cannot be fulfilled on clustermemberships "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        );
      }
      return json(200, this.store('clustermemberships', { ...current, status: body.status }));
    }
    return status(405, 'MethodNotAllowed', `${req.method} ${req.path}`);
  }

  #watch(caller: string, path: string, onEvent: (e: unknown) => void, onEnd: (err?: Error) => void): WatchHandle {
    this.counts.watch++;
    const pods = PODS.exec(path);
    const cm = CM.exec(path);
    const q = new URLSearchParams((pods?.[1] ?? cm?.[3]) || '');
    const kind: LogEvent['kind'] = pods ? 'pods' : 'clustermemberships';
    const byName = (q.get('fieldSelector') ?? '').replace(/^metadata\.name=/, '');
    const match = pods ? labelMatch(q.get('labelSelector') ?? '') : (o: Obj) => o.metadata.name === byName;
    const w: Watcher = { caller, kind, match, onEvent, onEnd, lastAt: 0, open: true };
    this.#watchers.add(w);
    const from = Number(q.get('resourceVersion') ?? '0');
    if (this.#down || (!pods && !cm)) this.#end(w, new Error('connection refused'));
    else if (from + 1 < this.#logFrom) {
      this.#deliver(w, {
        type: 'ERROR',
        object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' },
      });
    } else {
      for (const e of this.#log) if (e.rv > from && e.kind === kind && match(e.object)) this.#deliver(w, e);
    }
    return {
      close: () => {
        w.open = false;
        this.#watchers.delete(w);
      },
    };
  }
}
