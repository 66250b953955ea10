// The operator's port to the Kubernetes API: the few calls reconcile makes. The real implementation uses
// client-node's typed clients; unit tests use the in-memory FakeKube. Every failure is a KubeApiError with the
// HTTP status, so callers branch on 404/409 without knowing client-node's exception type.
import {
  type Configuration,
  type ConfigurationOptions,
  CoordinationV1Api,
  CustomObjectsApi,
  EventsV1Api,
  type EventsV1Event,
  HttpMethod,
  type KubernetesObject,
  KubernetesObjectApi,
  Observable,
  type ObservableMiddleware,
  PatchStrategy,
  type RequestContext,
  type ResponseContext,
  setHeaderOptions,
  type V1Lease,
} from '@kubernetes/client-node';
import { FIELD_MANAGER, GROUP, PLURAL, VERSION } from '../../core/api/types.ts';
import { httpStatus, KubeApiError } from '../errors.ts';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export function refOf(o: KubernetesObject): ObjectRef {
  return {
    apiVersion: o.apiVersion ?? '',
    kind: o.kind ?? '',
    namespace: o.metadata?.namespace ?? '',
    name: o.metadata?.name ?? '',
  };
}

export interface KubeClient {
  /** The object, or undefined when it does not exist. */
  get<T extends KubernetesObject>(ref: ObjectRef): Promise<T | undefined>;
  /**
   * Server-side apply under the operator's field manager, with fieldValidation=Strict: a field the API does not know
   * (a typo in spec.template) is refused with a 422 that names it. force takes fields over from other managers.
   */
  apply<T extends KubernetesObject>(obj: T, force: boolean): Promise<T>;
  /** Deletes the object; false when it was already gone. */
  delete(ref: ObjectRef): Promise<boolean>;
  /**
   * A JSON merge patch of a ClusterBootstrap's status fields, sent to its /status subresource; resolves with the
   * resource's resourceVersion after it.
   */
  patchClusterBootstrapStatus(
    namespace: string,
    name: string,
    patch: Record<string, unknown>,
  ): Promise<string | undefined>;
  createEvent(event: EventsV1Event): Promise<void>;
}

/**
 * The Lease calls of leader election. Each takes an AbortSignal: when it fires, the call must give up (the request is
 * cancelled and the promise rejects), so that a stalled connection can never hold the elector past its deadline.
 */
export interface LeaseApi {
  read(namespace: string, name: string, signal: AbortSignal): Promise<V1Lease | undefined>;
  create(lease: V1Lease, signal: AbortSignal): Promise<V1Lease>;
  replace(lease: V1Lease, signal: AbortSignal): Promise<V1Lease>;
}

/**
 * Wraps any client-node failure in a KubeApiError with the HTTP status and the API server's message. The cause kept
 * is the Status reason, not client-node's exception (whose message repeats the whole response with its headers).
 */
export function asKubeError(what: string, err: unknown): KubeApiError {
  if (err instanceof KubeApiError) return err;
  const status = httpStatus(err);
  let detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
  let reason: string | undefined;
  let body = (err as { body?: unknown })?.body;
  if (typeof body === 'string') {
    const text = body;
    try {
      body = JSON.parse(text);
    } catch {
      detail = text.slice(0, 300) || detail;
    }
  }
  if (body && typeof body === 'object') {
    const b = body as { message?: unknown; reason?: unknown };
    if (typeof b.message === 'string') detail = b.message;
    if (typeof b.reason === 'string') reason = b.reason;
  }
  const cause = status === undefined && err instanceof Error ? err : { status, reason };
  return new KubeApiError(`${what}: ${status ?? 'no status'} ${detail}`, status, { cause });
}

async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asKubeError(what, err);
  }
}

function describe(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}

/**
 * client-node's generic object API with an apply that sends the object as it is. Its own patch() passes the body
 * through the typed model of the kind (V1Deployment), which drops every field the model does not know, so a typo in
 * a pod template would vanish before the API server could refuse it; and it cannot set fieldValidation.
 */
class ObjectApi extends KubernetesObjectApi {
  async applyAsIs<T extends KubernetesObject>(obj: T, force: boolean): Promise<T> {
    const path = await this.specUriPath(obj, 'patch');
    const ctx = this.configuration.baseServer.makeRequestContext(path, HttpMethod.PATCH);
    ctx.setHeaderParam('Accept', 'application/json');
    ctx.setHeaderParam('Content-Type', PatchStrategy.ServerSideApply);
    ctx.setQueryParam('fieldManager', FIELD_MANAGER);
    ctx.setQueryParam('fieldValidation', 'Strict');
    if (force) ctx.setQueryParam('force', 'true');
    ctx.setBody(JSON.stringify(obj));
    return this.requestPromise<T>(ctx);
  }
}

export class RealKubeClient implements KubeClient {
  private readonly objects: ObjectApi;
  private readonly custom: CustomObjectsApi;
  private readonly events: EventsV1Api;

  /** config: see sharedConnections() (keep-alive connections). */
  constructor(config: Configuration) {
    this.objects = new ObjectApi(config);
    this.custom = new CustomObjectsApi(config);
    this.events = new EventsV1Api(config);
  }

  async get<T extends KubernetesObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return (await this.objects.read({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, namespace: ref.namespace },
      })) as T;
    } catch (err) {
      if (httpStatus(err) === 404) return undefined;
      throw asKubeError(`get ${describe(ref)}`, err);
    }
  }

  apply<T extends KubernetesObject>(obj: T, force: boolean): Promise<T> {
    return call(`apply ${describe(refOf(obj))}`, () => this.objects.applyAsIs(obj, force));
  }

  async delete(ref: ObjectRef): Promise<boolean> {
    try {
      await this.objects.delete({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, namespace: ref.namespace },
      });
      return true;
    } catch (err) {
      if (httpStatus(err) === 404) return false;
      throw asKubeError(`delete ${describe(ref)}`, err);
    }
  }

  async patchClusterBootstrapStatus(
    namespace: string,
    name: string,
    patch: Record<string, unknown>,
  ): Promise<string | undefined> {
    const patched: { metadata?: { resourceVersion?: string } } = await call(
      `patch status of ClusterBootstrap ${namespace}/${name}`,
      () =>
        this.custom.patchNamespacedCustomObjectStatus(
          {
            group: GROUP,
            version: VERSION,
            plural: PLURAL,
            namespace,
            name,
            body: { status: patch },
            fieldManager: FIELD_MANAGER,
          },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        ),
    );
    return patched.metadata?.resourceVersion;
  }

  async createEvent(event: EventsV1Event): Promise<void> {
    const namespace = event.metadata?.namespace ?? 'default';
    await call(`create Event in ${namespace}`, () => this.events.createNamespacedEvent({ namespace, body: event }));
  }
}

/**
 * Per-call options that hand the request's AbortSignal to client-node's fetch (RequestContext.setSignal). Appended
 * to the configuration's own middleware (kube/configuration.ts), which keeps running.
 */
export function withSignal(signal: AbortSignal): ConfigurationOptions<ObservableMiddleware> {
  return {
    middleware: [
      {
        pre(ctx: RequestContext) {
          ctx.setSignal(signal);
          return new Observable(Promise.resolve(ctx));
        },
        post(res: ResponseContext) {
          return new Observable(Promise.resolve(res));
        },
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

export class RealLeaseApi implements LeaseApi {
  private readonly api: CoordinationV1Api;

  constructor(config: Configuration) {
    this.api = new CoordinationV1Api(config);
  }

  async read(namespace: string, name: string, signal: AbortSignal): Promise<V1Lease | undefined> {
    try {
      return await this.api.readNamespacedLease({ namespace, name }, withSignal(signal));
    } catch (err) {
      if (httpStatus(err) === 404) return undefined;
      throw asKubeError(`get Lease ${namespace}/${name}`, err);
    }
  }

  create(lease: V1Lease, signal: AbortSignal): Promise<V1Lease> {
    const namespace = lease.metadata?.namespace ?? 'default';
    return call(`create Lease ${namespace}/${lease.metadata?.name}`, () =>
      this.api.createNamespacedLease({ namespace, body: lease }, withSignal(signal)),
    );
  }

  replace(lease: V1Lease, signal: AbortSignal): Promise<V1Lease> {
    const namespace = lease.metadata?.namespace ?? 'default';
    const name = lease.metadata?.name ?? '';
    return call(`update Lease ${namespace}/${name}`, () =>
      this.api.replaceNamespacedLease({ namespace, name, body: lease }, withSignal(signal)),
    );
  }
}
