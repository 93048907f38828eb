import {
  AGENT_NOTIFICATIONS,
  AGENT_TO_HUB,
  type AgentHelloParams,
  type AgentHelloResult,
  dispatchMethod,
  HubError,
  type MethodHandlers,
  PROTOCOL_VERSION,
  type Row,
  type RowBlob,
} from '@imsg-hub/hub-protocol';
import type { TokenRecord } from '@imsg-hub/store';
import type { Logger } from 'pino';
import type { AgentLink } from './agent-registry.js';
import type { Connection, Session } from './connection.js';
import { uploaderRef } from './blob-access.js';
import { uploadHandlers } from './upload-methods.js';
import type { HubContext } from './hub-context.js';
import type { IngestBatch, IngestOutcome } from './model/ingest-plan.js';
import { tokenAllows } from './token-auth.js';

/** What an agent may call on the hub: its requests and its notifications. */
const AGENT_CALLS = { ...AGENT_TO_HUB, ...AGENT_NOTIFICATIONS };

/** An agent after hello: publishes rows for the accounts its token names, and takes dispatches. */
export class AgentSession implements Session, AgentLink {
  readonly agentId: string = '';
  readonly connectedAt = new Date().toISOString();
  readonly #conn: Connection;
  readonly #ctx: HubContext;
  readonly #token: TokenRecord;
  #log: Logger;
  readonly #handlers: MethodHandlers<typeof AGENT_CALLS>;
  readonly #accounts = new Set<string>();
  /** Per account, resolved once the latest batch was handed to the ingest queue. */
  readonly #handedOver = new Map<string, Promise<void>>();

  constructor(conn: Connection, ctx: HubContext, token: TokenRecord, log: Logger) {
    this.#conn = conn;
    this.#ctx = ctx;
    this.#token = token;
    this.#log = log;
    this.#handlers = this.#makeHandlers();
  }

  async start(hello: AgentHelloParams): Promise<AgentHelloResult> {
    const refused = hello.accounts.filter((a) => !tokenAllows(this.#token, a));
    if (refused.length) {
      throw new HubError(
        'TOKEN_SCOPE',
        `agent token ${this.#token.id} may not publish for ${refused.join(', ')}; create a token naming them (imsg-hub token create --role agent --accounts ...)`,
        { refused },
      );
    }
    (this as { agentId: string }).agentId = hello.agent.id;
    this.#log = this.#log.child({ agentId: hello.agent.id, role: 'agent' });
    const accounts = [];
    for (const name of hello.accounts) {
      const a = await this.#ctx.model.ensureAccount(name);
      this.#accounts.add(name);
      accounts.push({ name, epoch: a.epoch, hwm: a.hwm });
    }
    this.#ctx.registry.claim(hello.accounts, this);
    this.#ctx.metrics.agentLinks.set(this.#ctx.registry.linkCount());
    this.#log.info({ accounts: hello.accounts, version: hello.agent.version }, 'agent connected');
    return {
      protocol: PROTOCOL_VERSION,
      hub_version: this.#ctx.version,
      session: this.#conn.id,
      accounts,
      max_frame_bytes: this.#ctx.config.max_frame_bytes,
      ping_interval_ms: this.#ctx.config.ping_interval_ms,
      max_file_bytes: this.#ctx.config.send.max_file_bytes,
    };
  }

  /** One handler per method of the table: a missing one fails the typecheck. */
  #makeHandlers(): MethodHandlers<typeof AGENT_CALLS> {
    return {
      rows: async (p) => {
        this.#own(p.account);
        const outcome = await this.#submitInOrder(p.account, async () => {
          const rows = await Promise.all(p.rows.map((row) => this.#ownBlobsOnly(p.account, row)));
          return { account: p.account, epoch: p.epoch, rows, ...(p.after !== undefined ? { after: p.after } : {}) };
        });
        if (!outcome.ok && outcome.reason === 'ROWS_GAP') {
          throw new HubError(
            'ROWS_GAP',
            `account ${p.account}: rows after ${outcome.current} up to ${p.after} were not stored (an earlier batch failed); resend from the hub's high-water mark ${outcome.current}`,
            { hwm: outcome.current },
          );
        }
        if (!outcome.ok) {
          throw new HubError(
            'STALE_EPOCH',
            `account ${p.account} is at epoch ${outcome.current}, not ${p.epoch}; reconnect and resume from the hub's high-water mark`,
            { epoch: outcome.current },
          );
        }
        return { account: outcome.account, epoch: outcome.epoch, acked: outcome.acked };
      },
      'epoch.new': async (p) => {
        this.#own(p.account);
        const a = await this.#ctx.model.newEpoch(p.account);
        this.#log.warn({ account: p.account, epoch: a.epoch, reason: p.reason }, 'chat.db replaced: new epoch');
        return { name: a.name, epoch: a.epoch, hwm: a.hwm };
      },
      'account.state': (p) => {
        this.#own(p.account);
        this.#ctx.registry.setState(p);
        return {};
      },
      'send.receipt': async (p) => {
        this.#own(p.account);
        await this.#ctx.outbox.receipt(p.account, p.key, p.status, p.at);
        return {};
      },
      'chat.typing': (p) => {
        this.#own(p.account);
        const chat = this.#ctx.model.findChat({ account: p.account, guid: p.chat_guid })[0];
        this.#ctx.watch.typing({ account: p.account, chatId: chat?.id, chatGuid: p.chat_guid, typing: p.typing, at: p.at ?? new Date().toISOString() });
        return {};
      },
      'chats.unread': (p) => {
        this.#own(p.account);
        this.#ctx.model.unread.report(p.account, p.chats);
        return {};
      },
      'blob.read': async (p) => {
        // Only files for its own accounts: attachments of their messages, or files of sends to them.
        const accounts = [...this.#accounts];
        const refs = await this.#ctx.store.blobOwners(p.sha256);
        if (!refs.some((r) => accounts.includes(r)) && (await this.#ctx.store.outbox({ file: { sha256: p.sha256, accounts }, limit: 1 })).length === 0) {
          throw new HubError('NOT_FOUND', `no blob ${p.sha256} for the accounts this agent serves`);
        }
        return this.#ctx.blobs.read(p.sha256, p.offset, p.length);
      },
      ping: () => ({ ts: Date.now() }),
      ...uploadHandlers(this.#ctx, { connection: this.#conn.id, tokenId: this.#token.id }),
    };
  }

  /** An agent request or notification (`account.state`). */
  handle(method: string, params: unknown): Promise<unknown> {
    return dispatchMethod(AGENT_CALLS, this.#handlers, method, params);
  }

  request(method: string, params: unknown, timeoutMs?: number): Promise<unknown> {
    return this.#conn.peer.request(method, params, timeoutMs === undefined ? {} : { timeoutMs });
  }

  release(account: string): void {
    this.#accounts.delete(account);
    this.#log.warn({ account }, 'another agent link took over this account');
  }

  closed(): void {
    this.#ctx.registry.drop(this);
    this.#ctx.blobs.abortOwner(this.#conn.id);
    this.#ctx.metrics.agentLinks.set(this.#ctx.registry.linkCount());
  }

  /**
   * Hands batches of one account to the ingest queue in the order they arrived, though checking a
   * batch is async: a later batch overtaking an earlier one would move the high-water mark past it.
   * Only the hand-over is ordered; commits still group batches that are in flight together.
   */
  async #submitInOrder(account: string, prepare: () => Promise<IngestBatch>): Promise<IngestOutcome> {
    const before = this.#handedOver.get(account);
    let handedOver!: () => void;
    const mine = new Promise<void>((resolve) => {
      handedOver = resolve;
    });
    this.#handedOver.set(account, mine);
    let outcome: Promise<IngestOutcome>;
    try {
      await before;
      outcome = this.#ctx.ingest.submit(await prepare());
    } finally {
      handedOver();
      if (this.#handedOver.get(account) === mine) this.#handedOver.delete(account);
    }
    return outcome;
  }

  /**
   * A row may name only blobs this agent's token uploaded (or that its account already has): an
   * agent must not make another account's attachment visible by naming its sha256.
   */
  async #ownBlobsOnly(account: string, row: Row): Promise<Row> {
    if (!row.blobs?.some((b) => b.sha256)) return row;
    const blobs = [];
    for (const b of row.blobs) {
      blobs.push(await this.#ownBlob(account, row, b));
    }
    return { ...row, blobs };
  }

  async #ownBlob(account: string, row: Row, b: RowBlob): Promise<RowBlob> {
    if (!b.sha256) return b;
    const refs = await this.#ctx.store.blobOwners(b.sha256);
    if (refs.includes(uploaderRef(this.#token.id)) || refs.includes(account)) return b;
    this.#log.warn({ account, rowid: row.rowid, sha256: b.sha256 }, 'row names a blob this agent did not upload; dropped the reference');
    return { index: b.index, state: 'failed' };
  }

  #own(account: string): void {
    if (this.#accounts.has(account)) return;
    if (!tokenAllows(this.#token, account)) {
      throw new HubError('TOKEN_SCOPE', `agent token ${this.#token.id} may not publish for ${account}; nothing was stored`, {
        account,
      });
    }
    throw new HubError('TOKEN_SCOPE', `this link does not serve ${account} (name it in hello, or another agent took it over)`, { account });
  }
}
