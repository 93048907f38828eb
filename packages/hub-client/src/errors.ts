import { CodedError } from '@imsg-hub/jsonrpc';

/** Stable codes of hub-client's own failures; listed in docs/errors.md. */
export type HubClientErrorCode = 'HUB_PROTOCOL' | 'CONFIG';

/**
 * The hub answered hello with something this side cannot use (HUB_PROTOCOL: another protocol, a
 * bad shape), or the hub's address and token cannot be worked out (CONFIG).
 */
export class HubClientError extends CodedError<HubClientErrorCode> {
  constructor(code: HubClientErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'HubClientError';
  }
}
