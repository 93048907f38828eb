export { NdjsonDecoder, DEFAULT_MAX_LINE_BYTES, type NdjsonDecoderOptions } from './ndjson-decoder.js';
export { encodeJsonLine, escapeLineSeparators } from './ndjson-encoder.js';
export { JsonRpcErrorCode, standardErrorMessage } from './error-codes.js';
export { CodedError, type CodedErrorOptions } from './coded-error.js';
export { RpcError, PeerError, type JsonRpcFailureCode } from './errors.js';
export {
  classify,
  describeZod,
  JsonRpcIdSchema,
  ErrorObjectSchema,
  RequestSchema,
  NotificationSchema,
  type Incoming,
  type JsonRpcId,
  type ErrorObject,
  type JsonRpcRequest,
  type JsonRpcNotification,
} from './envelope.js';
export type { MessageTransport, TransportHandlers } from './transport.js';
export { LineStreamTransport, type LineStreamTransportOptions } from './stream-transport.js';
export {
  WebSocketTransport,
  SLOW_CONSUMER_CLOSE_CODE,
  type WebSocketLike,
  type WebSocketTransportOptions,
} from './ws-transport.js';
export { parseJsonBounded, JsonLimitError, DEFAULT_MAX_JSON_DEPTH, type JsonBounds, type JsonLimitDetails } from './bounded-json.js';
export {
  Peer,
  errorFromWire,
  type PeerOptions,
  type RequestOptions,
  type RequestContext,
  type RequestHandler,
  type NotificationHandler,
} from './peer.js';
