import type { Readable, Writable } from 'node:stream';

// The shapes a source hands out. They match the agent's `ImsgSource` interface structurally
// (packages/agent declares it; this package does not import the agent).

/** How one imsg process or exec channel ended. `error` says why when it never ran or was lost. */
export interface SourceExit {
  code: number | null;
  signal: string | null;
  error?: Error;
}

/** One running `imsg rpc`: its stdio and how it ends. */
export interface ImsgProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Settles once, when the process exited or the channel closed or was lost. Never rejects. */
  readonly exited: Promise<SourceExit>;
  /** Kills the process (SIGKILL, or signal + close of the channel). Safe to call twice. */
  kill(): void;
}

/** Result of reading a file on the Mac side. */
export type FileReadResult =
  | { state: 'ok'; bytes: Buffer }
  | { state: 'missing' }
  | { state: 'too_large'; size: number };

/** A file written into a private (0700) temp directory on the Mac side. */
export interface TempFile {
  readonly path: string;
  /** Removes the file and its directory; never throws. */
  remove(): Promise<void>;
}

/** File access where imsg runs (attachments in and out). */
export interface SourceFiles {
  /** Size of a regular file, or undefined when it does not exist (yet). */
  size(path: string): Promise<number | undefined>;
  read(path: string, maxBytes: number): Promise<FileReadResult>;
  writeTemp(name: string, bytes: Uint8Array): Promise<TempFile>;
}
