import { appendFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { eventLogPath } from '../bridge-event-log.js';
import { DbChangeSource } from '../db-change-source.js';
import type { SimLog } from '../sim-log.js';
import { SimWorld } from '../world.js';
import { WorldActions } from '../world-actions.js';
import type { ChatDbReaderV1 } from './chat-db-reader-v1.js';
import { DatabaseResource } from './database-resource.js';
import { FaultSwitch } from './fault-switch.js';
import { DEFAULT_RECEIPT_MS, ReceiptClock } from './receipt-clock.js';
import { SimBackendV1 } from './sim-backend-v1.js';
import { SimBridge, type SimBridgeMode } from './sim-bridge.js';
import type { V1Context } from './v1-context.js';

export interface OpenBackendV1Options {
  dbPath: string;
  worldFile?: string | undefined;
  /** The version `status` prints (IMSG_VERSION may override). */
  version: string;
  bridge?: SimBridgeMode | undefined;
  pollMs?: number | undefined;
  /** TEST-ONLY fault control file (docs/simulator.md). */
  faultsFile?: string | undefined;
  receiptMs?: number | undefined;
  log?: SimLog | undefined;
}

/**
 * imsg 0.15 never fails to start: the database is opened per request (§2.1). The world is read
 * from the db's meta when it can be; an unreadable or missing db plays a lone account.
 */
function worldFor(dbPath: string, worldFile: string | undefined, log: SimLog | undefined): { world: SimWorld; account: string } {
  try {
    if (existsSync(dbPath) || worldFile) return SimWorld.forDb(dbPath, worldFile);
  } catch (err) {
    log?.warn({ error: (err as Error).message }, 'world unavailable; playing a lone account');
  }
  const world = SimWorld.single(existsSync(dbPath) ? dbPath : resolve(dbPath), { account: 'default' });
  return { world, account: world.accounts[0]!.name };
}

export function openSimBackendV1(o: OpenBackendV1Options): SimBackendV1 {
  const log = o.log;
  const dbPath = resolve(o.dbPath);
  const faults = new FaultSwitch(o.faultsFile, (why) => log?.warn({ why }, 'fault file ignored'));
  const db = new DatabaseResource(dbPath, faults);
  const bridge = new SimBridge(o.bridge ?? 'ready');
  const { world, account } = worldFor(dbPath, o.worldFile, log);
  const actions = new WorldActions(world);
  const receipts = new ReceiptClock(actions, o.receiptMs ?? DEFAULT_RECEIPT_MS);
  const eventLog = eventLogPath(dbPath);
  // A running bridge keeps its event log; `imsg launch` creates it.
  if (bridge.ready && existsSync(dirname(eventLog))) appendFileSync(eventLog, '');
  const changes = new Map<ChatDbReaderV1, DbChangeSource>();
  const ctx: V1Context = {
    version: o.version,
    db,
    bridge,
    faults,
    world,
    account,
    actions,
    receipts,
    eventLog,
    pollMs: o.pollMs ?? 5000,
    changesOf(reader) {
      let source = changes.get(reader);
      if (!source) {
        source = new DbChangeSource(reader.path);
        changes.set(reader, source);
      }
      return source;
    },
    log,
  };
  return new SimBackendV1(ctx, () => {
    receipts.close();
    for (const source of changes.values()) source.close();
    db.close();
    world.close();
  });
}
