/** What a coded error may carry besides its code and message. */
export interface CodedErrorOptions extends ErrorOptions {
  /** Structured facts for logs and callers (never message text or secrets). */
  details?: Record<string, unknown>;
}

/**
 * The one base of every error with a stable string code (`PEER_CLOSED`, `CONFIG_INVALID`,
 * `HOST_KEY_MISMATCH`, …). Callers match on `code`, never on message text; each package narrows
 * `Code` to its own list, which docs/errors.md names. `cause` is kept.
 */
export class CodedError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly details: Record<string, unknown>;

  constructor(code: Code, message: string, options: CodedErrorOptions = {}) {
    const { details, ...errorOptions } = options;
    super(message, errorOptions);
    this.name = 'CodedError';
    this.code = code;
    this.details = details ?? {};
  }
}
