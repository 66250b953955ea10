// Writes pod status with one request in flight per pod: a change during a write marks the pod dirty and is written
// right after (the newest view wins; intermediate ones are skipped). Unchanged status is not written. The patch
// carries metadata.uid, so it never lands on a newer pod of the same name.
import type { Logger } from './log.ts';
import { ApiError, type Rest } from './rest.ts';

export interface StatusSource {
  namespace: string;
  name: string;
  uid: string;
  /** the status to write now, or undefined when the pod is gone and nothing should be written */
  status(): Record<string, unknown> | undefined;
}

interface Slot {
  inFlight: boolean;
  dirty: boolean;
  last: string;
}

export class StatusWriter {
  readonly #api: Rest;
  readonly #log: Logger;
  readonly #slots = new Map<string, Slot>();

  constructor(api: Rest, log: Logger) {
    this.#api = api;
    this.#log = log;
  }

  /** Asks for `src`'s status to be written soon. */
  request(src: StatusSource): void {
    let slot = this.#slots.get(src.uid);
    if (!slot) {
      slot = { inFlight: false, dirty: false, last: '' };
      this.#slots.set(src.uid, slot);
    }
    if (slot.inFlight) {
      slot.dirty = true;
      return;
    }
    void this.#write(src, slot);
  }

  forget(uid: string): void {
    this.#slots.delete(uid);
  }

  async #write(src: StatusSource, slot: Slot): Promise<void> {
    slot.inFlight = true;
    try {
      for (;;) {
        slot.dirty = false;
        const status = src.status();
        if (!status) return;
        const body = JSON.stringify({ metadata: { uid: src.uid }, status });
        if (body === slot.last) {
          if (!slot.dirty) return;
          continue;
        }
        try {
          await this.#api.request('PATCH', `/api/v1/namespaces/${src.namespace}/pods/${src.name}/status`, {
            body: JSON.parse(body),
            contentType: 'application/strategic-merge-patch+json',
          });
          slot.last = body;
        } catch (err) {
          if (err instanceof ApiError && (err.status === 404 || err.status === 409)) return; // gone or replaced
          this.#log.warn({ pod: `${src.namespace}/${src.name}`, err: (err as Error).message }, 'status write failed');
          await new Promise((r) => setTimeout(r, 1000));
          slot.dirty = true;
        }
        if (!slot.dirty) return;
      }
    } finally {
      slot.inFlight = false;
    }
  }
}
