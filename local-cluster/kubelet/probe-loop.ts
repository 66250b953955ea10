// Runs one probe of one container on its schedule (initialDelaySeconds, then every periodSeconds) and turns
// attempts into a result with the probe's thresholds: `successThreshold` passes in a row to succeed,
// `failureThreshold` failures in a row to fail. Readiness and startup start as failed, liveness as passed.
// onChange is called when the result flips; onFailure after every failed attempt (a kubelet reports each one).
import type { V1Probe } from '@kubernetes/client-node';
import type { ProbeResult } from './probes.ts';

export type ProbeKind = 'readiness' | 'liveness' | 'startup';

export class ProbeLoop {
  readonly kind: ProbeKind;
  readonly #probe: V1Probe;
  readonly #attempt: () => Promise<ProbeResult>;
  readonly #onChange: (ok: boolean, message: string | undefined) => void;
  readonly #onFailure: (message: string | undefined) => void;
  #ok: boolean;
  #streak = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  lastMessage: string | undefined;

  constructor(
    kind: ProbeKind,
    probe: V1Probe,
    attempt: () => Promise<ProbeResult>,
    onChange: (ok: boolean, message: string | undefined) => void,
    onFailure: (message: string | undefined) => void = () => {},
  ) {
    this.kind = kind;
    this.#probe = probe;
    this.#attempt = attempt;
    this.#onChange = onChange;
    this.#onFailure = onFailure;
    this.#ok = kind === 'liveness';
  }

  get ok(): boolean {
    return this.#ok;
  }

  start(): void {
    this.#schedule((this.#probe.initialDelaySeconds ?? 0) * 1000);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#tick(), ms);
  }

  async #tick(): Promise<void> {
    const r = await this.#attempt();
    if (this.#stopped) return;
    this.lastMessage = r.message;
    if (!r.ok) this.#onFailure(r.message);
    // a streak counts attempts that disagree with the current result; it flips at the threshold
    if (r.ok === this.#ok) this.#streak = 0;
    else this.#streak++;
    const threshold = r.ok ? (this.#probe.successThreshold ?? 1) : (this.#probe.failureThreshold ?? 3);
    if (r.ok !== this.#ok && this.#streak >= threshold) {
      this.#ok = r.ok;
      this.#streak = 0;
      this.#onChange(r.ok, r.message);
    }
    // a passed startup probe has done its job
    if (this.kind === 'startup' && this.#ok) return;
    this.#schedule((this.#probe.periodSeconds ?? 10) * 1000);
  }
}
