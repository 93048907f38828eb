/**
 * The key our own-handle and affinity indexes use: emails lowercased, phones as given. chat.db
 * already writes phones in E.164, so this is deliberately not `normalizeHandle` (hub-protocol),
 * which parses what people type (national formats, a default region) into E.164.
 */
export function handleIndexKey(handle: string): string {
  return handle.includes('@') ? handle.toLowerCase() : handle;
}
