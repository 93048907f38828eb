import type { Row } from '@imsg-hub/hub-protocol';

const byteLength = (row: Row) => Buffer.byteLength(JSON.stringify(row));

/**
 * Makes a row fit in one hub frame. A row over the bound would close the link (1009) and, resent
 * after every reconnect, stall the account forever. The quoted text of the message it replies to
 * goes first (imsg 0.15 quotes the previous message on ordinary rows, so a huge message makes the
 * next one huge too: the hub has the original); then the message's own text is cut (saying so);
 * if that is not enough, its participant list and reactions go too. The guid, ids and chat stay,
 * so the message is still stored exactly once.
 */
export function fitRow(row: Row, budget: number): { row: Row; bytes: number; truncated: boolean } {
  let bytes = byteLength(row);
  if (bytes <= budget) return { row, bytes, truncated: false };
  const original = bytes;
  let fitted = row;
  if (row.message.reply_to_text) {
    const { reply_to_text: _r, ...rest } = row.message;
    fitted = { ...row, message: rest };
    bytes = byteLength(fitted);
    if (bytes <= budget) return { row: fitted, bytes, truncated: false };
  }
  const note = (kept: number) => `… [cut by imsg-agent: this message was ${original} bytes, over the hub's frame limit; ${kept} characters kept]`;
  const m = fitted.message;
  const keep = Math.max(0, m.text.length - (bytes - budget) - 512);
  fitted = { ...fitted, message: { ...m, text: m.text.slice(0, keep) + note(keep) } };
  bytes = byteLength(fitted);
  if (bytes > budget) {
    fitted = { ...fitted, message: { ...fitted.message, text: note(0), participants: [], reactions: [] } };
    bytes = byteLength(fitted);
  }
  return { row: fitted, bytes, truncated: true };
}
