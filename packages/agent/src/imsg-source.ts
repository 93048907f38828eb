import type { Readable, Writable } from 'node:stream';

// The agent core's view of where imsg runs. `@imsg-hub/imsg-source` implements it twice (a local
// child, an SSH exec channel), importing these types from here (the core owns its interfaces).

/** How one imsg process or exec channel ended; `error` says why when it never ran or was lost. */
export interface SourceExit {
  code: number | null;
  signal: string | null;
  error?: Error;
}

/** One running `imsg rpc`. */
export interface ImsgProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Settles once when the process exits or the channel closes or is lost. Never rejects. */
  readonly exited: Promise<SourceExit>;
  kill(): void;
}

export type FileReadResult = { state: 'ok'; bytes: Buffer } | { state: 'missing' } | { state: 'too_large'; size: number };

/** A file in a private temp dir where imsg runs. */
export interface TempFile {
  readonly path: string;
  remove(): Promise<void>;
}

/** File access where imsg runs: inbound attachments are read, outbound files written. */
export interface SourceFiles {
  size(path: string): Promise<number | undefined>;
  read(path: string, maxBytes: number): Promise<FileReadResult>;
  writeTemp(name: string, bytes: Uint8Array): Promise<TempFile>;
  /**
   * The canonical absolute path (symlinks resolved, `.`/`..` gone; a leading `~/` is the home dir
   * where imsg runs), or undefined when the path does not exist.
   */
  realpath(path: string): Promise<string | undefined>;
}

/** Where one account's imsg runs. `spawn` may be called again after each exit. */
export interface ImsgSource {
  readonly kind: 'local' | 'ssh';
  /** For logs: what is run where. */
  readonly description: string;
  /** Starts `imsg rpc`; rejects (with a coded error) when it cannot be started at all. */
  spawn(): Promise<ImsgProcess>;
  readonly files: SourceFiles;
  close(): Promise<void>;
}
