import { HubError } from '@imsg-hub/hub-protocol';
import type { CopyRecord, Store, TokenRecord } from '@imsg-hub/store';
import { tokenAllows } from '../token-auth.js';

/** A stored message named by its hub id or its guid. */
export interface MessageRef {
  message_id?: number | undefined;
  guid?: string | undefined;
}

/** The message's guid, from its guid or its hub id (within the token's accounts). */
export async function messageGuid(store: Store, p: MessageRef, client: TokenRecord): Promise<string> {
  if (p.guid !== undefined) return p.guid;
  const [record] = await store.messages({ afterSeq: p.message_id! - 1, beforeSeq: p.message_id! + 1, order: 'asc', limit: 1 });
  if (!record || !tokenAllows(client, record.account)) throw new HubError('NOT_FOUND', `no message ${p.message_id} among the accounts this token sees`);
  if (!record.guid) throw new HubError('INVALID_PARAMS', `message ${p.message_id} has no guid in imsg, so no action can name it`);
  return record.guid;
}

/** Every copy of the message among the token's accounts (one per account that holds it). */
export async function visibleCopies(store: Store, guid: string, p: MessageRef, client: TokenRecord): Promise<CopyRecord[]> {
  const copies = (await store.copies([guid])).filter((c) => tokenAllows(client, c.account));
  if (copies.length === 0) throw new HubError('NOT_FOUND', `no message ${p.message_id ?? guid} among the accounts this token sees`);
  return copies;
}

/**
 * The copy to act through (design.md "Capabilities and actions"): the sender's for edit/unsend;
 * else the named account's, else the preferred one's (the route's, or the default), the sender's,
 * or the first holder's.
 */
export function chooseCopy(
  copies: CopyRecord[],
  o: { account?: string | undefined; senderOnly?: boolean; preferred?: readonly (string | undefined)[] },
): CopyRecord {
  const holders = copies.map((c) => c.account).join(', ');
  if (o.senderOnly) {
    const sender = copies.find((c) => c.isFromMe);
    if (!sender) throw new HubError('NO_ROUTE', `none of your accounts sent this message (it is held by ${holders}); only its sender can change it`);
    if (o.account && o.account !== sender.account) {
      throw new HubError('NO_ROUTE', `only ${sender.account}, which sent this message, can change it (not ${o.account})`, { candidates: [sender.account] });
    }
    return sender;
  }
  if (o.account) {
    const named = copies.find((c) => c.account === o.account);
    if (!named)
      throw new HubError('NO_ROUTE', `account ${o.account} does not hold this message; it is held by ${holders}`, { candidates: copies.map((c) => c.account) });
    return named;
  }
  for (const account of o.preferred ?? []) {
    const copy = account ? copies.find((c) => c.account === account) : undefined;
    if (copy) return copy;
  }
  return copies.find((c) => c.isFromMe) ?? copies[0]!;
}
