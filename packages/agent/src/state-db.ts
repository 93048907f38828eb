import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AgentError } from './errors.js';

// Numbered, append-only migrations of the agent's own state file. Never edit a released one.
const MIGRATIONS: readonly string[] = [
  // 001-cursor: the acked cursor per account, and recent acked rows (rowid → guid) for the
  // chat.db-replacement check.
  `CREATE TABLE cursor (
     account TEXT PRIMARY KEY,
     epoch INTEGER NOT NULL,
     acked INTEGER NOT NULL,
     last_row_at TEXT,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE seen (
     account TEXT NOT NULL,
     rowid INTEGER NOT NULL,
     guid TEXT NOT NULL,
     PRIMARY KEY (account, rowid)
   ) WITHOUT ROWID;
   CREATE INDEX seen_by_guid ON seen (account, guid);`,
  // 002-send-ledger: keys already passed to imsg send, and their outcome.
  `CREATE TABLE send_ledger (
     key TEXT PRIMARY KEY,
     account TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('passing', 'sent', 'failed')),
     params TEXT NOT NULL,
     passed_at INTEGER NOT NULL,
     result TEXT,
     error TEXT,
     echo_rowid INTEGER,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX send_ledger_echo ON send_ledger (account, echo_rowid);`,
  // 003-typed-outcomes: a key imsg may or may not have applied is `in_doubt` (never re-sent on a
  // guess); the imsg method a key goes to (send, tapback, message.edit, …); the caller-chosen
  // message guid of a tracked send (send.tracked, resolvable by message.send_status).
  `CREATE TABLE send_ledger_v3 (
     key TEXT PRIMARY KEY,
     account TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('passing', 'in_doubt', 'sent', 'failed')),
     method TEXT NOT NULL DEFAULT 'send',
     params TEXT NOT NULL,
     attempt_id TEXT,
     passed_at INTEGER NOT NULL,
     result TEXT,
     error TEXT,
     doubt TEXT,
     echo_rowid INTEGER,
     updated_at INTEGER NOT NULL
   );
   INSERT INTO send_ledger_v3 (key, account, state, params, passed_at, result, error, echo_rowid, updated_at)
     SELECT key, account, state, params, passed_at, result, error, echo_rowid, updated_at FROM send_ledger;
   DROP TABLE send_ledger;
   ALTER TABLE send_ledger_v3 RENAME TO send_ledger;
   CREATE INDEX send_ledger_echo ON send_ledger (account, echo_rowid);
   CREATE INDEX send_ledger_open ON send_ledger (account, state) WHERE state IN ('passing', 'in_doubt');`,
  // 004-receipts: how far the recipient's device got with a sent message (delivered, read), as
  // reported to the hub; recent sends not yet read are polled with message.send_status.
  `ALTER TABLE send_ledger ADD COLUMN receipt TEXT CHECK (receipt IN ('delivered', 'read'));
   CREATE INDEX send_ledger_receipts ON send_ledger (account, updated_at) WHERE state = 'sent' AND receipt IS NOT 'read';`,
];

/** The agent's state file (`<state_dir>/agent.sqlite`, WAL): cursors and the send ledger. */
export class StateDb {
  readonly db: Database.Database;
  readonly path: string;

  constructor(stateDir: string) {
    this.path = join(stateDir, 'agent.sqlite');
    try {
      mkdirSync(stateDir, { recursive: true, mode: 0o700 });
      this.db = new Database(this.path);
      this.db.pragma('journal_mode = WAL');
      // FULL: a ledger row saying "passing" must be on disk before imsg is asked to send.
      this.db.pragma('synchronous = FULL');
      this.db.pragma('busy_timeout = 5000');
      this.#migrate();
    } catch (err) {
      throw new AgentError('STATE_DB', `cannot open the agent state ${this.path}: ${(err as Error).message}. Check state_dir.`, {}, { cause: err });
    }
  }

  #migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
