import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { reactionCode, type ReactionType } from '@imsg-hub/imsg-protocol';
import { appleNanosFromMs } from './apple-date.js';
import { createChatDbFile } from './chat-db-file.js';
import { ChatDb } from './chat-db.js';
import { ChatDbWriter, type ServiceName } from './chat-db-writer.js';
import { newGroupGuid, newMessageGuid, writeEnvelope, type Conversation, type Envelope, type Mailbox } from './delivery.js';
import { SimError } from './errors.js';
import { handleKey, normalizeHandle } from './handle.js';
import { readSimMeta } from './sim-meta.js';
import { loadWorldFile, parseWorldConfig, resolveAccounts, type SimAccount } from './world-config.js';

/** An incoming message to write as Messages would on receipt. */
export interface InjectSpec {
  /** Receiving account; optional when `to`, the group members or a one-account world name it. */
  account?: string | undefined;
  /** Sender handle. */
  from: string;
  /** The receiving handle (`destination_caller_id`); default the account's first handle. */
  to?: string | undefined;
  text?: string | undefined;
  /** A real file, copied into each receiving account's Attachments folder. */
  file?: string | undefined;
  /** A group: new (members, optional name) or existing (guid). Members are every handle in it. */
  group?: { guid?: string | undefined; name?: string | undefined; members?: readonly string[] | undefined } | undefined;
  reaction?: { target: string; type: ReactionType; remove?: boolean | undefined; emoji?: string | undefined } | undefined;
  /** Guid of the message replied to (`thread_originator_guid`). */
  replyTo?: string | undefined;
  date?: Date | string | number | undefined;
  service?: ServiceName | undefined;
  guid?: string | undefined;
}

export interface InjectResult {
  guid: string;
  chatGuid: string;
  rows: { account: string; rowid: number; chatId: number }[];
}

/** An outgoing message from one account: to a handle, or into an existing chat of its db. */
export interface SendSpec {
  account: string;
  to?: string | undefined;
  chatGuid?: string | undefined;
  text?: string | undefined;
  file?: string | undefined;
  service?: ServiceName | undefined;
  guid?: string | undefined;
  /** Bridge extras: a threaded reply, message columns, and the sender's copy starting pending. */
  replyTo?: { guid: string; part: string } | undefined;
  columns?: Envelope['columns'];
  outgoingState?: Envelope['outgoingState'];
  /** One row holding both text and file (the bridge's captioned attachment) instead of two. */
  together?: boolean | undefined;
  /** A tapback row instead of a text (see Envelope.reaction). */
  reaction?: Envelope['reaction'];
  /** Group events: the member named (`other_handle`), who also receives the row. */
  otherHandle?: string | undefined;
}

export interface SendOutcome {
  /** The sender's rows: text first, then the file, like AppleScript's two sends. */
  rows: { rowid: number; guid: string; text: string; chatId: number }[];
  delivered: { account: string; rowid: number; guid: string }[];
}

/**
 * Several simulated accounts, each with its own chat.db: a message between two of them lands in
 * both files with one guid; a group shared by two accounts has one chat guid in both.
 */
export class SimWorld {
  readonly file: string | undefined;
  readonly accounts: readonly SimAccount[];
  readonly #writers = new Map<string, ChatDbWriter>();
  readonly #readers = new Map<string, ChatDb>();

  private constructor(accounts: SimAccount[], file: string | undefined) {
    this.accounts = accounts;
    this.file = file;
  }

  /** Writes `config` to `file` (paths relative to it) and creates every account's chat.db. */
  static create(config: unknown, file: string): SimWorld {
    const parsed = parseWorldConfig(config, file);
    mkdirSync(dirname(resolve(file)), { recursive: true });
    writeFileSync(file, JSON.stringify(parsed, null, 2) + '\n');
    return SimWorld.open(file, { create: true });
  }

  /** Opens a world file; with `create`, missing chat.dbs are created (`imsg-sim world init`). */
  static open(file: string, options: { create?: boolean } = {}): SimWorld {
    const abs = resolve(file);
    const accounts = resolveAccounts(loadWorldFile(abs), abs);
    for (const a of accounts) {
      if (existsSync(a.dbPath)) continue;
      if (!options.create) throw new SimError('DB_OPEN_FAILED', `account ${a.name}: ${a.dbPath} does not exist (run world init)`);
      createChatDbFile(a.dbPath, { handles: a.handles, world: abs, account: a.name });
    }
    return new SimWorld(accounts, abs);
  }

  /** A world of one account over a lone chat.db (handles from its meta table, if any). */
  static single(dbPath: string, options: { account?: string; handles?: readonly string[] } = {}): SimWorld {
    const abs = resolve(dbPath);
    const meta = existsSync(abs) ? readSimMeta(abs) : undefined;
    const name = options.account ?? meta?.account ?? 'default';
    return new SimWorld([{ name, dbPath: abs, handles: [...(options.handles ?? meta?.handles ?? [])] }], undefined);
  }

  /** The world a chat.db belongs to (its meta, or `worldFile` overriding) and its account there. */
  static forDb(dbPath: string, worldFile?: string): { world: SimWorld; account: string } {
    const abs = resolve(dbPath);
    const meta = readSimMeta(abs);
    const file = worldFile ?? meta?.world;
    if (file === undefined) {
      const world = SimWorld.single(abs);
      return { world, account: world.accounts[0]!.name };
    }
    const world = SimWorld.open(file);
    const account = world.accounts.find((a) => a.dbPath === abs) ?? world.accounts.find((a) => a.name === meta?.account);
    if (!account) throw new SimError('UNKNOWN_ACCOUNT', `${abs} is not an account of world ${file}`);
    return { world, account: account.name };
  }

  info(name: string): SimAccount {
    const account = this.accounts.find((a) => a.name === name);
    if (!account) throw new SimError('UNKNOWN_ACCOUNT', `no account ${name} (have ${this.accounts.map((a) => a.name).join(', ')})`);
    return account;
  }

  /** Read helpers over an account's chat.db. */
  account(name: string): ChatDb {
    return opened(this.#readers, name, () => new ChatDb(this.info(name).dbPath));
  }

  /** The account that owns a handle (phones compared in E.164, emails case-insensitively). */
  ownerOf(handle: string): SimAccount | undefined {
    const key = handleKey(handle);
    return this.accounts.find((a) => a.handles.some((h) => handleKey(h) === key));
  }

  /** The account's writable connection (plays Messages.app), opened once. */
  writer(name: string): ChatDbWriter {
    return opened(this.#writers, name, () => new ChatDbWriter(this.info(name).dbPath));
  }

  /** Writes one incoming message into every receiving account's chat.db. */
  inject(spec: InjectSpec): InjectResult {
    const from = normalizeHandle(spec.from);
    const service = spec.service ?? 'iMessage';
    const env: Envelope = {
      guid: spec.guid ?? newMessageGuid(),
      from,
      text: spec.text ?? '',
      dateNanos: appleNanosFromMs(toMs(spec.date)),
      service,
      file: spec.file === undefined ? undefined : resolve(spec.file),
      reaction: spec.reaction && {
        target: spec.reaction.target,
        code: reactionCode(spec.reaction.type, !spec.reaction.remove),
        emoji: spec.reaction.emoji,
      },
      threadOriginatorGuid: spec.replyTo,
    };
    if (env.text === '' && !env.file && !env.reaction) throw new SimError('BAD_INJECT', 'inject needs text, a file or a reaction');
    const sender = this.ownerOf(from)?.name;
    let conv: Conversation;
    const receivers = new Map<string, string>(); // account → addressed handle
    if (spec.group) {
      const guid = spec.group.guid ?? newGroupGuid(service);
      const members = (spec.group.members ?? []).map((h) => normalizeHandle(h));
      conv = { kind: 'group', guid, name: spec.group.name, members };
      for (const h of members) {
        const owner = this.ownerOf(h);
        if (owner && owner.name !== sender && !receivers.has(owner.name)) receivers.set(owner.name, h);
      }
      if (members.length === 0) {
        for (const a of this.accounts) {
          if (a.name !== sender && this.writer(a.name).chatRowId(guid) !== undefined) receivers.set(a.name, this.#handleIn(a, guid));
        }
      }
    } else {
      conv = { kind: 'direct', peer: from };
    }
    if (spec.account !== undefined && !receivers.has(spec.account)) {
      const a = this.info(spec.account);
      receivers.set(a.name, spec.to ?? (spec.group?.guid ? this.#handleIn(a, spec.group.guid) : (a.handles[0] ?? '')));
    }
    if (receivers.size === 0 && spec.to !== undefined && this.ownerOf(spec.to)) {
      receivers.set(this.ownerOf(spec.to)!.name, normalizeHandle(spec.to));
    }
    if (receivers.size === 0 && this.accounts.length === 1) receivers.set(this.accounts[0]!.name, spec.to ?? this.accounts[0]!.handles[0] ?? '');
    if (receivers.size === 0) throw new SimError('BAD_INJECT', 'inject names no receiving account (give account, to, or group members)');
    const rows = [...receivers].map(([name, handle]) => ({
      account: name,
      ...writeEnvelope(this.#mailbox(name, handle), env, conv, false),
    }));
    return { guid: env.guid, chatGuid: conv.kind === 'group' ? conv.guid : `${service};-;${from}`, rows };
  }

  /** Bulk load: every spec, one transaction per chat.db. */
  injectMany(specs: readonly InjectSpec[]): InjectResult[] {
    const writers = this.accounts.map((a) => this.writer(a.name));
    const run = (i: number): InjectResult[] => (i === writers.length ? specs.map((s) => this.inject(s)) : writers[i]!.transaction(() => run(i + 1)));
    return run(0);
  }

  /** Writes an outgoing message at the sender and delivers it to every world account it addresses. */
  send(spec: SendSpec): SendOutcome {
    const sender = this.info(spec.account);
    const service = spec.service ?? 'iMessage';
    const w = this.writer(sender.name);
    let conv: Conversation;
    let accountHandle: string;
    let recipients: string[];
    if (spec.chatGuid !== undefined) {
      const chat = w.chatRecord({ guid: spec.chatGuid });
      if (!chat) throw new SimError('UNKNOWN_CHAT', `no chat ${spec.chatGuid} in ${sender.name}'s chat.db`);
      accountHandle = chat.lastAddressedHandle || (sender.handles[0] ?? '');
      recipients = chat.participants;
      conv = chat.guid.includes(';+;')
        ? { kind: 'group', guid: chat.guid, name: chat.displayName || undefined, members: [...chat.participants, accountHandle] }
        : { kind: 'direct', peer: chat.participants[0] ?? chat.identifier };
    } else {
      const to = normalizeHandle(spec.to ?? '');
      accountHandle = sender.handles[0] ?? '';
      recipients = [to];
      conv = { kind: 'direct', peer: to };
    }
    const outcome: SendOutcome = { rows: [], delivered: [] };
    const parts: { text: string; file?: string | undefined }[] = [];
    const file = spec.file ? resolve(spec.file) : undefined;
    if (spec.together || spec.reaction || spec.columns?.itemType !== undefined) parts.push({ text: spec.text ?? '', file });
    else {
      if (spec.text) parts.push({ text: spec.text });
      if (file) parts.push({ text: '', file });
    }
    if (spec.otherHandle !== undefined) recipients = [...recipients, normalizeHandle(spec.otherHandle)];
    const date = Date.now();
    for (const part of parts) {
      const env: Envelope = {
        guid: parts.length === 1 && spec.guid ? spec.guid : newMessageGuid(),
        from: accountHandle,
        text: part.text,
        dateNanos: appleNanosFromMs(date),
        service,
        file: part.file,
        threadOriginatorGuid: spec.replyTo?.guid,
        threadOriginatorPart: spec.replyTo?.part,
        columns: spec.columns,
        outgoingState: spec.outgoingState,
        reaction: spec.reaction,
        otherHandle: spec.otherHandle === undefined ? undefined : normalizeHandle(spec.otherHandle),
      };
      const mine = writeEnvelope({ writer: w, dbPath: sender.dbPath, handles: sender.handles, accountHandle }, env, conv, true);
      outcome.rows.push({ rowid: mine.rowid, guid: env.guid, text: part.file && !part.text ? '\ufffc' : part.text, chatId: mine.chatId });
      const delivered = new Set<string>([sender.name]);
      for (const handle of recipients) {
        const owner = this.ownerOf(handle);
        if (!owner || delivered.has(owner.name)) continue;
        delivered.add(owner.name);
        const theirConv: Conversation = conv.kind === 'group' ? conv : { kind: 'direct', peer: accountHandle };
        const row = writeEnvelope(this.#mailbox(owner.name, handle), env, theirConv, false);
        outcome.delivered.push({ account: owner.name, rowid: row.rowid, guid: env.guid });
      }
    }
    return outcome;
  }

  close(): void {
    for (const w of this.#writers.values()) w.close();
    for (const r of this.#readers.values()) r.close();
    this.#writers.clear();
    this.#readers.clear();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  #mailbox(name: string, accountHandle: string): Mailbox {
    const a = this.info(name);
    return { writer: this.writer(name), dbPath: a.dbPath, handles: a.handles, accountHandle };
  }

  /** The account's handle in an existing chat, else its first handle. */
  #handleIn(account: SimAccount, chatGuid: string): string {
    return this.writer(account.name).chatRecord({ guid: chatGuid })?.lastAddressedHandle || (account.handles[0] ?? '');
  }
}

/** One connection per account, opened on first use. */
function opened<T>(cache: Map<string, T>, name: string, open: () => T): T {
  let value = cache.get(name);
  if (value === undefined) {
    value = open();
    cache.set(name, value);
  }
  return value;
}

function toMs(date: Date | string | number | undefined): number {
  if (date === undefined) return Date.now();
  if (date instanceof Date) return date.getTime();
  if (typeof date === 'number') return date;
  const ms = Date.parse(date);
  if (Number.isNaN(ms)) throw new SimError('BAD_INJECT', `date: expected an ISO-8601 date, got ${date}`);
  return ms;
}
