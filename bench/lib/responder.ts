// The benchmark's side of the responder process (bench/responder/): forks it, tells it which pods to answer for,
// reads its request counts, and closes it (which removes any address it added to lo).
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { PodAddress } from '../responder/answers.ts';
import type { ResponderStats } from '../responder/server.ts';

export class ResponderProcess {
  private next = 0;
  private readonly replies = new Map<number, (r: unknown) => void>();

  private readonly child: ChildProcess;

  private constructor(child: ChildProcess) {
    this.child = child;
    child.on('message', (m: { id?: number; result?: unknown }) => {
      if (m.id === undefined) return;
      this.replies.get(m.id)?.(m.result);
      this.replies.delete(m.id);
    });
  }

  static async start(): Promise<ResponderProcess> {
    const child = fork(join(import.meta.dirname, '..', 'responder', 'main.ts'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`responder exited with ${code} before it was ready`)));
    });
    return new ResponderProcess(child);
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  add(pod: PodAddress): void {
    this.child.send({ op: 'add', pod });
  }

  remove(ip: string, port: number): void {
    this.child.send({ op: 'remove', ip, port });
  }

  stats(): Promise<ResponderStats> {
    return this.ask('stats') as Promise<ResponderStats>;
  }

  /** Closes every listener, removes the addresses it added to lo, ends the process. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    const { error } = (await this.ask('close')) as { error?: string };
    await exited;
    if (error) throw new Error(`responder: removing addresses from lo: ${error}`);
  }

  private ask(op: string): Promise<unknown> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`responder: no answer to ${op} within 30 s`)), 30_000);
      this.replies.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.child.send({ op, id });
    });
  }
}
