// imsg-hub status page: recent sends and their receipts (sends.recent, then send.status
// notifications of a watch with include_sends). Loaded before status.js, whose helpers (el, $,
// clock, hueOf) it uses when called. Text only, never HTML.

/** How far a sent message got: {delivery: sent|delivered|read, at} (at: when that step happened). */
function receipt(o) {
  if (o.state !== 'sent') return undefined;
  const delivery = o.result?.delivery ?? 'sent';
  const at = delivery === 'read' ? o.result?.read_at : delivery === 'delivered' ? o.result?.delivered_at : o.updated_at;
  return { delivery, at };
}

/** Recent sends by account, creation time and key: the newest state of each. */
class SendBook {
  static SIZE = 20;
  #sends = new Map();

  /** Keeps the newest state of each send (a late sends.recent answer never moves one back). */
  note(o) {
    const id = `${o.account}\u0000${o.created_at}\u0000${o.idempotency_key}`;
    const known = this.#sends.get(id);
    if (known && known.updated_at > o.updated_at) return;
    this.#sends.set(id, o);
    if (this.#sends.size > SendBook.SIZE * 3) {
      const oldest = [...this.#sends.entries()].sort((a, b) => a[1].created_at.localeCompare(b[1].created_at))[0];
      this.#sends.delete(oldest[0]);
    }
  }

  /** A sent message's receipt, by its guid: {delivery, at} for the newest step, or undefined. */
  receiptOf(guid) {
    if (!guid) return undefined;
    for (const o of this.#sends.values()) {
      if (o.state === 'sent' && o.result?.guid === guid) return receipt(o);
    }
    return undefined;
  }

  render() {
    const sends = [...this.#sends.values()].sort((a, b) => b.created_at.localeCompare(a.created_at)).slice(0, SendBook.SIZE);
    $('sends-empty').hidden = sends.length > 0;
    $('sends').replaceChildren(...sends.map((o) => this.#row(o)));
  }

  #row(o) {
    const row = el('li', 'send');
    row.dataset.key = o.idempotency_key;
    row.dataset.sendAccount = o.account;
    const r = receipt(o);
    row.dataset.state = r ? r.delivery : o.state;
    const time = el('time', null, clock(o.created_at));
    time.dateTime = o.created_at;
    const tag = el('span', 'tag', o.account);
    tag.style.setProperty('--hue', String(hueOf(o.account)));
    const state = el('span', 'pill send-state', o.state === 'sent' ? '' : o.state.replace('_', ' '));
    state.dataset.state = { sent: 'ok', failed: 'bad', expired: 'bad', in_doubt: 'warn' }[o.state] ?? 'idle';
    if (o.state === 'sent') state.textContent = r.delivery;
    const steps = el('span', 'steps');
    if (o.result?.delivered_at) steps.append(el('span', 'chip receipt', `delivered ${clock(o.result.delivered_at)}`));
    if (o.result?.read_at) steps.append(el('span', 'chip receipt', `read ${clock(o.result.read_at)}`));
    if (o.error) steps.append(el('span', 'chip error', o.error.message));
    row.append(time, tag, el('span', 'target', o.target), state, steps);
    return row;
  }
}

// status.js creates it.
globalThis.SendBook = SendBook;
