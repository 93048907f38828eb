import { type ActionMethod, HubError, type ImsgInfo } from '@imsg-hub/hub-protocol';
import { methodDescriptor } from '@imsg-hub/imsg-protocol';

/** What each action is, in the words of a refusal ("account bob cannot …"). */
const VERBS: Record<ActionMethod, string> = {
  tapback: 'react',
  'message.edit': 'edit messages',
  'message.unsend': 'unsend messages',
  'send.rich': 'send replies, effects or subjects',
  'send.multipart': 'send multipart messages',
  'send.attachment': 'send voice messages',
  'group.rename': 'rename groups',
  'group.addParticipant': 'add group members',
  'group.removeParticipant': 'remove group members',
  'group.leave': 'leave groups',
  'group.setIcon': 'set group photos',
  'poll.send': 'send polls',
  'poll.vote': 'vote in polls',
  'poll.unvote': 'take back poll votes',
};

/** Why a method the account's imsg has is not usable now, and what the user can do about it. */
function unusable(account: string, method: ActionMethod, info: ImsgInfo): { why: string; needs: string } {
  if (!info.bridge_ready) {
    const bridge = info.bridge_error ?? 'its IMCore bridge is not running';
    return { why: `${method} is not usable right now (${bridge}); run \`imsg launch\` on ${account}'s Mac`, needs: 'imsg launch' };
  }
  const d = methodDescriptor(method);
  if (d && d.database.length > 0 && !info.database_ready) {
    return {
      why: `${method} needs chat.db, which its imsg cannot read now; grant Full Disk Access to imsg on ${account}'s Mac, then retry`,
      needs: 'database',
    };
  }
  const selectors = [...(d?.bridge?.allSelectors ?? []), ...(d?.bridge?.anySelectors ?? [])];
  const what = selectors.length > 0 ? `the ${selectors.join(' / ')} selector` : method;
  const polls = method.startsWith('poll.') ? ' (polls need a macOS whose Messages has them)' : '';
  return {
    why: `the IMCore bridge on ${account}'s Mac does not offer ${what}${polls}; update macOS and imsg there, then run \`imsg launch\``,
    needs: selectors.length > 0 ? `bridge selector ${selectors.join('|')}` : method,
  };
}

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
    const { why, needs } = unusable(account, method, info);
    refuse(why, needs);
  } else if (o.emoji && (info.features?.['tapback.emoji'] ?? 0) < 2) {
    refuse(
      `its imsg ${info.version} does not send emoji tapbacks (tapback.emoji ≥ 2); use love, like, dislike, laugh, emphasize or question, or upgrade imsg`,
      'tapback.emoji>=2',
    );
  }
}
