import type { ImsgV1Call } from '@imsg-hub/imsg-protocol';
import type { DbChangeSource } from '../db-change-source.js';
import type { SimLog } from '../sim-log.js';
import type { SimWorld } from '../world.js';
import type { WorldActions } from '../world-actions.js';
import type { ChatDbReaderV1 } from './chat-db-reader-v1.js';
import type { DatabaseResource } from './database-resource.js';
import type { FaultSwitch } from './fault-switch.js';
import type { ReceiptClock } from './receipt-clock.js';
import type { SimBridge } from './sim-bridge.js';

/** Everything a 0.15 handler works with: one account's chat.db, its world, bridge and faults. */
export interface V1Context {
  /** The version `status` reports (IMSG_VERSION may override the simulated one). */
  readonly version: string;
  readonly db: DatabaseResource;
  readonly bridge: SimBridge;
  readonly faults: FaultSwitch;
  readonly world: SimWorld;
  /** The account this chat.db plays in the world. */
  readonly account: string;
  readonly actions: WorldActions;
  readonly receipts: ReceiptClock;
  /** The account's bridge event log. */
  readonly eventLog: string;
  /** Fallback poll period of watch subscriptions. */
  readonly pollMs: number;
  /** File-change events of a reader's chat.db (one source per database generation). */
  changesOf(reader: ChatDbReaderV1): DbChangeSource;
  readonly log: SimLog | undefined;
}

/** One method of the 0.15 surface. */
export type V1Handler = (ctx: V1Context, call: ImsgV1Call) => Promise<unknown> | unknown;
