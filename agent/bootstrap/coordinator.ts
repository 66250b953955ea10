// The bootstrap loop (docs/agent.md, How it bootstraps): look up contact points every interval (exponential backoff on
// failures), probe each one's /bootstrap/seed-nodes with jitter, drop those silent past the failure timeout, and
// decide every probe interval (and at once when an answer carries seed nodes) with the pure decider. It ends with a
// join decision handed to the caller; everything else is its own state, thrown away on stop(). Every time here is
// monotonic (stable margin, probe failure timeout, answer age): a wall-clock step changes nothing.
import type { ContactPoint } from '../../core/discovery/contact-points.ts';
import { parseSeedNodes } from '../../core/protocol/pekko.ts';
import type { AgentConfig } from '../config.ts';
import type { Clock, HttpClient, Logger, Random, Timer } from '../ports.ts';
import { nextLookupDelay } from './backoff.ts';
import { cpKey, type Decision, decide, type Observation } from './decider.ts';
import type { ContactPointSource } from './discovery.ts';

export type JoinDecision = Exclude<Decision, { kind: 'KeepProbing' }>;

export interface CoordinatorDeps {
  clock: Clock;
  random: Random;
  http: HttpClient;
  source: ContactPointSource;
  logger: Logger;
  settings: AgentConfig['bootstrap'];
  /** The management hostname and port. */
  self: { host: string; port: number };
}

interface Probe {
  contactPoint: ContactPoint;
  startedAt: number;
  lastOkAt: number | undefined;
  timer: Timer | undefined;
}

export class BootstrapCoordinator {
  readonly #d: CoordinatorDeps;
  #running = false;
  #onJoin: (d: JoinDecision) => void = () => {};
  #discovered: ContactPoint[] = [];
  #discoveredKey = '';
  #changedAt = 0;
  #failures = 0;
  #lastError = '';
  #lastKeepProbing = '';
  readonly #probes = new Map<string, Probe>();
  readonly #observations = new Map<string, Observation>();
  #discoverTimer: Timer | undefined;
  #decideTimer: Timer | undefined;

  constructor(deps: CoordinatorDeps) {
    this.#d = deps;
  }

  /** Starts the loop; `onJoin` is called once, after which the coordinator has stopped itself. */
  start(onJoin: (d: JoinDecision) => void): void {
    this.#running = true;
    this.#onJoin = onJoin;
    this.#changedAt = this.#d.clock.monotonic();
    this.#discoverTimer = this.#d.clock.setTimeout(() => void this.#discover(), 0);
    this.#scheduleDecide();
  }

  stop(): void {
    this.#running = false;
    this.#discoverTimer?.cancel();
    this.#decideTimer?.cancel();
    for (const p of this.#probes.values()) p.timer?.cancel();
    this.#probes.clear();
    this.#observations.clear();
  }

  get running(): boolean {
    return this.#running;
  }

  async #discover(): Promise<void> {
    const { clock, source, logger, settings, random } = this.#d;
    if (!this.#running) return;
    try {
      const found = await source.lookup();
      if (!this.#running) return;
      if (this.#failures > 0) logger.info({ after: this.#failures }, 'contact point discovery recovered');
      this.#failures = 0;
      this.#lastError = '';
      this.#setContactPoints(found.contactPoints, false);
    } catch (err) {
      if (!this.#running) return;
      this.#failures++;
      const e = err as Error & { code?: string };
      const delay = nextLookupDelay(this.#failures, settings, random());
      // Every failure is a warning (backoff keeps them rare); the text says what to fix.
      logger.warn(
        { code: e.code ?? 'Error', error: e.message, failures: this.#failures, retryInMs: delay },
        'contact point discovery failed',
      );
      this.#lastError = e.message;
      this.#setContactPoints([], true);
      this.#discoverTimer = clock.setTimeout(() => void this.#discover(), delay);
      return;
    }
    this.#discoverTimer = clock.setTimeout(() => void this.#discover(), nextLookupDelay(0, settings, 0));
  }

  /** A failed lookup clears what was seen, and the stable clock restarts. */
  #setContactPoints(points: ContactPoint[], failed: boolean): void {
    const key = failed ? '<failed>' : points.map((p) => `${cpKey(p)}@${p.podIP}`).join(',');
    if (key !== this.#discoveredKey) {
      this.#changedAt = this.#d.clock.monotonic();
      this.#discoveredKey = key;
      if (!failed) {
        this.#d.logger.info({ contactPoints: points.map(cpKey), count: points.length }, 'contact points changed');
      }
    }
    this.#discovered = points;
    const keep = new Set(points.map(cpKey));
    for (const [k, p] of this.#probes) {
      if (keep.has(k)) continue;
      p.timer?.cancel();
      this.#probes.delete(k);
      this.#observations.delete(k);
    }
    for (const cp of points) {
      const k = cpKey(cp);
      if (this.#probes.has(k)) continue;
      this.#probes.set(k, {
        contactPoint: cp,
        startedAt: this.#d.clock.monotonic(),
        lastOkAt: undefined,
        timer: undefined,
      });
      void this.#probe(k);
    }
  }

  async #probe(k: string): Promise<void> {
    const { clock, http, settings, random, logger } = this.#d;
    const probe = this.#probes.get(k);
    if (!this.#running || !probe) return;
    probe.timer = undefined;
    const cp = probe.contactPoint;
    let seedNodes: string[] | undefined;
    let failure = '';
    try {
      // The pod IP, not the DNS-style host: it is the address that name resolves to, and needs no cluster DNS.
      const reply = await http.request({
        method: 'GET',
        host: cp.podIP,
        port: cp.port,
        path: '/bootstrap/seed-nodes',
        timeoutMs: settings.probingFailureTimeoutMs,
      });
      const parsed = reply.status === 200 ? parseSeedNodes(reply.body) : undefined;
      if (parsed?.ok) seedNodes = parsed.value.seedNodes.map((s) => s.node);
      else failure = parsed ? parsed.error : `status ${reply.status}`;
    } catch (err) {
      failure = (err as Error).message;
    }
    if (!this.#running || this.#probes.get(k) !== probe) return;
    const now = clock.monotonic();
    if (seedNodes !== undefined) {
      probe.lastOkAt = now;
      this.#observations.set(k, { contactPoint: cp, observedAt: now, seedNodes });
      if (seedNodes.length > 0) this.#decide();
      if (!this.#running) return;
    } else if (now - (probe.lastOkAt ?? probe.startedAt) >= settings.probingFailureTimeoutMs) {
      logger.info({ contactPoint: k, error: failure }, 'contact point silent past the failure timeout, dropped');
      this.#probes.delete(k);
      this.#observations.delete(k);
      return;
    } else {
      logger.debug({ contactPoint: k, error: failure }, 'contact point probe failed');
    }
    const delay = Math.round(settings.probeIntervalMs * (1 + random() * settings.probeIntervalJitter));
    probe.timer = clock.setTimeout(() => void this.#probe(k), delay);
  }

  #scheduleDecide(): void {
    this.#decideTimer = this.#d.clock.setTimeout(() => {
      this.#decide();
      if (this.#running) this.#scheduleDecide();
    }, this.#d.settings.probeIntervalMs);
  }

  #decide(): void {
    if (!this.#running) return;
    const { clock, settings, logger, self } = this.#d;
    const d = decide({
      now: clock.monotonic(),
      contactPoints: this.#discovered,
      contactPointsChangedAt: this.#changedAt,
      observations: [...this.#observations.values()],
      self,
      settings,
    });
    if (d.kind === 'KeepProbing') {
      const message = this.#lastError ? `${d.message}; last discovery error: ${this.#lastError}` : d.message;
      if (d.reason !== this.#lastKeepProbing) logger.info({ reason: d.reason, detail: message }, 'keep probing');
      this.#lastKeepProbing = d.reason;
      return;
    }
    logger.info(
      d.kind === 'JoinSelf'
        ? { decision: d.kind, contactPoints: this.#discovered.map(cpKey) }
        : { decision: d.kind, seedNodes: d.seedNodes },
      'bootstrap decision',
    );
    this.stop();
    this.#onJoin(d);
  }
}
