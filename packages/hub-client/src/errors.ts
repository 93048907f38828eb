import { CodedError } from '@imsg-hub/jsonrpc';

/** Stable codes of hub-client's own failures; listed in docs/errors.md. */
export type HubClientErrorCode = 'HUB_PROTOCOL';

/** The hub answered hello with something this side cannot use (another protocol, a bad shape). */
export class HubClientError extends CodedError<HubClientErrorCode> {
  constructor(code: HubClientErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'HubClientError';
  }
}
