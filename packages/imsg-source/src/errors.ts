import { CodedError } from '@imsg-hub/jsonrpc';

/** Stable string codes for source failures; listed in docs/errors.md. */
export type SourceErrorCode =
  | 'SOURCE_NOT_FOUND'
  | 'SOURCE_NOT_EXECUTABLE'
  | 'SOURCE_SPAWN_FAILED'
  | 'SOURCE_EXITED'
  | 'CHANNEL_LOST'
  | 'HOST_KEY_INVALID'
  | 'HOST_KEY_MISMATCH'
  | 'SSH_KEY_UNREADABLE'
  | 'SSH_AUTH_FAILED'
  | 'SSH_CONNECT_FAILED'
  | 'FILE_ACCESS_FAILED';

/** A failure of an imsg source: starting it, its connection, or file access on the Mac side. */
export class SourceError extends CodedError<SourceErrorCode> {
  constructor(code: SourceErrorCode, message: string, details: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(code, message, { ...options, details });
    this.name = 'SourceError';
  }
}
