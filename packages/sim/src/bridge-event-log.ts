import { appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The IMCore bridge's event log (`.imsg-events.jsonl`; on a Mac it sits in the Messages container):
 * one JSON object per line, `{event, ts, data}`. The simulator keeps it beside the account's chat.db;
 * the world appends what other people do (typing), and `bridge.events.subscribe` tails it.
 */
export function eventLogPath(dbPath: string): string {
  return join(dirname(dbPath), '.imsg-events.jsonl');
}

export interface BridgeLogEvent {
  event: string;
  ts?: string | undefined;
  data: Record<string, unknown>;
}

/** Appends one event line (a single write, so a tailer never sees half a line). */
export function appendBridgeEvent(dbPath: string, event: BridgeLogEvent): void {
  appendFileSync(eventLogPath(dbPath), JSON.stringify(event) + '\n');
}
