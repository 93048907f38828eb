import { BRIDGE_NOT_STARTED, type BridgeReadiness, type BridgeStatus } from '@imsg-hub/imsg-protocol';
import { SimError } from '../errors.js';

/** `--bridge ready|absent`: whether the simulated IMCore bridge (`imsg launch`) is running. */
export type SimBridgeMode = 'ready' | 'absent';

export function parseBridgeMode(value: string | undefined): SimBridgeMode {
  if (value === undefined || value === '' || value === 'ready') return 'ready';
  if (value === 'absent') return 'absent';
  throw new SimError('BAD_OPTION', `--bridge must be ready or absent, not "${value}"`);
}

/**
 * The helper selectors the simulated bridge reports. True means the simulator performs the action
 * and writes chat.db as Messages would; false means it does not simulate it (clients gate on it).
 */
export const SIM_BRIDGE_SELECTORS: Readonly<Record<string, boolean>> = {
  sendMessage: true,
  clientMessageGuid: true,
  clientMessageGuidReservation: true,
  emojiTapbackSend: true,
  sendAttachment: true,
  sendMultipart: true,
  sendReaction: true,
  typing: true,
  read: true,
  checkIMessageAvailability: true,
  editMessageItem: true,
  editMessageItemTranslation: false,
  editMessage: false,
  retractMessagePart: true,
  deleteMessage: true,
  notifyAnyways: true,
  setDisplayName: true,
  updateGroupPhoto: true,
  addParticipant: true,
  removeParticipant: true,
  leaveChat: true,
  markChatUnread: true,
  createChat: false,
  deleteChat: false,
  removeChat: false,
  stickerSend: false,
  stickerAttach: false,
  pollPayloadMessage: false,
  pollVoteMessage: false,
  namePhotoShouldOffer: false,
  namePhotoShare: false,
};

/** The v2 helper's protocol version the simulated bridge reports. */
export const SIM_BRIDGE_VERSION = 2;

/** One process's view of the simulated bridge: its readiness snapshot and the status block. */
export class SimBridge {
  readonly mode: SimBridgeMode;

  constructor(mode: SimBridgeMode) {
    this.mode = mode;
  }

  get ready(): boolean {
    return this.mode === 'ready';
  }

  /** RPCBridgeSnapshot for method gating; the event log is usable whenever the bridge runs. */
  readiness(): BridgeReadiness {
    if (!this.ready) return { eventPathUsable: false, selectors: {} };
    return { bridgeVersion: SIM_BRIDGE_VERSION, v2Ready: true, registryAvailable: true, eventPathUsable: true, selectors: SIM_BRIDGE_SELECTORS };
  }

  /** The `bridge` block of status/initialize (§1.6): no `selectors` key when the lock is absent. */
  status(): BridgeStatus {
    if (!this.ready) return { ready: false, error: BRIDGE_NOT_STARTED };
    return { ready: true, bridge_version: SIM_BRIDGE_VERSION, v2_ready: true, registry_available: true, selectors: { ...SIM_BRIDGE_SELECTORS } };
  }

  selector(name: string): boolean {
    return this.ready && SIM_BRIDGE_SELECTORS[name] === true;
  }
}
