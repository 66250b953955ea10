// Free TCP ports on 127.0.0.1 for processes that bind them themselves (etcd, the API server, the operator). The
// check is bind-then-close, so a port can be taken between the check and the process's bind. To make that unlikely,
// ports are drawn at random below the kernel's ephemeral range (/proc/sys/net/ipv4/ip_local_port_range): the kernel
// hands out ports from that range to every outgoing connection and every bind to port 0 on the machine, any of which
// could take a port from it in the gap; a port below it is only taken by a process that asks for it by number. Each
// port is checked by binding it, and all n sockets are held until every port is found, so the n are distinct.
// Callers that can, also retry on EADDRINUSE (test-e2e/lib/operator.ts).
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

const LOWEST = 20000;

/** The first port of the kernel's ephemeral range; 32768 (Linux's default) when it cannot be read. */
function ephemeralStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > 0 ? first : 32768;
  } catch {
    return 32768;
  }
}

/** Listens on 127.0.0.1:port (0: the kernel picks); the server, or undefined when the port is taken. */
function bind(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

const portOf = (srv: Server) => {
  const a = srv.address();
  return typeof a === 'object' && a ? a.port : 0;
};

export async function freePorts(n: number): Promise<number[]> {
  const top = ephemeralStart() - 1;
  const held: Server[] = [];
  try {
    for (let attempt = 0; held.length < n && attempt < 50 * n; attempt++) {
      const port = top > LOWEST + 1000 ? LOWEST + Math.floor(Math.random() * (top - LOWEST)) : 0;
      if (held.some((s) => portOf(s) === port)) continue;
      const srv = await bind(port);
      if (srv) held.push(srv);
    }
    if (held.length < n) throw new Error(`found only ${held.length} of ${n} free ports on 127.0.0.1`);
    return held.map(portOf);
  } finally {
    await Promise.all(held.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
