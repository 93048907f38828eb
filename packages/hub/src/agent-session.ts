import { HubError, parseParams, PROTOCOL_VERSION, type AgentHelloParams, type AgentHelloResult, type Row } from '@imsg-hub/hub-protocol';
import { imsgError } from '@imsg-hub/imsg-protocol';
import type { TokenRecord } from '@imsg-hub/store';
import type { Logger } from 'pino';
import type { AgentLink } from './agent-registry.js';
import type { Connection, Session } from './connection.js';
import { uploaderRef } from './blob-access.js';
import { answerUpload } from './upload-methods.js';
import type { HubContext } from './hub-context.js';
import { tokenAllows } from './token-auth.js';

/** An agent after hello: publishes rows for the accounts its token names, and takes dispatches. */
export class AgentSession implements Session, AgentLink {
  readonly agentId: string = '';
  readonly connectedAt = new Date().toISOString();
  readonly #conn: Connection;
  readonly #ctx: HubContext;
  readonly #token: TokenRecord;
  #log: Logger;
  readonly #accounts = new Set<string>();

  constructor(conn: Connection, ctx: HubContext, token: TokenRecord, log: Logger) {
    this.#conn = conn;
    this.#ctx = ctx;
    this.#token = token;
    this.#log = log;
  }

  start(hello: AgentHelloParams): AgentHelloResult {
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
    const accounts = hello.accounts.map((name) => {
      const a = this.#ctx.store.ensureAccount(name);
      this.#accounts.add(name);
      return { name, epoch: a.epoch, hwm: a.hwm };
    });
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

  async handle(method: string, params: unknown): Promise<unknown> {
    switch (method) {
      case 'rows': {
        const p = parseParams('rows', params);
        this.#own(p.account);
        const rows = p.rows.map((row) => this.#ownBlobsOnly(p.account, row));
        const outcome = await this.#ctx.ingest.submit({ account: p.account, epoch: p.epoch, rows });
        if (!outcome.ok) {
          throw new HubError(
            'STALE_EPOCH',
            `account ${p.account} is at epoch ${outcome.current}, not ${p.epoch}; reconnect and resume from the hub's high-water mark`,
            {
              epoch: outcome.current,
            },
          );
        }
        return { account: outcome.account, epoch: outcome.epoch, acked: outcome.acked };
      }
      case 'epoch.new': {
        const p = parseParams('epoch.new', params);
        this.#own(p.account);
        const a = this.#ctx.store.newEpoch(p.account);
        this.#log.warn({ account: p.account, epoch: a.epoch, reason: p.reason }, 'chat.db replaced: new epoch');
        return { name: a.name, epoch: a.epoch, hwm: a.hwm };
      }
      case 'account.state': {
        const p = parseParams('account.state', params);
        this.#own(p.account);
        this.#ctx.registry.setState(p);
        return {};
      }
      case 'upload.begin':
      case 'upload.chunk':
      case 'upload.finish':
        return answerUpload(this.#ctx, { connection: this.#conn.id, tokenId: this.#token.id }, method, params);
      case 'blob.read': {
        const p = parseParams('blob.read', params);
        // Only files for its own accounts: attachments of their messages, or files of sends to them.
        const accounts = [...this.#accounts];
        const refs = this.#ctx.store.blobAccounts(p.sha256);
        if (!refs.some((r) => accounts.includes(r)) && !this.#ctx.store.outboxHasFile(accounts, p.sha256)) {
          throw new HubError('NOT_FOUND', `no blob ${p.sha256} for the accounts this agent serves`);
        }
        return this.#ctx.blobs.read(p.sha256, p.offset, p.length);
      }
      default:
        throw imsgError.methodNotFound(method);
    }
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
   * A row may name only blobs this agent's token uploaded (or that its account already has): an
   * agent must not make another account's attachment visible by naming its sha256.
   */
  #ownBlobsOnly(account: string, row: Row): Row {
    if (!row.blobs?.some((b) => b.sha256)) return row;
    const blobs = row.blobs.map((b) => {
      if (!b.sha256) return b;
      const refs = this.#ctx.store.blobAccounts(b.sha256);
      if (refs.includes(uploaderRef(this.#token.id)) || refs.includes(account)) return b;
      this.#log.warn({ account, rowid: row.rowid, sha256: b.sha256 }, 'row names a blob this agent did not upload; dropped the reference');
      return { index: b.index, state: 'failed' as const };
    });
    return { ...row, blobs };
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
