import type { HubClient } from '@imsg-hub/hub-client';
import { capabilitiesOf, unreachableCapabilities, type BackingAccount, type FacadeCapabilities } from './facade-capabilities.js';

/** How long one `accounts.list` answer stands for "now" (a probe asks status, then acts at once). */
const FRESH_MS = 1000;

/** The backing accounts the facade shows, as `accounts.list` reports them. */
export async function backingAccounts(client: HubClient, account: string | undefined): Promise<BackingAccount[]> {
  const { accounts } = await client.call('accounts.list', {});
  return accounts
    .filter((a) => account === undefined || a.name === account)
    .map((a) => ({ name: a.name, connected: a.agent.connected, ...(a.capabilities ? { info: a.capabilities } : {}) }));
}

/** Capabilities read from the hub at most once a second; a failed read is not kept. */
export class CapabilityCache {
  readonly #account: string | undefined;
  #last: { at: number; caps: FacadeCapabilities } | undefined;
  #pending: Promise<FacadeCapabilities> | undefined;

  constructor(account: string | undefined) {
    this.#account = account;
  }

  async read(client: HubClient): Promise<FacadeCapabilities> {
    if (this.#last && Date.now() - this.#last.at < FRESH_MS) return this.#last.caps;
    this.#pending ??= backingAccounts(client, this.#account)
      .then((accounts) => {
        const caps = capabilitiesOf(accounts);
        this.#last = { at: Date.now(), caps };
        return caps;
      })
      .finally(() => {
        this.#pending = undefined;
      });
    return this.#pending;
  }

  /** What to say when the hub cannot be asked. */
  unreachable(why: string): FacadeCapabilities {
    return unreachableCapabilities(why);
  }
}
