import { createHash } from 'node:crypto';
import type { Peer } from '@imsg-hub/jsonrpc';
import { BLOB_CHUNK_BYTES, callHub, type BlobRef } from '@imsg-hub/hub-protocol';
import { AgentError } from './errors.js';
import type { SourceFiles, TempFile } from './imsg-source.js';

/** Reads a blob from the hub in chunks (`blob.read`) and checks its sha256. */
export async function fetchBlob(peer: Peer, ref: BlobRef, maxBytes: number): Promise<Buffer> {
  if (ref.size > maxBytes) {
    throw new AgentError('FILE_TOO_LARGE', `file ${ref.name} is ${ref.size} bytes, over this agent's attachments.max_bytes (${maxBytes})`);
  }
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const chunk = await callHub(peer, 'blob.read', { sha256: ref.sha256, offset, length: BLOB_CHUNK_BYTES });
    const data = Buffer.from(chunk.data, 'base64');
    parts.push(data);
    offset += data.length;
    if (offset > maxBytes) throw new AgentError('FILE_TOO_LARGE', `blob ${ref.sha256} grew past ${maxBytes} bytes`);
    if (chunk.eof || data.length === 0) break;
  }
  const bytes = Buffer.concat(parts);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== ref.sha256) {
    throw new AgentError('BLOB_CORRUPT', `blob ${ref.sha256} arrived with sha256 ${sha256} (${bytes.length} bytes)`);
  }
  return bytes;
}

/** Fetches the blob and writes it into a private temp dir where imsg runs. */
export async function stageOutboundFile(peer: Peer, files: SourceFiles, ref: BlobRef, maxBytes: number): Promise<TempFile> {
  const bytes = await fetchBlob(peer, ref, maxBytes);
  return files.writeTemp(ref.name, bytes);
}
