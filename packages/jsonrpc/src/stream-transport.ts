import type { Readable, Writable } from 'node:stream';
import { NdjsonDecoder } from './ndjson-decoder.js';
import { PeerError } from './errors.js';
import type { MessageTransport, TransportHandlers } from './transport.js';

export interface LineStreamTransportOptions {
  maxLineBytes?: number;
  /** End `output` when the transport closes (default true). */
  endOutputOnClose?: boolean;
}

/**
 * Newline-delimited messages over a pair of byte streams: a child's stdio, an SSH exec channel,
 * or our own stdin/stdout. Messages passed to `send` must not contain a raw LF.
 */
export class LineStreamTransport implements MessageTransport {
  readonly #input: Readable;
  readonly #output: Writable;
  readonly #options: LineStreamTransportOptions;
  #handlers: TransportHandlers | undefined;
  /** The input ended (or failed): reported once through `handlers.close`. */
  #inputDone = false;
  /** `close()` was called: nothing more is written. Input EOF alone does not stop output. */
  #outputClosed = false;
  #outputError: Error | undefined;
  readonly #holds = new Set<string>();

  constructor(input: Readable, output: Writable, options: LineStreamTransportOptions = {}) {
    this.#input = input;
    this.#output = output;
    this.#options = options;
  }

  attach(handlers: TransportHandlers): void {
    if (this.#handlers) throw new TypeError('LineStreamTransport.attach called twice');
    this.#handlers = handlers;
    const decoderOptions = {
      onLine: (line: string) => handlers.message(line),
      ...(handlers.oversize ? { onOversize: handlers.oversize } : {}),
      ...(this.#options.maxLineBytes !== undefined ? { maxLineBytes: this.#options.maxLineBytes } : {}),
    };
    const decoder = new NdjsonDecoder(decoderOptions);
    this.#input.on('data', (chunk: Buffer | string) => decoder.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    this.#input.once('end', () => {
      decoder.end();
      this.#finish();
    });
    this.#input.once('close', () => this.#finish());
    this.#input.once('error', (err: Error) => this.#finish(err));
    // A write error (EPIPE) must never become an uncaught exception; the pending send rejects.
    this.#output.on('error', (err: Error) => {
      this.#outputError = err;
    });
  }

  /**
   * Writes one message. Still works after the input reached EOF: a server answers every request it
   * read before exiting (imsg does, reference/imsg-protocol.md §1.2).
   */
  send(text: string): Promise<void> {
    if (this.#outputClosed) return Promise.reject(new PeerError('PEER_CLOSED', 'stream is closed'));
    if (this.#outputError || this.#output.destroyed || this.#output.writableEnded) {
      return Promise.reject(
        new PeerError('WRITE_FAILED', `write failed: ${this.#outputError?.message ?? 'stream ended'}`, {
          cause: this.#outputError,
        }),
      );
    }
    return new Promise((resolve, reject) => {
      this.#output.write(text.endsWith('\n') ? text : text + '\n', (err) => {
        if (err) reject(new PeerError('WRITE_FAILED', `write failed: ${err.message}`, { cause: err }));
        else resolve();
      });
    });
  }

  holdReading(reason: string): void {
    this.#holds.add(reason);
    this.#input.pause();
  }

  releaseReading(reason: string): void {
    this.#holds.delete(reason);
    if (this.#holds.size === 0 && !this.#inputDone) this.#input.resume();
  }

  async close(): Promise<void> {
    this.#outputClosed = true;
    if (this.#options.endOutputOnClose !== false && !this.#output.writableEnded) {
      await new Promise<void>((resolve) => {
        this.#output.end(() => resolve());
        this.#output.once('error', () => resolve());
      });
    }
    this.#finish();
  }

  #finish(error?: Error): void {
    if (this.#inputDone) return;
    this.#inputDone = true;
    this.#handlers?.close(error);
  }
}
