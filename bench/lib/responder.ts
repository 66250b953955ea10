// The benchmark's side of the responder process (bench/responder/): forks it, tells it which pods to answer for,
// changes a cluster's membership (leave/join, answered with the responder's emit time), reads its request counts,
// and closes it (which removes any address it added to lo). The messages: bench/responder/control.ts.
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { PodAddress } from '../responder/answers.ts';
import { type Change, type ControlMessage, parseChange } from '../responder/control.ts';
import type { ResponderStats } from '../responder/server.ts';

/** A message that is answered, before it gets its id. */
type Request = ControlMessage extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

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
    this.send({ op: 'add', pod });
  }

  remove(ip: string, port: number): void {
    this.send({ op: 'remove', ip, port });
  }

  /** The pod's member goes Removed: MemberRemoved on its cluster's streams, gone from the others' member lists. */
  async leave(ip: string, port: number): Promise<Change> {
    return parseChange('leave', await this.ask({ op: 'leave', ip, port }));
  }

  /** The pod's member comes back (MemberUp), answering again. */
  async join(pod: PodAddress): Promise<Change> {
    return parseChange('join', await this.ask({ op: 'join', pod }));
  }

  stats(): Promise<ResponderStats> {
    return this.ask({ op: 'stats' }) as Promise<ResponderStats>;
  }

  /** Closes every listener, removes the addresses it added to lo, ends the process. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    const { error } = (await this.ask({ op: 'close' })) as { error?: string };
    await exited;
    if (error) throw new Error(`responder: removing addresses from lo: ${error}`);
  }

  private send(m: ControlMessage): void {
    this.child.send(m);
  }

  private ask(m: Request): Promise<unknown> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`responder: no answer to ${m.op} within 30 s`)), 30_000);
      this.replies.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.send({ ...m, id } as ControlMessage);
    });
  }
}
