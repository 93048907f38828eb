/** Receives what a transport delivers. */
export interface TransportHandlers {
  /** One complete message (a line, or a WebSocket frame), as text. */
  message(text: string): void;
  /** The transport ended; `error` says why when it was not a clean end. Called once. */
  close(error?: Error): void;
  /** A message exceeded the size bound and was dropped; the transport keeps working. */
  oversize?(bytes: number): void;
  /**
   * Output is backed up above the transport's high-water mark (true) or has drained (false): a
   * peer should not start producing more answers meanwhile.
   */
  outputPressure?(high: boolean): void;
}

/**
 * A message-oriented duplex: lines over stdio or SSH, frames over WebSocket.
 * The Peer and the imsg server see only this, never the pipe or socket behind it.
 */
export interface MessageTransport {
  /** Registers the receiver. Must be called once, before any message can be lost. */
  attach(handlers: TransportHandlers): void;
  /** Sends one message; rejects if the write fails (EPIPE, socket closed). */
  send(text: string): Promise<void>;
  /** Ends the outbound side and releases the underlying stream or socket. */
  close(): Promise<void>;
  /**
   * Stops reading input until every hold is released (holds are named, so separate reasons, such as
   * a busy peer and a full output buffer, do not release each other). A few messages already read
   * may still arrive. Optional: transports without it are never held.
   */
  holdReading?(reason: string): void;
  releaseReading?(reason: string): void;
}
