// Pod IPs: one loopback address per pod, <prefix>.A.B (prefix 127.N, A 0..255, B 1..254). Every 127.0.0.0/8
// address reaches the loopback interface on Linux without configuration, and none is routed off the machine.
// Addresses are handed out round-robin so that a deleted pod's address is not reused at once (peers may still
// remember it).
export class IpAllocator {
  readonly #prefix: string;
  readonly #inUse = new Set<string>();
  #next = 0;
  static readonly SIZE = 256 * 254;

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  #addr(n: number): string {
    return `${this.#prefix}.${Math.floor(n / 254)}.${(n % 254) + 1}`;
  }

  /** True when `ip` is an address of this allocator's range. */
  owns(ip: string | undefined): boolean {
    if (!ip?.startsWith(`${this.#prefix}.`)) return false;
    const parts = ip.slice(this.#prefix.length + 1).split('.');
    return parts.length === 2 && parts.every((p) => /^\d+$/.test(p) && Number(p) < 256) && Number(parts[1]) > 0;
  }

  /** Marks an address taken (a pod that already has one, e.g. after a kubelet restart); false if it is not free. */
  claim(ip: string): boolean {
    if (!this.owns(ip) || this.#inUse.has(ip)) return false;
    this.#inUse.add(ip);
    const [a, b] = ip
      .slice(this.#prefix.length + 1)
      .split('.')
      .map(Number) as [number, number];
    const n = a * 254 + b - 1;
    if (n >= this.#next) this.#next = (n + 1) % IpAllocator.SIZE;
    return true;
  }

  allocate(): string {
    for (let i = 0; i < IpAllocator.SIZE; i++) {
      const ip = this.#addr(this.#next);
      this.#next = (this.#next + 1) % IpAllocator.SIZE;
      if (!this.#inUse.has(ip)) {
        this.#inUse.add(ip);
        return ip;
      }
    }
    throw new Error(`no free pod IP left in ${this.#prefix}.0.0/16`);
  }

  release(ip: string): void {
    this.#inUse.delete(ip);
  }
}
