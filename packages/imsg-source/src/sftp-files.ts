import type { SFTPWrapper, Stats } from 'ssh2';
import { SourceError } from './errors.js';
import type { FileReadResult, SourceFiles, TempFile } from '@imsg-hub/agent';
import { safeFileName, tempDirName } from './temp-file-name.js';

// SFTP status codes (draft-ietf-secsh-filexfer-02 §7).
const NO_SUCH_FILE = 2;

/** File access on the Mac over SFTP, on the same SSH connection as the exec channel. */
export class SftpFiles implements SourceFiles {
  readonly #sftp: () => Promise<SFTPWrapper>;
  readonly #tempRoot: string;

  constructor(sftp: () => Promise<SFTPWrapper>, tempRoot: string) {
    this.#sftp = sftp;
    this.#tempRoot = tempRoot.replace(/\/+$/, '') || '/';
  }

  async size(path: string): Promise<number | undefined> {
    const sftp = await this.#sftp();
    const stats = await new Promise<Stats | undefined>((resolve, reject) =>
      sftp.stat(path, (err, s) => (err ? (isMissing(err) ? resolve(undefined) : reject(accessError(path, err))) : resolve(s))),
    );
    return stats?.isFile() ? stats.size : undefined;
  }

  async read(path: string, maxBytes: number): Promise<FileReadResult> {
    const size = await this.size(path);
    if (size === undefined) return { state: 'missing' };
    if (size > maxBytes) return { state: 'too_large', size };
    const sftp = await this.#sftp();
    const bytes = await new Promise<Buffer | undefined>((resolve, reject) =>
      sftp.readFile(path, (err, data) => (err ? (isMissing(err) ? resolve(undefined) : reject(accessError(path, err))) : resolve(data))),
    );
    if (bytes === undefined) return { state: 'missing' };
    return bytes.length > maxBytes ? { state: 'too_large', size: bytes.length } : { state: 'ok', bytes };
  }

  async realpath(path: string): Promise<string | undefined> {
    const sftp = await this.#sftp();
    // SFTP resolves relative paths against the login (home) directory: `~/x` is `x` there.
    const remote = path === '~' ? '.' : path.startsWith('~/') ? path.slice(2) || '.' : path;
    return new Promise<string | undefined>((resolve, reject) =>
      sftp.realpath(remote, (err, abs) => (err ? (isMissing(err) ? resolve(undefined) : reject(accessError(path, err))) : resolve(abs))),
    );
  }

  async writeTemp(name: string, bytes: Uint8Array): Promise<TempFile> {
    const sftp = await this.#sftp();
    const dir = `${this.#tempRoot === '/' ? '' : this.#tempRoot}/${tempDirName()}`;
    const path = `${dir}/${safeFileName(name)}`;
    const call = (fn: (cb: (err?: Error | null) => void) => void): Promise<void> =>
      new Promise((resolve, reject) => fn((err) => (err ? reject(accessError(path, err)) : resolve())));
    const remove = async (): Promise<void> => {
      await call((cb) => sftp.unlink(path, cb)).catch(() => undefined);
      await call((cb) => sftp.rmdir(dir, cb)).catch(() => undefined);
    };
    try {
      // The random name makes mkdir exclusive; chmod because the server applies its umask.
      await call((cb) => sftp.mkdir(dir, { mode: 0o700 }, cb));
      await call((cb) => sftp.chmod(dir, 0o700, cb));
      await call((cb) => sftp.writeFile(path, Buffer.from(bytes), { mode: 0o600, flag: 'wx' }, cb));
    } catch (err) {
      await remove();
      throw err;
    }
    return { path, remove };
  }
}

function isMissing(err: Error): boolean {
  return (err as Error & { code?: unknown }).code === NO_SUCH_FILE;
}

function accessError(path: string, err: Error): SourceError {
  return new SourceError('FILE_ACCESS_FAILED', `cannot access ${path} over SFTP: ${err.message}`, { path }, { cause: err });
}
