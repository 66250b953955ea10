// One probe attempt (httpGet, tcpSocket, exec), as a real kubelet runs it: the target is the pod IP unless the
// probe names a host; a named port is looked up in the container's ports and an unknown name fails the probe.
// gRPC probes are not supported and always fail, saying so.
import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { connect } from 'node:net';
import type { V1Container, V1Probe } from '@kubernetes/client-node';

export interface ProbeResult {
  ok: boolean;
  message?: string;
}

/** A port number, or the reason it cannot be resolved. */
export function resolvePort(port: number | string | undefined, c: V1Container): number | { error: string } {
  if (typeof port === 'number') return port;
  if (port === undefined || port === '') return { error: 'probe has no port' };
  if (/^\d+$/.test(port)) return Number(port);
  const found = c.ports?.find((p) => p.name === port);
  return found ? found.containerPort : { error: `unable to resolve port name "${port}" in container ${c.name}` };
}

export interface ProbeIO {
  httpGet(url: string, headers: Record<string, string>, timeoutMs: number): Promise<number>;
  tcpConnect(host: string, port: number, timeoutMs: number): Promise<void>;
  exec(argv: string[], env: Record<string, string>, timeoutMs: number): Promise<number>;
}

export async function probeOnce(
  probe: V1Probe,
  c: V1Container,
  podIP: string,
  env: Record<string, string>,
  io: ProbeIO,
): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  try {
    if (probe.httpGet) {
      const port = resolvePort(probe.httpGet.port as number | string, c);
      if (typeof port !== 'number') return { ok: false, message: port.error };
      const scheme = (probe.httpGet.scheme ?? 'HTTP').toLowerCase();
      const path = probe.httpGet.path ?? '/';
      const url = `${scheme}://${probe.httpGet.host || podIP}:${port}${path.startsWith('/') ? path : `/${path}`}`;
      const headers = Object.fromEntries((probe.httpGet.httpHeaders ?? []).map((h) => [h.name, h.value]));
      const status = await io.httpGet(url, headers, timeoutMs);
      return status >= 200 && status < 400
        ? { ok: true }
        : { ok: false, message: `HTTP probe failed with statuscode: ${status}` };
    }
    if (probe.tcpSocket) {
      const port = resolvePort(probe.tcpSocket.port as number | string, c);
      if (typeof port !== 'number') return { ok: false, message: port.error };
      await io.tcpConnect(probe.tcpSocket.host || podIP, port, timeoutMs);
      return { ok: true };
    }
    if (probe.exec) {
      const code = await io.exec(probe.exec.command ?? [], env, timeoutMs);
      return code === 0 ? { ok: true } : { ok: false, message: `command exited with ${code}` };
    }
    if (probe.grpc) return { ok: false, message: 'gRPC probes are not supported by the local kubelet stand-in' };
    return { ok: false, message: 'probe has no handler' };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

/** The real network and processes. */
export const realProbeIO: ProbeIO = {
  httpGet(url, headers, timeoutMs) {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.get(
        u,
        {
          headers: { 'user-agent': 'kube-probe/1.35', ...headers },
          timeout: timeoutMs,
          agent: false,
          rejectUnauthorized: false,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`Get "${url}": context deadline exceeded`)));
      req.on('error', reject);
    });
  },
  tcpConnect(host, port, timeoutMs) {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port, timeout: timeoutMs });
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('timeout', () => s.destroy(new Error(`dial tcp ${host}:${port}: i/o timeout`)));
      s.once('error', reject);
    });
  },
  exec(argv, env, timeoutMs) {
    return new Promise((resolve, reject) => {
      const [cmd, ...args] = argv;
      if (!cmd) return reject(new Error('exec probe has no command'));
      const child = spawn(cmd, args, { env, stdio: 'ignore', timeout: timeoutMs, killSignal: 'SIGKILL' });
      child.once('error', reject);
      child.once('close', (code) => resolve(code ?? 1));
    });
  },
};
