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
