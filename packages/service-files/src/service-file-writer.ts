import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes a unit or plist in one step (temp file, then rename), so a service manager never reads
 * half a file; creates the folder first. Mode 0644: service managers read it as another user.
 */
export function writeServiceFile(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode: 0o644 });
  renameSync(temp, path);
}
