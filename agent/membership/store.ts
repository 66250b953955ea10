// The ClusterMembership on the API server (docs/membership.md): a consistent GET (no resourceVersion: "most recent"),
// a PUT of the status subresource carrying the resourceVersion read (409 when someone wrote in between), and a watch
// by name. Thin I/O: the record's meaning lives in record.ts.

import { MEMBERSHIP_API_VERSION, MEMBERSHIP_KIND, MEMBERSHIP_PLURAL } from '../../core/api/membership.ts';
import { ENV } from '../config.ts';
import { AgentError } from '../errors.ts';
import type { Clock, KubeApi, Random, WatchHandle } from '../ports.ts';
import { type MembershipState, readState, toStatus } from './record.ts';

const PLURAL = MEMBERSHIP_PLURAL;

/** One state of the record as the API server returned it. */
export interface Fetched {
  state: MembershipState;
  resourceVersion: string;
  /** metadata.uid: a recreated object is another object, whatever its status.version says. */
  objectUid: string;
  /** Monotonic time at which the request that returned it was sent (its proof of contact). */
  sentAt: number;
}

/**
 * A membership request failed. Codes: NotFound (no ClusterMembership of that name: the operator creates it),
 * Forbidden (RBAC), HttpStatus, Malformed, and the transport's (Timeout, Unreachable, ...).
 */
export class StoreError extends AgentError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'StoreError';
  }
}

export interface StoreOptions {
  namespace: string;
  name: string;
  timeoutMs: number;
}

export class RecordStore {
  readonly #kube: KubeApi;
  readonly #clock: Clock;
  readonly #o: StoreOptions;
  readonly #base: string;
  /** Requests sent, for the figures (reads, writes, conflicts). */
  readonly counts = { get: 0, put: 0, conflict: 0 };

  constructor(kube: KubeApi, clock: Clock, options: StoreOptions) {
    this.#kube = kube;
    this.#clock = clock;
    this.#o = options;
    const ns = encodeURIComponent(options.namespace);
    this.#base = `/apis/${MEMBERSHIP_API_VERSION}/namespaces/${ns}/${PLURAL}`;
  }

  get name(): string {
    return this.#o.name;
  }

  #fail(status: number, body: string, what: string): never {
    const { namespace, name } = this.#o;
    const where = `ClusterMembership ${namespace}/${name}`;
    if (status === 404) {
      throw new StoreError('NotFound', `${where} does not exist (the operator creates it with the ClusterBootstrap)`);
    }
    if (status === 403) {
      throw new StoreError(
        'Forbidden',
        `Forbidden to ${what} ${where}. Check RBAC: the pod's service account needs get and watch on ${PLURAL} and update on ${PLURAL}/status, resourceNames [${name}]; and that ${ENV.membershipName} names the ClusterMembership (rights on one name answer 403, not 404, for any other). API said: ${body.slice(0, 300)}`,
      );
    }
    throw new StoreError('HttpStatus', `${what} ${where} answered ${status}: ${body.slice(0, 300)}`);
  }

  #read(json: unknown, sentAt: number): Fetched {
    const o = json as { metadata?: { resourceVersion?: unknown; uid?: unknown }; status?: unknown } | null;
    const rv = o?.metadata?.resourceVersion;
    if (typeof rv !== 'string') throw new StoreError('Malformed', 'the ClusterMembership has no resourceVersion');
    const r = readState(o?.status);
    if (!r.ok) throw new StoreError('Malformed', `the ClusterMembership's ${r.error}; not touching it`);
    return { state: r.state, resourceVersion: rv, objectUid: String(o?.metadata?.uid ?? ''), sentAt };
  }

  #parse(body: string): unknown {
    try {
      return JSON.parse(body);
    } catch {
      throw new StoreError('Malformed', `the API server's answer is not JSON: ${body.slice(0, 100)}`);
    }
  }

  /** A consistent read. Rejects with StoreError or the transport's error. */
  async get(): Promise<Fetched> {
    this.counts.get++;
    const sentAt = this.#clock.monotonic();
    const path = `${this.#base}/${encodeURIComponent(this.#o.name)}`;
    const reply = await this.#kube.request({ method: 'GET', path, timeoutMs: this.#o.timeoutMs });
    if (reply.status !== 200) this.#fail(reply.status, reply.body, 'read');
    return this.#read(this.#parse(reply.body), sentAt);
  }

  /** Writes `state` over the version read; 'conflict' when the object changed since (409). */
  async put(read: Fetched, state: MembershipState): Promise<Fetched | 'conflict'> {
    this.counts.put++;
    const sentAt = this.#clock.monotonic();
    const { namespace, name } = this.#o;
    const body = {
      apiVersion: MEMBERSHIP_API_VERSION,
      kind: MEMBERSHIP_KIND,
      metadata: { name, namespace, resourceVersion: read.resourceVersion },
      status: toStatus(state),
    };
    const path = `${this.#base}/${encodeURIComponent(name)}/status`;
    const reply = await this.#kube.request({
      method: 'PUT',
      path,
      body: JSON.stringify(body),
      timeoutMs: this.#o.timeoutMs,
    });
    if (reply.status === 409) {
      this.counts.conflict++;
      return 'conflict';
    }
    if (reply.status !== 200) this.#fail(reply.status, reply.body, 'update');
    return this.#read(this.#parse(reply.body), sentAt);
  }

  /**
   * Read-modify-write: `decide` gets the state (`base`, else a fresh read) and returns the next one, or undefined when
   * there is nothing to write; a 409 reads again after 50-400 ms of jitter, an error after 500 ms. Returns the written
   * state, 'nothing' when decide had nothing to write, or undefined when it did not land before `until` (monotonic) or
   * `active()` turned false.
   */
  async update(
    decide: (s: MembershipState) => MembershipState | undefined,
    o: {
      base?: Fetched | undefined;
      until: number;
      random: Random;
      active: () => boolean;
      onError: (e: Error) => void;
    },
  ): Promise<Fetched | 'nothing' | undefined> {
    let base = o.base;
    while (this.#clock.monotonic() < o.until && o.active()) {
      let pause = 500;
      try {
        base ??= await this.get();
        const next = decide(base.state);
        if (!next) return 'nothing';
        const written = await this.put(base, next);
        if (written !== 'conflict') return written;
        pause = 50 + Math.floor(o.random() * 350);
      } catch (err) {
        o.onError(err as Error);
      }
      base = undefined;
      await new Promise<void>((done) => this.#clock.setTimeout(done, pause));
    }
    return undefined;
  }

  /**
   * Watches the record from `resourceVersion` (fieldSelector metadata.name, the only watch RBAC allows). onState for
   * every new state; onEnd once, with 'gone' when the resourceVersion is too old (410: read again, then watch).
   */
  watch(
    resourceVersion: string,
    onState: (f: Omit<Fetched, 'sentAt'>) => void,
    onEnd: (why: 'closed' | 'gone' | Error) => void,
  ): WatchHandle {
    const q = new URLSearchParams({
      watch: '1',
      fieldSelector: `metadata.name=${this.#o.name}`,
      resourceVersion,
      timeoutSeconds: '300',
    });
    let ended = false;
    const end = (why: 'closed' | 'gone' | Error) => {
      if (ended) return;
      ended = true;
      handle.close();
      onEnd(why);
    };
    const handle = this.#kube.watch(
      `${this.#base}?${q}`,
      (event) => {
        const e = event as { type?: string; object?: { code?: number } };
        if (e.type === 'ERROR')
          return end(e.object?.code === 410 ? 'gone' : new Error(`watch error ${e.object?.code}`));
        if (e.type !== 'ADDED' && e.type !== 'MODIFIED') return; // DELETED: the next read says NotFound; BOOKMARK
        try {
          const { sentAt: _, ...f } = this.#read(e.object, 0);
          onState(f);
        } catch (err) {
          end(err as Error);
        }
      },
      (err) => end(err ?? 'closed'),
    );
    return { close: () => handle.close() };
  }
}
