// Errors the operator raises, each with a stable `code` a caller can branch on and the `cause` it wraps.
import { CodedError } from '../core/errors.ts';

/** Any error of the operator's own. */
export class OperatorError extends CodedError {}

/** Configuration that cannot be parsed: the process exits at start. */
export class ConfigError extends OperatorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
  }
}

/** A Kubernetes API call failed; `status` is the HTTP status when there was one. */
export class KubeApiError extends OperatorError {
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined, options?: { cause?: unknown }) {
    super('KUBE_API', message, options);
    this.status = status;
  }
}

/**
 * A reconcile that must not be retried with backoff (retrying cannot help until something else changes, and that
 * change brings a new event). The controller logs it, counts it and forgets the key.
 */
export class TerminalError extends OperatorError {}

/** The HTTP status of a client-node ApiException or a KubeApiError, if any. */
export function httpStatus(err: unknown): number | undefined {
  if (err instanceof KubeApiError) return err.status;
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; statusCode?: unknown };
    if (typeof e.code === 'number') return e.code;
    if (typeof e.statusCode === 'number') return e.statusCode;
  }
  return undefined;
}
