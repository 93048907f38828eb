// imsg-hub status page. A client of the hub's own WebSocket API (docs/hub-protocol.md): hello with a
// client token, `accounts.list` and `sends.recent` on an interval, `watch.subscribe {batch: true,
// include_sends: true}` for live messages and sends' receipts.
// The token never appears in a URL the server sees or logs. All data goes into the DOM as text
// (textContent), never as HTML.

const TOKEN_KEY = 'imsg-hub.status.token';
const POLL_MS = 2000;
const RECENT = 50;
const KEEP = 200;

const $ = (id) => document.getElementById(id);

/** Creates an element with a class and text; children appended as given. */
function el(tag, className, text, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const child of children) if (child) node.append(child);
  return node;
}

/** Distinct hues for account colours (none red: red means trouble on this page). */
const HUES = [217, 165, 265, 28, 320, 135, 192, 45];
const accountHues = new Map();

/** An account's hue: by its place in the account list, so the first accounts never share one. */
function hueOf(name) {
  if (!accountHues.has(name)) {
    let h = 0;
    for (const c of name) h = (h * 31 + c.codePointAt(0)) >>> 0;
    return HUES[h % HUES.length];
  }
  return accountHues.get(name);
}

function ago(iso) {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '—';
  const s = Math.max(0, Math.round((Date.now() - t) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

function clock(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const today = new Date().toDateString() === d.toDateString();
  return today
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : d.toLocaleDateString([], { month: 'short', day: 'numeric' });
}

const IMSG_TONE = { running: 'ok', starting: 'warn', restarting: 'warn', stalled: 'bad', failed: 'bad', stopped: 'idle', unknown: 'idle' };

/** JSON-RPC 2.0 over one WebSocket, one message per frame. */
class RpcSocket {
  #ws;
  #next = 1;
  #pending = new Map();

  constructor(url, { onNotification, onClose }) {
    this.#ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.#ws.addEventListener('open', () => resolve());
      this.#ws.addEventListener('error', () => reject(new Error('cannot reach the hub')));
    });
    this.#ws.addEventListener('message', (event) => {
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        return;
      }
      if (msg.id !== undefined && msg.id !== null && this.#pending.has(msg.id)) {
        const { resolve, reject } = this.#pending.get(msg.id);
        this.#pending.delete(msg.id);
        if (msg.error) reject(Object.assign(new Error(msg.error.message), { code: msg.error.data?.code }));
        else resolve(msg.result);
      } else if (msg.method) {
        onNotification(msg.method, msg.params);
      }
    });
    this.#ws.addEventListener('close', () => {
      for (const { reject } of this.#pending.values()) reject(new Error('connection closed'));
      this.#pending.clear();
      onClose();
    });
  }

  call(method, params) {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  close() {
    this.#ws.close();
  }
}

/** The page: sign-in, connection with reconnects, and rendering. */
class StatusPage {
  #socket;
  #token;
  #poll;
  #backoff = 500;
  #lastId = 0;
  #subscription;
  #messages = [];
  #sends = new SendBook();
  #stopped = false;

  start() {
    const fragment = new URLSearchParams(location.hash.slice(1));
    if (fragment.get('token')) {
      sessionStorage.setItem(TOKEN_KEY, fragment.get('token'));
      // Off the address bar and history: the token is not for bookmarks or screen shares.
      history.replaceState(null, '', location.pathname + location.search);
    }
    $('login-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const value = $('token-input').value.trim();
      if (!value) return;
      sessionStorage.setItem(TOKEN_KEY, value);
      $('token-input').value = '';
      this.#connect();
    });
    $('forget').addEventListener('click', () => this.#signOut(''));
    this.#connect();
  }

  #connect() {
    this.#token = sessionStorage.getItem(TOKEN_KEY);
    if (!this.#token) return this.#showLogin('');
    this.#stopped = false;
    $('login').hidden = true;
    $('forget').hidden = false;
    this.#setConn('warn', 'connecting…');
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`;
    const socket = (this.#socket = new RpcSocket(url, {
      onNotification: (method, params) => this.#onNotification(method, params),
      onClose: () => this.#onClose(socket),
    }));
    socket.opened.then(() => this.#hello(socket)).catch(() => undefined);
  }

  async #hello(socket) {
    let hello;
    try {
      hello = await socket.call('hello', { protocol: 1, role: 'client', token: this.#token, client: { name: 'status-page' } });
    } catch (err) {
      if (['UNAUTHORIZED', 'WRONG_ROLE', 'PROTOCOL_VERSION'].includes(err.code)) return this.#signOut(err.message);
      return socket.close(); // reconnects with backoff
    }
    this.#backoff = 500;
    $('dashboard').hidden = false;
    $('banner').hidden = true;
    $('hub-version').textContent = `v${hello.hub_version}`;
    this.#setConn('ok', 'live');
    await this.#refresh(socket);
    // First connection: the last few messages, then live. After a reconnect: from the last one seen.
    const since = this.#lastId > 0 ? this.#lastId : Math.max(0, hello.seq - RECENT);
    try {
      const r = await socket.call('watch.subscribe', { since, batch: true, include_sends: true });
      this.#subscription = r.subscription;
    } catch (err) {
      this.#showBanner(`Live messages unavailable: ${err.message}`);
    }
    clearInterval(this.#poll);
    this.#poll = setInterval(() => void this.#refresh(socket), POLL_MS);
  }

  async #refresh(socket) {
    if (socket !== this.#socket) return;
    try {
      const [{ accounts }, { sends }] = await Promise.all([socket.call('accounts.list', {}), socket.call('sends.recent', { limit: SendBook.SIZE })]);
      this.#renderAccounts(accounts);
      for (const o of sends) this.#sends.note(o);
      this.#sends.render();
      this.#renderMessages(false);
      $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
    } catch (err) {
      this.#showBanner(`accounts.list failed: ${err.message}`);
    }
  }

  #onNotification(method, params) {
    if (method === 'messages' && params?.subscription === this.#subscription) this.#addMessages(params.messages);
    else if (method === 'message' && params?.subscription === this.#subscription) this.#addMessages([params.message]);
    else if (method === 'send.status' && params?.subscription === this.#subscription && params.outcome) {
      this.#sends.note(params.outcome);
      this.#sends.render();
      this.#renderMessages(false);
    }
  }

  #onClose(socket) {
    if (socket !== this.#socket) return;
    clearInterval(this.#poll);
    this.#subscription = undefined;
    if (this.#stopped) return;
    this.#setConn('bad', 'reconnecting…');
    this.#showBanner('Connection to the hub lost; reconnecting. The figures below may be stale.');
    setTimeout(() => this.#connect(), this.#backoff);
    this.#backoff = Math.min(this.#backoff * 2, 10_000);
  }

  #signOut(message) {
    this.#stopped = true;
    sessionStorage.removeItem(TOKEN_KEY);
    clearInterval(this.#poll);
    this.#socket?.close();
    this.#socket = undefined;
    this.#showLogin(message);
  }

  #showLogin(message) {
    $('dashboard').hidden = true;
    $('forget').hidden = true;
    $('login').hidden = false;
    $('login-error').hidden = !message;
    $('login-error').textContent = message;
    this.#setConn('idle', 'not connected');
    $('token-input').focus();
  }

  #setConn(tone, text) {
    $('conn').dataset.state = tone;
    $('conn').textContent = text;
  }

  #showBanner(text) {
    $('banner').textContent = text;
    $('banner').hidden = false;
  }

  #renderAccounts(accounts) {
    accounts.forEach((a, i) => {
      accountHues.set(a.name, HUES[i % HUES.length]);
    });
    const connected = accounts.filter((a) => a.agent.connected).length;
    const pending = accounts.reduce((n, a) => n + a.outbox.queued + a.outbox.dispatched, 0);
    // Sends in doubt wait for an operator (`imsg-hub send --resolve KEY sent|resend`): never hidden.
    const doubted = accounts.reduce((n, a) => n + (a.outbox.in_doubt ?? 0), 0);
    const stored = accounts.reduce((n, a) => n + a.messages, 0);
    const lags = accounts.map((a) => a.lag).filter((lag) => lag !== undefined);
    const stat = (value, label) => el('div', 'card stat', null, el('div', 'value', value), el('div', 'label', label));
    $('summary').replaceChildren(
      stat(accounts.length, accounts.length === 1 ? 'account' : 'accounts'),
      stat(`${connected} / ${accounts.length}`, 'agents connected'),
      stat(stored.toLocaleString(), 'messages stored'),
      stat(pending, 'sends pending'),
      stat(doubted, 'sends in doubt'),
      stat(lags.length ? Math.max(...lags) : '—', 'largest cursor lag (rows)'),
    );
    $('accounts').replaceChildren(...accounts.map((a) => this.#accountCard(a)));
  }

  #accountCard(a) {
    const state = a.agent.connected ? a.imsg.state : 'unknown';
    const card = el('article', 'card account');
    card.dataset.account = a.name;
    card.dataset.agent = a.agent.connected ? 'connected' : 'offline';
    card.dataset.imsgState = state;
    card.style.setProperty('--hue', String(hueOf(a.name)));

    const agentPill = el('span', 'pill agent-state', a.agent.connected ? 'agent connected' : 'agent offline');
    agentPill.dataset.state = a.agent.connected ? 'ok' : 'bad';
    const imsgPill = el('span', 'pill imsg-state', `imsg ${state}`);
    imsgPill.dataset.state = IMSG_TONE[state] ?? 'idle';
    card.append(el('header', null, null, el('span', 'name', a.name), el('span', 'badges', null, agentPill, imsgPill)));
    if (a.imsg.detail) card.append(el('p', 'detail', a.imsg.detail));

    const facts = el('dl', 'facts');
    const fact = (label, value) => facts.append(el('dt', null, label), el('dd', null, value));
    fact('Agent', a.agent.connected ? `${a.agent.id ?? '?'} · since ${ago(a.agent.since)}` : 'not connected');
    fact('Cursor', `${a.cursor.epoch}:${a.cursor.hwm}`);
    fact('Lag', a.lag === undefined ? '—' : `${a.lag} ${a.lag === 1 ? 'row' : 'rows'}`);
    fact('Messages', a.messages.toLocaleString());
    fact('Last message', a.last_row_at ? ago(a.last_row_at) : '—');
    fact('Outbox', `${a.outbox.queued} queued · ${a.outbox.dispatched} dispatched · ${a.outbox.in_doubt ?? 0} in doubt`);
    fact('imsg restarts', a.imsg.restarts ?? 0);
    const c = a.capabilities;
    fact('imsg', c ? `${c.version}${c.protocol_version ? ` · protocol ${c.protocol_version}` : ''}` : 'not reported');
    if (c) {
      fact('Database', c.database_ready ? 'ready' : 'unavailable');
      fact('Bridge', c.bridge_ready ? 'ready' : c.bridge_error ? `not running: ${c.bridge_error}` : 'not running');
      const actions = ['tapback', 'message.edit', 'message.unsend', 'handles.check'].filter((m) => c.methods.includes(m));
      const emoji = (c.features?.['tapback.emoji'] ?? 0) >= 2 ? ' · emoji tapbacks' : '';
      fact('Actions', actions.length ? `${actions.join(', ')}${emoji}` : 'none (needs imsg 0.15 and imsg launch)');
    }
    card.append(facts);
    return card;
  }

  #addMessages(messages) {
    for (const m of messages) {
      if (m.id <= this.#lastId) continue;
      this.#lastId = m.id;
      this.#messages.unshift({ message: m, fresh: true });
    }
    this.#messages.length = Math.min(this.#messages.length, KEEP);
    this.#renderMessages(true);
  }

  #renderMessages(animate) {
    $('messages-empty').hidden = this.#messages.length > 0;
    $('messages').replaceChildren(
      ...this.#messages.map((entry) => {
        const row = this.#messageRow(entry.message, animate && entry.fresh);
        entry.fresh = false;
        return row;
      }),
    );
  }

  #messageRow(m, fresh) {
    const row = el('li', 'message');
    row.dataset.id = String(m.id);
    if (fresh) row.classList.add('fresh');
    if (m.is_from_me) row.classList.add('from-me');
    if (m.is_reaction) row.classList.add('reaction');

    const time = el('time', null, clock(m.created_at));
    time.dateTime = m.created_at;
    time.title = new Date(m.created_at).toLocaleString();

    const tags = el('span', 'tags');
    for (const account of m.accounts?.length ? m.accounts : [m.account]) {
      const tag = el('span', 'tag', account);
      tag.style.setProperty('--hue', String(hueOf(account)));
      tags.append(tag);
    }
    const chatName = m.chat_name || m.chat_identifier || `chat ${m.chat_id}`;
    // A direct chat is named after the other person: say who wrote only where that adds something.
    const who = m.is_from_me ? `you, as ${m.account}` : m.is_group || m.sender !== m.chat_identifier ? m.sender_name || m.sender : '';
    const where = el('div', 'where', null, el('span', 'chat', chatName), who ? el('span', 'who', `${m.is_from_me ? '→' : '←'} ${who}`) : null);
    where.title = `${chatName} · hub chat ${m.chat_id}`;

    const text = m.is_reaction ? `${m.reaction_emoji || m.reaction_type || 'reaction'} to a message` : m.text;
    const meta = el('span', 'meta');
    if (m.attachments?.length) meta.append(el('span', 'chip', `📎 ${m.attachments.length}`));
    if (m.reply_to_guid) meta.append(el('span', 'chip', '↩ reply'));
    if (m.replay) meta.append(el('span', 'chip', 'replay'));
    const r = m.is_from_me ? this.#sends.receiptOf(m.guid) : undefined;
    if (r && r.delivery !== 'sent') {
      const chip = el('span', 'chip receipt', `${r.delivery === 'read' ? '✓✓ read' : '✓ delivered'}${r.at ? ` ${clock(r.at)}` : ''}`);
      chip.dataset.delivery = r.delivery;
      if (r.at) chip.title = new Date(r.at).toLocaleString();
      meta.append(chip);
    }
    const body = el('div', 'body', null, el('span', 'text', text || (m.attachments?.length ? '(attachment)' : '')), meta.childElementCount ? meta : null);

    row.append(time, tags, where, body);
    return row;
  }
}

new StatusPage().start();
