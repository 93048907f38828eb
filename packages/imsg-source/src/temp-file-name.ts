import { randomBytes } from 'node:crypto';

/** A file name safe to create inside our own temp dir: no directories, no NUL, never empty or dot-only. */
export function safeFileName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  const cleaned = base.replace(/[\u0000-\u001f]/g, '_').trim();
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'file' : cleaned.slice(0, 255);
}

/** Name of a fresh private temp directory. */
export function tempDirName(): string {
  return `imsg-agent-${randomBytes(12).toString('hex')}`;
}
