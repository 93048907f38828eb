import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary folder that removes itself when disposed. */
export interface TempDir extends AsyncDisposable {
  readonly path: string;
  /** `path` joined with the given parts. */
  join(...parts: string[]): string;
}

export function tempDir(prefix = 'imsg-hub-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    join: (...parts) => join(path, ...parts),
    async [Symbol.asyncDispose]() {
      rmSync(path, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}
