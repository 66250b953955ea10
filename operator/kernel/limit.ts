// At most `max` async tasks at once; the others wait in arrival order. Used for the status probes and the
// LocalSubjectAccessReviews (operator/status), whose callers fire many at once and must not open a connection each.
// A few lines, so not a dependency: p-limit would do the same.
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly max: number;

  constructor(max: number) {
    this.max = Math.max(1, max);
  }

  /** Resolves once a slot is free; call release() exactly once afterwards. */
  acquire(): Promise<void> {
    if (this.running < this.max) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Frees a slot: the longest waiting caller takes it over. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
