import type { ImsgInfo } from '@imsg-hub/hub-protocol';
import { IMSG_V1_METHODS, methodDescriptor } from '@imsg-hub/imsg-protocol';

// What `imsg-hub rpc` can do right now, from what each backing account's agent reported
// (hub `accounts.list` → `capabilities`). Per-account mode: that account. Merged mode: every
// account the token sees, stated conservatively (a method is offered only if every account can do
// it, since a chat may belong to any of them).

/** imsg 0.15 methods the facade answers from the hub itself, whatever the accounts' imsg is. */
export const HUB_SERVED_METHODS: readonly string[] = [
  'initialize',
  'status',
  'watch.unsubscribe',
  'chats.list',
  'chats.get',
  'messages.history',
  'messages.search',
  'messages.after',
  'watch.subscribe',
  'message.send_status',
  'send',
  'send.tracked',
];

/** imsg 0.15 methods the facade passes to the owning account's imsg: offered only where it has them. */
export const ACCOUNT_METHODS: readonly string[] = [
  'tapback',
  'typing',
  'read',
  'message.edit',
  'message.unsend',
  'send.rich',
  'send.attachment',
  'send.multipart',
  'group.rename',
  'group.setIcon',
  'group.addParticipant',
  'group.removeParticipant',
  'group.leave',
  'poll.send',
  'poll.vote',
  'poll.unvote',
];

/** The method an alias of imsg's stands for (`messages.poll.send` → `poll.send`): offered with it. */
const canonical = (method: string): string => methodDescriptor(method)?.names[0] ?? method;

/** Every method `imsg-hub rpc` implements (its `supported_methods`), in imsg's descriptor order. */
export const FACADE_V1_METHODS: readonly string[] = IMSG_V1_METHODS.filter((m) => HUB_SERVED_METHODS.includes(m) || ACCOUNT_METHODS.includes(canonical(m)));

/** The bridge selector each account-passed method stands for (imsg's method table). */
const SELECTOR_OF: Readonly<Record<string, string>> = {
  tapback: 'sendReaction',
  'message.edit': 'editMessage',
  'message.unsend': 'retractMessagePart',
  typing: 'typing',
  read: 'read',
  'send.rich': 'sendMessage',
  'send.attachment': 'sendAttachment',
  'send.multipart': 'sendMultipart',
  'group.rename': 'setDisplayName',
  'group.setIcon': 'updateGroupPhoto',
  'group.addParticipant': 'addParticipant',
  'group.removeParticipant': 'removeParticipant',
  'group.leave': 'leaveChat',
  'poll.send': 'pollPayloadMessage',
  'poll.vote': 'pollVoteMessage',
  'poll.unvote': 'pollVoteMessage',
};

/** One account behind the facade, as `accounts.list` shows it. */
export interface BackingAccount {
  name: string;
  connected: boolean;
  info?: ImsgInfo | undefined;
}

export interface FacadeCapabilities {
  /** The hub answered. */
  reachable: boolean;
  /** Why not, when it did not. */
  unreachable?: string | undefined;
  accounts: readonly BackingAccount[];
  /** Methods usable now, in descriptor order. */
  methods: string[];
  /** Every backing account's imsg has a ready v2 bridge. */
  bridgeReady: boolean;
  /** The first reason it has not, naming the account and what to do. */
  bridgeError?: string | undefined;
  selectors: Record<string, boolean>;
  /** `capabilities.features`: the lowest version every account reports. */
  features: Record<string, number>;
}

/** Why one account's imsg cannot run bridge methods now, or undefined when it can. */
export function bridgeProblem(a: BackingAccount): string | undefined {
  if (!a.connected) return `account ${a.name}: its agent is not connected to the hub (start imsg-agent on its Mac)`;
  if (!a.info) return `account ${a.name}: its agent has not reported what its imsg can do (upgrade imsg-agent)`;
  if ((a.info.protocol_version ?? 0) < 1)
    return `account ${a.name}: its imsg ${a.info.version} has no IMCore bridge (upgrade imsg to 0.15 or later, then run imsg launch on its Mac)`;
  if (!a.info.bridge_ready) return `account ${a.name}: ${a.info.bridge_error ?? 'its IMCore bridge is not running'} (run imsg launch on its Mac)`;
  return undefined;
}

function accountCan(a: BackingAccount, method: string): boolean {
  return a.connected && a.info?.methods.includes(method) === true;
}

/** The facade's capabilities over these accounts (all of them must be able to do a method). */
export function capabilitiesOf(accounts: readonly BackingAccount[]): FacadeCapabilities {
  const any = accounts.length > 0;
  const problems = accounts.map(bridgeProblem).filter((p): p is string => p !== undefined);
  const bridgeReady = any && problems.length === 0;
  const offered = new Set([...HUB_SERVED_METHODS, ...ACCOUNT_METHODS.filter((m) => any && accounts.every((a) => accountCan(a, m)))]);
  const methods = FACADE_V1_METHODS.filter((m) => offered.has(canonical(m)));
  const features: Record<string, number> = {};
  if (any && offered.has('tapback')) {
    const versions = accounts.map((a) => a.info?.features?.['tapback.emoji'] ?? 0);
    const lowest = Math.min(...versions);
    if (lowest > 0) features['tapback.emoji'] = lowest;
  }
  // The facade reserves a send.tracked attempt id as the hub's idempotency key, whatever the account.
  const selectors: Record<string, boolean> = { clientMessageGuidReservation: true };
  if (bridgeReady) {
    for (const m of methods) if (SELECTOR_OF[m]) selectors[SELECTOR_OF[m]] = true;
    if ((features['tapback.emoji'] ?? 0) >= 2) selectors['emojiTapbackSend'] = true;
  }
  return {
    reachable: true,
    accounts,
    methods,
    bridgeReady,
    bridgeError: any ? problems[0] : 'the hub shows no account to this token',
    selectors,
    features,
  };
}

/** What the facade can do when the hub does not answer: describe itself, nothing else. */
export function unreachableCapabilities(why: string): FacadeCapabilities {
  return {
    reachable: false,
    unreachable: why,
    accounts: [],
    methods: ['initialize', 'status', 'watch.unsubscribe'],
    bridgeReady: false,
    bridgeError: why,
    selectors: {},
    features: {},
  };
}
