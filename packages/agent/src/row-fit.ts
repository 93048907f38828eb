import type { Row } from '@imsg-hub/hub-protocol';

const byteLength = (row: Row) => Buffer.byteLength(JSON.stringify(row));

/**
 * Makes a row fit in one hub frame. A row over the bound would close the link (1009) and, resent
 * after every reconnect, stall the account forever; so its text is cut (saying so), and if that is
 * not enough its reply context and participant list go too. The guid, ids and chat stay, so the
 * message is still stored exactly once.
 */
export function fitRow(row: Row, budget: number): { row: Row; bytes: number; truncated: boolean } {
  let bytes = byteLength(row);
  if (bytes <= budget) return { row, bytes, truncated: false };
  const original = bytes;
  const note = (kept: number) => `… [cut by imsg-agent: this message was ${original} bytes, over the hub's frame limit; ${kept} characters kept]`;
  const m = row.message;
  const keep = Math.max(0, m.text.length - (bytes - budget) - 512);
  let fitted: Row = { ...row, message: { ...m, text: m.text.slice(0, keep) + note(keep) } };
  bytes = byteLength(fitted);
  if (bytes > budget) {
    const { reply_to_text: _r, ...rest } = fitted.message;
    fitted = { ...fitted, message: { ...rest, text: note(0), participants: [], reactions: [] } };
    bytes = byteLength(fitted);
  }
  return { row: fitted, bytes, truncated: true };
}
