// The one error base of the operator and the agent: an Error with a stable `code` that callers, tests and logs
// branch on, and the `cause` it wraps. Each part names its own subclasses (operator/errors.ts, agent/errors.ts).

export class CodedError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
