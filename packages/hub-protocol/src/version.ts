/** Version of the agent↔hub and client↔hub protocol; bumped on incompatible change. */
export const PROTOCOL_VERSION = 1;

/** Default bound on one WebSocket frame (one JSON-RPC message). */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

/** Rows per `rows` batch an agent sends at most. */
export const MAX_BATCH_ROWS = 500;

/** Bytes of file data per upload/blob chunk (before base64). */
export const BLOB_CHUNK_BYTES = 512 * 1024;
