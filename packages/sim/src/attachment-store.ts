import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

/** A file copied into an account's Attachments folder, ready for an `attachment` row. */
export interface StoredAttachment {
  guid: string;
  path: string;
  transferName: string;
  mimeType: string;
  uti: string;
  totalBytes: number;
}

// The few types the simulator needs to label; anything else is public.data like Messages does.
const TYPES: Record<string, { mime: string; uti: string }> = {
  '.jpg': { mime: 'image/jpeg', uti: 'public.jpeg' },
  '.jpeg': { mime: 'image/jpeg', uti: 'public.jpeg' },
  '.png': { mime: 'image/png', uti: 'public.png' },
  '.gif': { mime: 'image/gif', uti: 'com.compuserve.gif' },
  '.heic': { mime: 'image/heic', uti: 'public.heic' },
  '.txt': { mime: 'text/plain', uti: 'public.plain-text' },
  '.pdf': { mime: 'application/pdf', uti: 'com.adobe.pdf' },
  '.caf': { mime: 'audio/x-caf', uti: 'com.apple.coreaudio-format' },
  '.m4a': { mime: 'audio/mp4', uti: 'public.mpeg-4-audio' },
  '.mov': { mime: 'video/quicktime', uti: 'com.apple.quicktime-movie' },
};

/**
 * Copies `source` to `<attachmentsDir>/<xx>/<yy>/<guid>/<name>`, Messages' layout, so the row's
 * filename points at a real file that belongs to the receiving account.
 */
export function storeAttachment(source: string, attachmentsDir: string, guid: string): StoredAttachment {
  const name = basename(source);
  const hex = guid
    .replace(/[^0-9A-Fa-f]/g, '')
    .toLowerCase()
    .padEnd(4, '0');
  const dir = join(attachmentsDir, hex.slice(0, 2), hex.slice(2, 4), guid);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  copyFileSync(source, path);
  const type = TYPES[extname(name).toLowerCase()] ?? { mime: 'application/octet-stream', uti: 'public.data' };
  return { guid, path, transferName: name, mimeType: type.mime, uti: type.uti, totalBytes: statSync(path).size };
}
