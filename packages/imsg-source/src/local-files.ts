import { mkdir, open, readFile, realpath, rm, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceError } from './errors.js';
import type { FileReadResult, SourceFiles, TempFile } from '@imsg-hub/agent';
import { safeFileName, tempDirName } from './temp-file-name.js';

/** File access on this machine, for a local imsg child. */
export class LocalFiles implements SourceFiles {
  readonly #tempRoot: string;

  constructor(tempRoot: string = tmpdir()) {
    this.#tempRoot = tempRoot;
  }

  async size(path: string): Promise<number | undefined> {
    try {
      const s = await stat(path);
      return s.isFile() ? s.size : undefined;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw accessError(path, err);
    }
  }

  async read(path: string, maxBytes: number): Promise<FileReadResult> {
    const size = await this.size(path);
    if (size === undefined) return { state: 'missing' };
    if (size > maxBytes) return { state: 'too_large', size };
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      if (isMissing(err)) return { state: 'missing' };
      throw accessError(path, err);
    }
    // The file may have grown between stat and read.
    return bytes.length > maxBytes ? { state: 'too_large', size: bytes.length } : { state: 'ok', bytes };
  }

  async realpath(path: string): Promise<string | undefined> {
    const expanded = path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
    try {
      return await realpath(expanded);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw accessError(path, err);
    }
  }

  async writeTemp(name: string, bytes: Uint8Array): Promise<TempFile> {
    const dir = join(this.#tempRoot, tempDirName());
    const path = join(dir, safeFileName(name));
    const remove = async (): Promise<void> => {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    };
    try {
      // mkdir (not mkdtemp) so the mode is explicit; the random name makes it exclusive.
      await mkdir(dir, { mode: 0o700 });
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(bytes);
      } finally {
        await handle.close();
      }
    } catch (err) {
      await remove();
      throw accessError(path, err);
    }
    return { path, remove };
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function accessError(path: string, err: unknown): SourceError {
  return new SourceError('FILE_ACCESS_FAILED', `cannot access ${path}: ${(err as Error)?.message ?? String(err)}`, { path }, { cause: err });
}
