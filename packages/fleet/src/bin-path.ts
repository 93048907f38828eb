import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workspace root: the nearest folder above this file holding pnpm-workspace.yaml. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repoRoot: no pnpm-workspace.yaml above the fleet package');
    dir = parent;
  }
  return dir;
}

/** `apps/<app>/bin/<app>.js`, the launcher of a built app. */
export function binPath(app: string): string {
  return join(repoRoot(), 'apps', app, 'bin', `${app}.js`);
}
