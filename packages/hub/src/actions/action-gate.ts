import { type ActionMethod, HubError, type ImsgInfo } from '@imsg-hub/hub-protocol';

const VERBS: Record<ActionMethod, string> = { tapback: 'react', 'message.edit': 'edit messages', 'message.unsend': 'unsend messages' };

/**
 * Whether an account's imsg can do an action now (design.md "Capabilities and actions"): refuses
 * with ACTION_UNAVAILABLE naming the account, what is missing and what would enable it.
 */
export function gateAction(account: string, method: ActionMethod, info: ImsgInfo | undefined, o: { emoji?: boolean } = {}): void {
  const verb = VERBS[method];
  const refuse = (why: string, needs: string): never => {
    throw new HubError('ACTION_UNAVAILABLE', `account ${account} cannot ${verb}: ${why}`, { account, method, needs });
  };
  if (!info) {
    refuse(`its agent has not reported what its imsg can do (is the agent connected, and imsg 0.15 or later?)`, 'agent');
  } else if (!(info.supported_methods ?? info.methods).includes(method)) {
    refuse(`its imsg ${info.version} has no ${method}; upgrade imsg on that Mac to 0.15 or later, then run \`imsg launch\``, 'imsg>=0.15');
  } else if (!info.methods.includes(method)) {
    const bridge = info.bridge_ready ? '' : ` (${info.bridge_error ?? 'its IMCore bridge is not running'})`;
    refuse(`${method} is not usable right now${bridge}; run \`imsg launch\` on ${account}'s Mac`, 'imsg launch');
  } else if (o.emoji && (info.features?.['tapback.emoji'] ?? 0) < 2) {
    refuse(
      `its imsg ${info.version} does not send emoji tapbacks (tapback.emoji ≥ 2); use love, like, dislike, laugh, emphasize or question, or upgrade imsg`,
      'tapback.emoji>=2',
    );
  }
}
