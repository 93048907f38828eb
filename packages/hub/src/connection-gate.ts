import type { Socket } from 'node:net';
import { HubError } from '@imsg-hub/hub-protocol';
import type { Limits } from './config.js';

type GateLimits = Pick<Limits, 'max_connections' | 'max_connections_per_address' | 'max_connections_per_token'>;

/** `::ffff:127.0.0.1` and `127.0.0.1` are one address. */
function addressOf(socket: Socket): string {
  const a = socket.remoteAddress ?? '?';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/**
 * Connection caps: open TCP connections in total and per address (counted from accept, so a
 * connection that never sends a byte counts too), and hello'd connections per token.
 */
export class ConnectionGate {
  readonly #limits: GateLimits;
  #total = 0;
  readonly #byAddress = new Map<string, number>();
  readonly #byToken = new Map<string, number>();

  constructor(limits: GateLimits) {
    this.#limits = limits;
  }

  get open(): number {
    return this.#total;
  }

  /**
   * Counts a new TCP connection until it closes, or says why it is refused (then it is not counted).
   * The text is shown to the peer.
   */
  admitSocket(socket: Socket): string | undefined {
    const address = addressOf(socket);
    const fromAddress = this.#byAddress.get(address) ?? 0;
    if (this.#total >= this.#limits.max_connections) {
      return `the hub has ${this.#total} connections open, its limit (limits.max_connections); try again later`;
    }
    if (fromAddress >= this.#limits.max_connections_per_address) {
      return `${address} has ${fromAddress} connections open to the hub, its limit (limits.max_connections_per_address); close some first`;
    }
    this.#total++;
    this.#byAddress.set(address, fromAddress + 1);
    socket.once('close', () => {
      this.#total--;
      const left = (this.#byAddress.get(address) ?? 1) - 1;
      if (left > 0) this.#byAddress.set(address, left);
      else this.#byAddress.delete(address);
    });
    return undefined;
  }

  /** Counts a connection that said hello with `tokenId`; returns its release. Throws TOO_MANY_CONNECTIONS. */
  claimToken(tokenId: string): () => void {
    const n = this.#byToken.get(tokenId) ?? 0;
    const max = this.#limits.max_connections_per_token;
    if (n >= max) {
      throw new HubError(
        'TOO_MANY_CONNECTIONS',
        `token ${tokenId} already has ${n} connections open, its limit (limits.max_connections_per_token); close one, or give each program its own token`,
        { limit: max },
      );
    }
    this.#byToken.set(tokenId, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#byToken.get(tokenId) ?? 1) - 1;
      if (left > 0) this.#byToken.set(tokenId, left);
      else this.#byToken.delete(tokenId);
    };
  }
}
