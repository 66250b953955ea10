// A TLS-terminating proxy in front of the local cluster's API server, for tests that need one client's API calls
// watched or made to misbehave. It forwards every request (watches included, streamed) with the cluster admin's
// client certificate, records each request it receives, and, while told to, stalls the requests whose path matches a
// pattern: held open, never forwarded, never answered (a stalled connection as the client sees it), until the client
// gives up or the proxy closes. It presents the API server's own serving certificate (its names include 127.0.0.1),
// so a client verifies it against the cluster's CA as usual.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent, createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { renderKubeconfig } from '../../local-cluster/kubeconfig.ts';
import { pkiPaths } from '../../local-cluster/pki.ts';
import { clusterLayout, kubeConfig } from './cluster.ts';
import { e2eEnv } from './env.ts';

export interface ProxiedRequest {
  method: string;
  path: string;
  /** when the proxy received it (ms since the epoch) */
  at: number;
  /** held instead of forwarded */
  stalled: boolean;
  /** a stalled request: when the client gave up on it (closed the connection) */
  abandonedAt?: number;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A request that changes something (not a GET, LIST or WATCH). */
export const isWrite = (r: ProxiedRequest): boolean => WRITE_METHODS.has(r.method);

export class ApiProxy {
  readonly requests: ProxiedRequest[] = [];
  /** A kubeconfig for the cluster's admin that points at this proxy. */
  readonly kubeconfig: string;
  private stallPattern: RegExp | undefined;
  /** how many more matching requests to stall (Infinity: until resume()) */
  private stallLeft = 0;
  private readonly server: Server;
  private readonly agent: Agent;

  private constructor(server: Server, agent: Agent, kubeconfig: string) {
    this.server = server;
    this.agent = agent;
    this.kubeconfig = kubeconfig;
  }

  /** Starts a proxy on a free port of 127.0.0.1; `name` names its kubeconfig file under the cluster's logs. */
  static async start(name: string, clusterDir = e2eEnv.clusterDir): Promise<ApiProxy> {
    const l = clusterLayout(clusterDir);
    const pki = pkiPaths(l.pki);
    const upstream = new URL(kubeConfig(clusterDir).getCurrentCluster()?.server ?? '');
    const ca = readFileSync(pki.caCert);
    const agent = new Agent({
      keepAlive: true,
      ca,
      cert: readFileSync(pki.adminCert),
      key: readFileSync(pki.adminKey),
    });
    let proxy: ApiProxy | undefined;
    const server = createServer(
      { cert: readFileSync(pki.apiserverCert), key: readFileSync(pki.apiserverKey) },
      (req, res) => proxy?.handle(upstream, req, res),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const dir = join(l.logs, 'api-proxy');
    mkdirSync(dir, { recursive: true });
    const kubeconfig = join(dir, `${name}-${port}.kubeconfig`);
    writeFileSync(
      kubeconfig,
      renderKubeconfig({
        server: `https://127.0.0.1:${port}`,
        caFile: pki.caCert,
        certFile: pki.adminCert,
        keyFile: pki.adminKey,
        user: 'admin',
      }),
    );
    proxy = new ApiProxy(server, agent, kubeconfig);
    return proxy;
  }

  /**
   * From now on, requests whose path matches are held unanswered (those already forwarded are not affected): all of
   * them until resume(), or only the next `count`.
   */
  stall(pattern: RegExp, count = Number.POSITIVE_INFINITY): void {
    this.stallPattern = pattern;
    this.stallLeft = count;
  }

  /** Requests are forwarded again; requests already held stay held. */
  resume(): void {
    this.stallPattern = undefined;
    this.stallLeft = 0;
  }

  /** Stops listening and drops every connection, held or forwarded. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    this.agent.destroy();
    await closed;
  }

  private handle(upstream: URL, req: IncomingMessage, res: ServerResponse): void {
    const stalled = this.stallLeft > 0 && !!this.stallPattern?.test(req.url ?? '');
    if (stalled) this.stallLeft--;
    const entry: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', at: Date.now(), stalled };
    this.requests.push(entry);
    if (entry.stalled) {
      req.resume(); // read and drop the body; never answer
      res.on('close', () => {
        entry.abandonedAt = Date.now();
      });
      return;
    }
    const up = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
        agent: this.agent,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        res.flushHeaders(); // a watch's headers come long before its first event
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    // The client went away (a watch closed, a request aborted): end the upstream request too.
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    req.pipe(up);
  }
}
