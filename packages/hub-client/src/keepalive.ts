import { PeerError, type Peer } from '@imsg-hub/jsonrpc';

/** Pings in a row left unanswered before a link counts as dead. */
export const KEEPALIVE_MISSES = 2;

/**
 * Pings the hub every `intervalMs` (each ping may take that long) and calls `onDead` once when
 * two in a row go unanswered: a half-open connection (a sleeping laptop, a NAT that forgot it)
 * never errors by itself. One ping at a time. Returns the function that stops it.
 */
export function startKeepalive(peer: Peer, intervalMs: number, onDead: (missed: number) => void): () => void {
  let missed = 0;
  let busy = false;
  let dead = false;
  const timer = setInterval(() => {
    if (busy || dead) return;
    busy = true;
    peer
      .request('ping', { ts: Date.now() }, { timeoutMs: intervalMs })
      .then(() => {
        missed = 0;
      })
      .catch((err: unknown) => {
        // Only silence counts: a closed link reports itself, an error answer is an answer.
        if (!(err instanceof PeerError) || err.failure !== 'RPC_TIMEOUT') return;
        missed += 1;
        if (missed >= KEEPALIVE_MISSES && !dead) {
          dead = true;
          onDead(missed);
        }
      })
      .finally(() => {
        busy = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
