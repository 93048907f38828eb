import type { SourceFiles } from './imsg-source.js';

/**
 * Whether a path where imsg runs lies under one folder there, by real paths: symlinks resolved,
 * `.` and `..` gone, on both sides (issue 10, point 4). A path that does not exist, or a folder
 * that does not (yet) exist, is never inside. The folder's real path is kept once found.
 */
export class PathGuard {
  readonly root: string;
  readonly #files: SourceFiles;
  #realRoot: string | undefined;

  constructor(files: SourceFiles, root: string) {
    this.#files = files;
    this.root = root;
  }

  /** The path's real path when it lies under the folder; undefined otherwise (or when it does not exist). */
  async inside(path: string): Promise<string | undefined> {
    const root = await this.#root();
    if (root === undefined) return undefined;
    const real = await this.#files.realpath(path);
    if (real === undefined) return undefined;
    const prefix = root.endsWith('/') ? root : `${root}/`;
    return real.startsWith(prefix) ? real : undefined;
  }

  async #root(): Promise<string | undefined> {
    this.#realRoot ??= await this.#files.realpath(this.root);
    return this.#realRoot;
  }
}
