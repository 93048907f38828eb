import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SimWorld, createChatDbFile, type InjectSpec } from '@imsg-hub/sim';
import { binPath, repoRoot } from '@imsg-hub/fleet';

// A simulated account for the agent's tests: a chat.db in Apple's schema that imsg-sim serves,
// plus helpers to write incoming rows (as Messages would) and to count what was sent.

export const ACCOUNT_HANDLE = '+15550000001';

/**
 * A world file at `path` with one simulated Mac per name: `<name>/chat.db` beside it, reachable at
 * `<name>@example.com` (or the handle `handles` gives the name).
 */
export function exampleWorld(path: string, names: readonly string[], handles: Readonly<Record<string, string>> = {}): SimWorld {
  return SimWorld.create(
    { version: 1, accounts: names.map((name) => ({ name, db: `${name}/chat.db`, handles: [handles[name] ?? `${name}@example.com`] })) },
    path,
  );
}
export const PEER_HANDLE = '+15557654321';

export class SimAccount {
  readonly db: string;
  #world: SimWorld | undefined;

  constructor(dir: string, options: { file?: string; overwrite?: boolean } = {}) {
    this.db = join(dir, options.file ?? 'chat.db');
    createChatDbFile(this.db, { handles: [ACCOUNT_HANDLE], overwrite: options.overwrite ?? false });
  }

  /** Writes incoming messages; returns their rowids. */
  inject(...specs: (Partial<InjectSpec> & { text?: string })[]): number[] {
    this.#world ??= SimWorld.single(this.db);
    return specs.map((s) => this.#world!.inject({ from: PEER_HANDLE, ...s }).rows[0]!.rowid);
  }

  injectTexts(count: number, prefix = 'msg'): number[] {
    return this.inject(...Array.from({ length: count }, (_, i) => ({ text: `${prefix} ${i + 1}` })));
  }

  /** Outgoing rows (is_from_me) with this text, or all of them. */
  countOutgoing(text?: string): number {
    const db = new Database(this.db, { readonly: true });
    try {
      const row =
        text === undefined
          ? db.prepare('SELECT COUNT(*) AS n FROM message WHERE is_from_me = 1').get()
          : db.prepare('SELECT COUNT(*) AS n FROM message WHERE is_from_me = 1 AND text = ?').get(text);
      return (row as { n: number }).n;
    } finally {
      db.close();
    }
  }

  /** Sends as the account would from Messages itself (an outgoing row, no imsg involved). */
  sendDirect(text: string): number {
    this.#world ??= SimWorld.single(this.db);
    return this.#world.send({ account: this.#world.accounts[0]!.name, to: PEER_HANDLE, text }).rows[0]!.rowid;
  }

  /** Path and size of the files attached to outgoing rows. */
  outgoingFiles(): { filename: string; transfer_name: string }[] {
    const db = new Database(this.db, { readonly: true });
    try {
      return db
        .prepare(
          'SELECT a.filename, a.transfer_name FROM attachment a JOIN message_attachment_join j ON j.attachment_id = a.ROWID JOIN message m ON m.ROWID = j.message_id WHERE m.is_from_me = 1',
        )
        .all() as { filename: string; transfer_name: string }[];
    } finally {
      db.close();
    }
  }

  close(): void {
    this.#world?.close();
    this.#world = undefined;
  }
}

/** argv to run imsg-sim as the account's "imsg" child: cli_path and args for a local source. */
export function simCommand(): { cliPath: string; args: string[] } {
  return { cliPath: binPath('imsg-sim'), args: ['--poll-ms', '50'] };
}

/** The misbehaving fixture child (see fixtures/misbehaving-imsg.mjs). */
export function misbehavingCommand(mode: 'stall-watch' | 'mute' | 'crash-on-send', marker: string, after = 0): { cliPath: string; args: string[] } {
  return {
    cliPath: join(repoRoot(), 'packages', 'testkit', 'fixtures', 'misbehaving-imsg.mjs'),
    args: ['--mode', mode, '--marker', marker, '--after', String(after), '--poll-ms', '50'],
  };
}

/** Reads the agent's saved cursor straight from its state file. */
export function savedCursor(stateDir: string, account: string): { epoch: number; acked: number } | undefined {
  const db = new Database(join(stateDir, 'agent.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT epoch, acked FROM cursor WHERE account = ?').get(account) as { epoch: number; acked: number } | undefined;
  } finally {
    db.close();
  }
}
