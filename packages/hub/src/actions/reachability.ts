import { HubError, type ImsgInfo, storedHandle } from '@imsg-hub/hub-protocol';
import { type AgentRegistry, callAgent } from '../agent-registry.js';

export interface Reachability {
  account: string;
  available?: boolean;
  error?: string;
}

/** Why an account cannot say whether it reaches a handle, or undefined when it can ask imsg. */
function unavailable(account: string, info: ImsgInfo | undefined, online: boolean): string | undefined {
  if (!online) return `the agent for ${account} is not connected`;
  if (!info || !(info.supported_methods ?? info.methods).includes('handles.check'))
    return `its imsg ${info?.version ?? ''} has no handles.check (imsg 0.15 or later)`.replace('  ', ' ');
  if (!info.methods.includes('handles.check')) return `its IMCore bridge is not running: run \`imsg launch\` on ${account}'s Mac`;
  return undefined;
}

/** Asks every account in view whether its imsg can reach `handle` by iMessage, in parallel. */
export async function checkReachability(
  registry: AgentRegistry,
  accounts: readonly string[],
  handle: string,
  timeoutMs = 15_000,
): Promise<{ handle: string; accounts: Reachability[] }> {
  const address = storedHandle(handle);
  const results = await Promise.all(
    accounts.map(async (account): Promise<Reachability> => {
      const link = registry.link(account);
      const why = unavailable(account, registry.health(account)?.imsg, link !== undefined);
      if (why || !link) return { account, error: why ?? 'offline' };
      try {
        const r = await callAgent(link, 'imsg.call', { account, method: 'handles.check', params: { address } }, timeoutMs);
        return typeof r['available'] === 'boolean' ? { account, available: r['available'] } : { account, error: 'imsg did not say' };
      } catch (err) {
        return { account, error: HubError.from(err)?.message ?? (err as Error).message };
      }
    }),
  );
  return { handle: address, accounts: results };
}
