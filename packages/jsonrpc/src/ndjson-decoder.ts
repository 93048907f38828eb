import { Buffer } from 'node:buffer';

/** Default bound on one line: imsg messages with long texts stay far below this. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

const LF = 0x0a;

export interface NdjsonDecoderOptions {
  /** Called with each complete, non-blank line (trailing CR removed). */
  onLine: (line: string) => void;
  /** Called once per line that exceeded `maxLineBytes`; the line is dropped. */
  onOversize?: (bytes: number) => void;
  maxLineBytes?: number;
}

/**
 * Splits a byte stream into lines on LF only.
 *
 * Works on bytes, not strings: 0x0A never occurs inside a multi-byte UTF-8 sequence, so a
 * character split across chunks is reassembled for free, and U+2028/U+2029 (which readline
 * treats as line breaks) stay inside their line.
 */
export class NdjsonDecoder {
  readonly #onLine: (line: string) => void;
  readonly #onOversize: ((bytes: number) => void) | undefined;
  readonly #maxLineBytes: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Bytes of an over-long line seen so far; > 0 while skipping to its end. */
  #discarding = 0;

  constructor(options: NdjsonDecoderOptions) {
    this.#onLine = options.onLine;
    this.#onOversize = options.onOversize;
    this.#maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  /** Feeds one chunk of the stream. */
  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(LF, start);
      if (nl === -1) {
        this.#append(chunk.subarray(start));
        return;
      }
      if (this.#discarding > 0) {
        this.#finishOversize(nl - start);
      } else if (this.#pendingBytes + (nl - start) > this.#maxLineBytes) {
        this.#discarding = this.#pendingBytes;
        this.#pending = [];
        this.#pendingBytes = 0;
        this.#finishOversize(nl - start);
      } else {
        const part = chunk.subarray(start, nl);
        let line: Buffer;
        if (this.#pendingBytes === 0) {
          line = part;
        } else {
          this.#pending.push(part);
          line = Buffer.concat(this.#pending, this.#pendingBytes + part.length);
          this.#pending = [];
          this.#pendingBytes = 0;
        }
        this.#emit(line);
      }
      start = nl + 1;
    }
  }

  /** Flushes a final line that had no terminating LF (imsg's readLine returns it too). */
  end(): void {
    if (this.#discarding > 0) {
      this.#finishOversize(0);
      return;
    }
    if (this.#pendingBytes > 0) {
      const line = Buffer.concat(this.#pending, this.#pendingBytes);
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#emit(line);
    }
  }

  /** Bytes buffered for an incomplete line (for tests and back-pressure decisions). */
  get bufferedBytes(): number {
    return this.#pendingBytes;
  }

  #append(part: Buffer): void {
    if (this.#discarding > 0) {
      this.#discarding += part.length;
      return;
    }
    if (this.#pendingBytes + part.length > this.#maxLineBytes) {
      // Drop what we have now rather than buffering an unbounded line.
      this.#discarding = this.#pendingBytes + part.length;
      this.#pending = [];
      this.#pendingBytes = 0;
      return;
    }
    // Copy: the caller may reuse its buffer.
    this.#pending.push(Buffer.from(part));
    this.#pendingBytes += part.length;
  }

  #finishOversize(tail: number): void {
    const bytes = this.#discarding + tail;
    this.#discarding = 0;
    this.#onOversize?.(bytes);
  }

  #emit(bytes: Buffer): void {
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 0x0d) end -= 1;
    const line = bytes.toString('utf8', 0, end);
    if (line.trim() === '') return;
    this.#onLine(line);
  }
}
