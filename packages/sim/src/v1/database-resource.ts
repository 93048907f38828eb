import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DATABASE_MISSING, DATABASE_UNREADABLE, imsgV1Error, type DatabaseFeatures } from '@imsg-hub/imsg-protocol';
import type { ChatDbSchema } from '../schema-probe.js';
import { ChatDbReaderV1, fileIdentity } from './chat-db-reader-v1.js';
import type { FaultSwitch } from './fault-switch.js';

/** `database` of status/initialize. */
export interface DatabaseSnapshot {
  path: string;
  ready: boolean;
  features?: DatabaseFeatures;
  error?: string;
}

/** §1.4: the six feature booleans, from the columns the schema probe found. */
export function databaseFeatures(s: ChatDbSchema): DatabaseFeatures {
  return {
    unread_state: s.hasIsRead,
    scheduled_messages: s.hasScheduleColumns,
    reactions: s.hasReactionColumns,
    reply_context: s.hasReplyToGuid || s.hasThreadOriginatorGuid,
    routing_metadata:
      s.hasDestinationCallerId || s.chatAccountColumns.accountId || s.chatAccountColumns.accountLogin || s.chatAccountColumns.lastAddressedHandle,
    balloon_payloads: s.hasBalloonBundleId && (s.hasPayloadData || s.hasMessageSummaryInfo),
  };
}

/**
 * imsg 0.15's optional, retried database (RPCDatabaseResources.swift, §2.1): startup opens nothing;
 * every database request and every status retries the open; an open reader is reused only while the
 * path still names the same file, so a replaced chat.db becomes a new generation (readers of old
 * generations stay open for the subscriptions that started on them).
 */
export class DatabaseResource {
  readonly path: string;
  readonly #faults: FaultSwitch;
  #current: ChatDbReaderV1 | undefined;
  readonly #retired: ChatDbReaderV1[] = [];

  constructor(path: string, faults: FaultSwitch) {
    this.path = resolve(path);
    this.#faults = faults;
  }

  /** The reader of the current generation, or why there is none. */
  open(): { reader: ChatDbReaderV1 } | { detail: string } {
    if (this.#faults.current().database === 'unavailable') return { detail: DATABASE_UNREADABLE };
    const identity = fileIdentity(this.path);
    if (!identity) return { detail: existsSync(this.path) ? DATABASE_UNREADABLE : DATABASE_MISSING };
    const current = this.#current;
    if (current?.identity && current.identity.dev === identity.dev && current.identity.ino === identity.ino) return { reader: current };
    try {
      const reader = new ChatDbReaderV1(this.path);
      if (current) this.#retired.push(current);
      this.#current = reader;
      return { reader };
    } catch {
      return { detail: DATABASE_UNREADABLE };
    }
  }

  /** For database-backed methods: the reader, or -32002 `Database unavailable`. */
  require(): ChatDbReaderV1 {
    const opened = this.open();
    if ('detail' in opened) throw imsgV1Error.databaseUnavailable(this.path, opened.detail);
    return opened.reader;
  }

  /** For methods that work without the database: the reader when it opens. */
  available(): ChatDbReaderV1 | undefined {
    const opened = this.open();
    return 'reader' in opened ? opened.reader : undefined;
  }

  snapshot(): DatabaseSnapshot {
    const opened = this.open();
    if ('detail' in opened) return { path: this.path, ready: false, error: opened.detail };
    return { path: this.path, ready: true, features: databaseFeatures(opened.reader.schema) };
  }

  close(): void {
    this.#current?.close();
    for (const r of this.#retired) r.close();
    this.#current = undefined;
    this.#retired.length = 0;
  }
}
