import { CodedError } from '@imsg-hub/jsonrpc';

/** Stable string codes for agent failures; listed in docs/errors.md. */
export type AgentErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_UNREADABLE'
  | 'SOURCE_EXITED'
  | 'IMSG_STARTUP_FAILED'
  | 'IMSG_UNAVAILABLE'
  | 'WATCH_FAILED'
  | 'HUB_REJECTED'
  | 'HUB_PROTOCOL'
  | 'LINK_DOWN'
  | 'BLOB_CORRUPT'
  | 'FILE_TOO_LARGE'
  | 'SEND_IN_DOUBT'
  | 'STATE_DB';

/** A failure inside the agent core, with a message that says what to do next. */
export class AgentError extends CodedError<AgentErrorCode> {
  constructor(code: AgentErrorCode, message: string, details: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(code, message, { ...options, details });
    this.name = 'AgentError';
  }
}
