// Errors the agent raises. Each has a stable `code` that callers and tests branch on, and the cause when there is one.
import { CodedError } from '../core/errors.ts';

/** Any error of the agent's own (code Bind: an address cannot be bound). */
export class AgentError extends CodedError {}

/** A configuration value is missing or malformed. `variable` names the env var (or option) at fault. */
export class ConfigError extends AgentError {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super('BadConfig', `${variable}: ${message}`);
    this.variable = variable;
  }
}

/**
 * A pod lookup failed. Codes: Forbidden (403: RBAC), Unauthorized (401), HttpStatus (other non-200), NotPodList,
 * MissingEnv (API server env vars unset), Credentials (token or CA file unreadable), Timeout, Unreachable.
 */
export class DiscoveryError extends AgentError {}

/** An HTTP exchange failed below HTTP: Timeout, Refused, Network, TooLarge. */
export class TransportError extends AgentError {
  constructor(code: 'Timeout' | 'Refused' | 'Network' | 'TooLarge', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
