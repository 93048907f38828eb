import type { HubClient } from '@imsg-hub/hub-client';
import type { HubMessage, WatchSubscribeParams } from '@imsg-hub/hub-protocol';
import type { ImsgReaction } from '@imsg-hub/imsg-protocol';
import { reactionsByTarget } from './reaction-index.js';

const GUIDS_PER_CALL = 500;

/**
 * Which accounts a facade shows. Per-account mode (`--account work`, one wrapper per Apple ID)
 * sees that account's own chats and copies; merged mode sees every account the token does, with a
 * message that several of our accounts received (a shared group) once.
 */
export class AccountView {
  readonly account: string | undefined;

  constructor(account: string | undefined) {
    this.account = account;
  }

  get merged(): boolean {
    return this.account === undefined;
  }

  /** Hub `chats.list` / `messages.history` / `send` / `imsg.call` scope. */
  scope(): { account?: string } {
    return this.account ? { account: this.account } : {};
  }

  /** Hub `watch.subscribe` scope. */
  watchScope(): Pick<WatchSubscribeParams, 'accounts' | 'merged'> {
    return this.account ? { accounts: [this.account], merged: false } : { merged: true };
  }

  /** Current tapbacks of `messages`, by message guid, from the hub's tapback rows. */
  async reactionsOf(client: HubClient, messages: readonly HubMessage[]): Promise<Map<string, ImsgReaction[]>> {
    const guids = [...new Set(messages.filter((m) => m.is_reaction !== true && m.guid !== '').map((m) => m.guid))];
    const rows: HubMessage[] = [];
    for (let i = 0; i < guids.length; i += GUIDS_PER_CALL) {
      const { reactions } = await client.call('reactions.list', {
        guids: guids.slice(i, i + GUIDS_PER_CALL),
        ...(this.account ? { accounts: [this.account] } : {}),
      });
      rows.push(...reactions);
    }
    return reactionsByTarget(rows);
  }
}
