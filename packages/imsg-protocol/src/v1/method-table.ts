// imsg 0.15's method table (RPCMethodDescriptors.swift, reference/imsg-protocol-v1.md §1.5): the
// lane each method runs on and what it needs from the database and the bridge to be usable now.

export type ImsgLane = 'mutation' | 'read' | 'control';
export type DatabaseRequirement = 'ready' | 'scheduled_messages' | 'balloon_payloads' | 'reactions';

export interface BridgeRequirement {
  /** Needs `registry_available` (every bridge requirement but handles.check and the event stream). */
  registry: boolean;
  /** Needs a readable bridge event log. */
  eventPath: boolean;
  allSelectors: readonly string[];
  anySelectors: readonly string[];
}

/** Every v1 method name of a macOS build, aliases next to each other (the `supported_methods` order). */
export const IMSG_V1_METHODS = [
  'initialize',
  'status',
  'watch.unsubscribe',
  'chats.list',
  'chats.get',
  'messages.stats',
  'messages.history',
  'messages.search',
  'messages.after',
  'messages.scheduled',
  'watch.subscribe',
  'bridge.events.subscribe',
  'message.send_status',
  'send',
  'send.tracked',
  'chats.create',
  'chats.delete',
  'chats.markUnread',
  'send.rich',
  'send.attachment',
  'send.multipart',
  'send.sticker',
  'poll.send',
  'messages.poll.send',
  'poll.vote',
  'messages.poll.vote',
  'poll.unvote',
  'polls.unvote',
  'messages.poll.unvote',
  'tapback',
  'typing',
  'read',
  'message.edit',
  'message.unsend',
  'message.delete',
  'message.notifyAnyways',
  'group.rename',
  'group.setIcon',
  'group.addParticipant',
  'group.removeParticipant',
  'group.leave',
  'contacts.shouldShareContact',
  'contacts.shareContactCard',
  'handles.check',
] as const;
export type ImsgV1Method = (typeof IMSG_V1_METHODS)[number];

export interface ImsgMethodDescriptor {
  /** The method and its aliases, in descriptor order. */
  names: readonly ImsgV1Method[];
  lane: ImsgLane;
  database: readonly DatabaseRequirement[];
  /** undefined: usable without the bridge. */
  bridge: BridgeRequirement | undefined;
  /** Compiled only on macOS (the simulator plays a macOS build). */
  macOSOnly: boolean;
}

const sel = (name: string, registry = true): BridgeRequirement => ({ registry, eventPath: false, allSelectors: [name], anySelectors: [] });
const anySel = (...names: string[]): BridgeRequirement => ({ registry: true, eventPath: false, allSelectors: [], anySelectors: names });
const d = (
  names: ImsgV1Method | ImsgV1Method[],
  lane: ImsgLane,
  database: DatabaseRequirement[] = [],
  bridge?: BridgeRequirement,
  macOSOnly = true,
): ImsgMethodDescriptor => ({
  names: typeof names === 'string' ? [names] : names,
  lane,
  database,
  bridge,
  macOSOnly,
});

/** Every descriptor of the 0.15-era table, in its order. */
export const IMSG_V1_METHOD_DESCRIPTORS: readonly ImsgMethodDescriptor[] = [
  d('initialize', 'control', [], undefined, false),
  d('status', 'read', [], undefined, false),
  d('watch.unsubscribe', 'control', [], undefined, false),
  d('chats.list', 'read', ['ready'], undefined, false),
  d('chats.get', 'read', ['ready'], undefined, false),
  d('messages.stats', 'read', ['ready'], undefined, false),
  d('messages.history', 'read', ['ready'], undefined, false),
  d('messages.search', 'read', ['ready'], undefined, false),
  d('messages.after', 'read', ['ready'], undefined, false),
  d('messages.scheduled', 'read', ['scheduled_messages'], undefined, false),
  d('watch.subscribe', 'control', ['ready'], undefined, false),
  d('bridge.events.subscribe', 'control', [], { registry: false, eventPath: true, allSelectors: [], anySelectors: [] }),
  d('message.send_status', 'read', ['ready'], undefined, false),
  d('send', 'mutation'),
  d('send.tracked', 'mutation', ['ready'], sel('clientMessageGuidReservation')),
  d('chats.create', 'mutation', [], sel('createChat')),
  d('chats.delete', 'mutation', [], anySel('deleteChat', 'removeChat')),
  d('chats.markUnread', 'mutation', [], sel('markChatUnread')),
  d('send.rich', 'mutation', [], sel('sendMessage')),
  d('send.attachment', 'mutation', [], sel('sendAttachment')),
  d('send.multipart', 'mutation', ['ready'], sel('sendMultipart')),
  d('send.sticker', 'mutation', ['ready'], sel('stickerSend')),
  d(['poll.send', 'messages.poll.send'], 'mutation', [], sel('pollPayloadMessage')),
  d(['poll.vote', 'messages.poll.vote'], 'mutation', ['ready', 'balloon_payloads'], sel('pollVoteMessage')),
  d(['poll.unvote', 'polls.unvote', 'messages.poll.unvote'], 'mutation', ['ready', 'balloon_payloads', 'reactions'], sel('pollVoteMessage')),
  d('tapback', 'mutation', [], sel('sendReaction')),
  d('typing', 'mutation'),
  d('read', 'mutation'),
  d('message.edit', 'mutation', [], anySel('editMessageItemTranslation', 'editMessageItem', 'editMessage')),
  d('message.unsend', 'mutation', [], sel('retractMessagePart')),
  d('message.delete', 'mutation', [], sel('deleteMessage')),
  d('message.notifyAnyways', 'mutation', [], sel('notifyAnyways')),
  d('group.rename', 'mutation', [], sel('setDisplayName')),
  d('group.setIcon', 'mutation', [], sel('updateGroupPhoto')),
  d('group.addParticipant', 'mutation', [], sel('addParticipant')),
  d('group.removeParticipant', 'mutation', [], sel('removeParticipant')),
  d('group.leave', 'mutation', [], sel('leaveChat')),
  d('contacts.shouldShareContact', 'read', [], sel('namePhotoShouldOffer')),
  d('contacts.shareContactCard', 'mutation', [], sel('namePhotoShare')),
  d('handles.check', 'read', [], sel('checkIMessageAvailability', false)),
];

const BY_NAME = new Map<string, ImsgMethodDescriptor>(IMSG_V1_METHOD_DESCRIPTORS.flatMap((x) => x.names.map((n) => [n, x] as const)));

export function methodDescriptor(method: string): ImsgMethodDescriptor | undefined {
  return BY_NAME.get(method);
}

/** The lane a line runs on: unknown methods and unparseable lines are control. */
export function laneOf(method: string | undefined): ImsgLane {
  return (method === undefined ? undefined : BY_NAME.get(method)?.lane) ?? 'control';
}

/** What the database offers right now (RPCDatabaseSnapshot): undefined features = not ready. */
export interface DatabaseReadiness {
  ready: boolean;
  features?: { scheduled_messages: boolean; balloon_payloads: boolean; reactions: boolean } | undefined;
}

/** What the bridge probe reported (RPCBridgeSnapshot). */
export interface BridgeReadiness {
  bridgeVersion?: number | undefined;
  v2Ready?: boolean | undefined;
  registryAvailable?: boolean | undefined;
  eventPathUsable: boolean;
  selectors: Readonly<Record<string, boolean>>;
}

/** Whether a bridge snapshot meets a requirement (RPCBridgeSnapshot.supports). */
export function bridgeSupports(bridge: BridgeReadiness, req: BridgeRequirement | undefined): boolean {
  if (req === undefined) return true;
  if (bridge.bridgeVersion === undefined || bridge.v2Ready !== true) return false;
  if (req.registry && bridge.registryAvailable !== true) return false;
  if (req.eventPath && !bridge.eventPathUsable) return false;
  if (!req.allSelectors.every((s) => bridge.selectors[s] === true)) return false;
  return req.anySelectors.length === 0 || req.anySelectors.some((s) => bridge.selectors[s] === true);
}

/** `methods` of status/initialize: usable now, given database and bridge readiness. */
export function usableMethods(db: DatabaseReadiness, bridge: BridgeReadiness): string[] {
  return IMSG_V1_METHOD_DESCRIPTORS.filter((x) => {
    for (const req of x.database) {
      if (req === 'ready' && !db.ready) return false;
      if (req === 'scheduled_messages' && db.features?.scheduled_messages !== true) return false;
      if (req === 'balloon_payloads' && db.features?.balloon_payloads !== true) return false;
      if (req === 'reactions' && db.features?.reactions !== true) return false;
    }
    return bridgeSupports(bridge, x.bridge);
  }).flatMap((x) => x.names);
}
