import type { AffinityRecord, StoredBody } from '@imsg-hub/store';
import { handleIndexKey } from './handle-key.js';

/** The other party of a DM, or the sender of a group message: who this account exchanged with. */
export function affinityHandle(m: Pick<StoredBody, 'is_group' | 'is_from_me' | 'sender' | 'chat_identifier'>): string | undefined {
  const h = m.is_group ? (m.is_from_me ? '' : m.sender) : m.chat_identifier || m.sender;
  return h ? handleIndexKey(h) : undefined;
}

/** Which account last exchanged messages with each handle (routing by affinity). */
export class AffinityIndex {
  readonly #byHandle = new Map<string, { account: string; seq: number }>();
  readonly #pending = new Map<string, AffinityRecord>();

  constructor(records: readonly AffinityRecord[]) {
    for (const r of records) this.#byHandle.set(r.handle, { account: r.account, seq: r.seq });
  }

  account(handle: string): string | undefined {
    return this.#byHandle.get(handleIndexKey(handle))?.account;
  }

  note(handle: string, account: string, seq: number): void {
    this.#byHandle.set(handle, { account, seq });
    this.#pending.set(handle, { handle, account, seq });
  }

  takeDirty(): AffinityRecord[] {
    const out = [...this.#pending.values()];
    this.#pending.clear();
    return out;
  }
}
