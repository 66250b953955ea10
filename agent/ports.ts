// The agent's side effects, behind small interfaces. main.ts and index.ts wire the real ones (runtime/, and the
// shared clock and logger of core/runtime); the simulation wires the shared FakeClock, an in-memory network and an
// in-memory Kubernetes API server (sim/).
import type { Logger } from 'pino';
import type { Clock } from '../core/runtime/clock.ts';

export type { Logger } from 'pino';
/** The shared clock: the agent measures every duration on its monotonic side, never with now(). */
export type { Clock, Timer } from '../core/runtime/clock.ts';

export interface OutgoingRequest {
  method: 'GET' | 'POST';
  host: string;
  port: number;
  path: string;
  /** JSON text for POST. */
  body?: string;
  timeoutMs: number;
}

export interface Reply {
  status: number;
  body: string;
  contentType?: string;
}

/** HTTP client. Resolves with any status; rejects with a TransportError (Timeout, Refused, Network, TooLarge). */
export interface HttpClient {
  request(req: OutgoingRequest): Promise<Reply>;
}

export interface IncomingRequest {
  method: string;
  /** Path with query string. */
  path: string;
  body: string;
}

/** The open body of a StreamReply. write() after end() or after the connection closed does nothing. */
export interface ReplyStream {
  write(chunk: string): void;
  end(): void;
}

/**
 * A reply whose body stays open (server-sent events): the server sends the headers and `body`, then calls open()
 * once with the connection (not for HEAD); open() returns what the server calls once the connection has closed,
 * whoever closed it.
 */
export interface StreamReply extends Reply {
  open(out: ReplyStream): () => void;
}

export type Handler = (req: IncomingRequest) => Reply | StreamReply | Promise<Reply | StreamReply>;

export interface ServerHandle {
  close(): Promise<void>;
}

/** HTTP servers. listen() rejects when the address cannot be bound. */
export interface HttpServers {
  listen(host: string, port: number, handler: Handler): Promise<ServerHandle>;
}

export interface KubeRequest {
  method: 'GET' | 'PUT';
  /** Path with query string, e.g. /api/v1/namespaces/ns/pods?labelSelector=app%3Dx */
  path: string;
  /** JSON text for PUT. */
  body?: string;
  timeoutMs: number;
}

/** One watch stream. close() ends it without calling onEnd. */
export interface WatchHandle {
  close(): void;
}

/**
 * The Kubernetes API server with the pod's credentials. request() resolves with any status and rejects with a
 * DiscoveryError (MissingEnv, Credentials, Timeout, Unreachable). watch() opens `path` (which carries watch=1) and
 * calls onEvent with each parsed event ({type, object}) in order, then onEnd once when the stream ends for any reason
 * (error: why; undefined: the server closed it, e.g. at its timeoutSeconds).
 */
export interface KubeApi {
  request(req: KubeRequest): Promise<Reply>;
  watch(path: string, onEvent: (event: unknown) => void, onEnd: (error?: Error) => void): WatchHandle;
}

/** Uniform random numbers in [0, 1). */
export type Random = () => number;

export interface Ports {
  clock: Clock;
  http: HttpClient;
  servers: HttpServers;
  kube: KubeApi;
  random: Random;
  /** A fresh 64-bit node uid as a decimal string. */
  newUid: () => string;
  logger: Logger;
}
