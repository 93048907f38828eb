/**
 * The longest prefix of `items` whose JSON fits in `maxBytes` — always at least one item, so a
 * client paging through never stalls (one message is bounded far below any budget). `truncated`
 * says items were left out: the client asks again from the last one it got.
 */
export function fitAnswer<T>(items: readonly T[], maxBytes: number): { items: T[]; truncated: boolean } {
  let used = 64; // the envelope: {"jsonrpc":"2.0","id":…,"result":{…}}
  for (let i = 0; i < items.length; i++) {
    used += Buffer.byteLength(JSON.stringify(items[i])) + 1;
    if (used > maxBytes && i > 0) return { items: items.slice(0, i), truncated: true };
  }
  return { items: [...items], truncated: false };
}
