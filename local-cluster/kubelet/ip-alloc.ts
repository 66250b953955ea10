// Pod IPs from the cluster's range (local-cluster/network/plan.ts: the pod range of the bridge, or loopback
// addresses in the fallback). Addresses are handed out round-robin so that a deleted pod's address is not reused at
// once (peers may still remember it).
import type { PodIpRange } from '../network/plan.ts';

export class IpAllocator {
  readonly #range: PodIpRange;
  readonly #inUse = new Set<string>();
  #next = 0;

  constructor(range: PodIpRange) {
    this.#range = range;
  }

  /** True when `ip` is a pod address of this allocator's range. */
  owns(ip: string | undefined): boolean {
    return ip !== undefined && this.#range.index(ip) !== undefined;
  }

  /** The address's position in the range (names the pod's veth), or undefined. */
  indexOf(ip: string): number | undefined {
    return this.#range.index(ip);
  }

  /** Marks an address taken (a pod that already has one, e.g. after a kubelet restart); false if it is not free. */
  claim(ip: string): boolean {
    const n = this.#range.index(ip);
    if (n === undefined || this.#inUse.has(ip)) return false;
    this.#inUse.add(ip);
    if (n >= this.#next) this.#next = (n + 1) % this.#range.size;
    return true;
  }

  allocate(): string {
    for (let i = 0; i < this.#range.size; i++) {
      const ip = this.#range.addr(this.#next);
      this.#next = (this.#next + 1) % this.#range.size;
      if (!this.#inUse.has(ip)) {
        this.#inUse.add(ip);
        return ip;
      }
    }
    throw new Error(`no free pod IP left in ${this.#range.describe} (${this.#range.size} addresses in use)`);
  }

  release(ip: string): void {
    this.#inUse.delete(ip);
  }
}
