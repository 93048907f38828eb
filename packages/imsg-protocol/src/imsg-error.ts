import { JsonRpcErrorCode, RpcError } from '@imsg-hub/jsonrpc';

/**
 * Errors exactly as imsg writes them: the standard message text and a string `data`
 * (reference/imsg-protocol.md §1.4, §4).
 */
export const imsgError = {
  parse: (data = PARSE_ERROR_DATA) => new RpcError(JsonRpcErrorCode.ParseError, 'Parse error', data),
  invalidRequest: (data: string) => new RpcError(JsonRpcErrorCode.InvalidRequest, 'Invalid Request', data),
  methodNotFound: (method: string) => new RpcError(JsonRpcErrorCode.MethodNotFound, 'Method not found', method),
  invalidParams: (data: string) => new RpcError(JsonRpcErrorCode.InvalidParams, 'Invalid params', data),
  internal: (data: string) => new RpcError(JsonRpcErrorCode.InternalError, 'Internal error', data),
};

/** Foundation's text for unparseable JSON on macOS, which imsg passes through as `data`. */
export const PARSE_ERROR_DATA = 'The data couldn’t be read because it isn’t in the correct format.';

/** The permission banner imsg answers with in startup-error mode (§1.5). */
export function permissionDeniedText(path: string, detail: string): string {
  return [
    '⚠️  Permission Error: Cannot access Messages database',
    '',
    `The Messages database at ${path} could not be opened (${detail}).`,
    '',
    'To fix this, grant Full Disk Access to your terminal or the process running imsg:',
    '1. Open System Settings → Privacy & Security → Full Disk Access',
    '2. Add and enable the application',
    '3. Restart it and try again',
  ].join('\n');
}
