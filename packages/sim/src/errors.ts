import { CodedError } from '@imsg-hub/jsonrpc';

/** Stable codes for failures of the simulator; listed in docs/errors.md. */
export type SimFailureCode =
  | 'DB_OPEN_FAILED'
  | 'SCHEMA_MISSING'
  | 'WORLD_CONFIG'
  | 'UNKNOWN_ACCOUNT'
  | 'UNKNOWN_CHAT'
  | 'BAD_INJECT'
  | 'ATTACHMENT_NOT_FOUND'
  | 'BAD_OPTION';

/** A simulator failure: misuse of the API, a bad config file, or a chat.db it cannot use. */
export class SimError extends CodedError<SimFailureCode> {
  constructor(code: SimFailureCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'SimError';
  }
}
