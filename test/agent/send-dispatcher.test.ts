import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RpcError } from '@imsg-hub/jsonrpc';
import { describe, expect, it } from 'vitest';
import { SendLedger, StateDb, attemptId } from '@imsg-hub/agent';
import { HubError } from '@imsg-hub/hub-protocol';
import { SimWorld } from '@imsg-hub/sim';
import { PEER_HANDLE, misbehavingCommand, waitFor } from '@imsg-hub/testkit';
import { startSimAgent, untilRunning } from '../support/agent-harness.js';

// send.dispatch end to end through the agent core into imsg-sim (0.15 unless a fixture says
// otherwise): the sim's chat.db tells how many physical sends happened.

const to = (text: string) => ({ to: PEER_HANDLE, text });

describe('SendDispatcher', () => {
  it('sends once and answers every redelivery of the key with the first outcome', async () => {
    await using t = await startSimAgent();
    await untilRunning(t.hub);
    const send = { key: 'k-1', account: 'alice', params: to('hello once') };
    const [a, b] = await Promise.all([t.hub.dispatch(send), t.hub.dispatch(send)]);
    const c = await t.hub.dispatch(send);
    expect(a).toMatchObject({ status: 'sent', result: { ok: true, transport: 'applescript' } });
    expect(typeof (a as { result: { id?: number } }).result.id).toBe('number');
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(t.sim.countOutgoing('hello once')).toBe(1);
  });

  it('refuses a send past its deadline that it never started, and sends one within it', async () => {
    await using t = await startSimAgent();
    await untilRunning(t.hub);
    const late = await t.hub.dispatch({ key: 'k-late', account: 'alice', params: to('too late'), not_after: Date.now() - 1 });
    expect(late).toMatchObject({ status: 'failed', error: { code: -32015, data: { code: 'SEND_EXPIRED' } } });
    expect(t.sim.countOutgoing('too late')).toBe(0);
    const inTime = await t.hub.dispatch({ key: 'k-in-time', account: 'alice', params: to('in time'), not_after: Date.now() + 60_000 });
    expect(inTime).toMatchObject({ status: 'sent' });
    expect(t.sim.countOutgoing('in time')).toBe(1);
  });

  it("returns imsg's error verbatim and never retries a failed key", async () => {
    await using t = await startSimAgent();
    await untilRunning(t.hub);
    const send = { key: 'k-bad', account: 'alice', params: { chat_id: 999, text: 'nowhere' } };
    const failed = { status: 'failed', error: { code: -32602, message: 'Invalid params', data: 'unknown chat_id 999' } };
    expect(await t.hub.dispatch(send)).toEqual(failed);
    expect(await t.hub.dispatch(send)).toEqual(failed);
    const err = await t.hub.imsgCall('alice', 'typing', { chat_id: 999 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).toJSON()).toEqual({ code: -32602, message: 'Invalid params', data: 'unknown chat_id 999' });
  });

  it('keeps a send whose imsg died mid-send in doubt: never sent twice, never re-sent on a guess', async () => {
    // The fixture is imsg 0.9 (no send.tracked): nothing can prove what happened to the send.
    await using t = await startSimAgent({ command: (dir) => misbehavingCommand('crash-on-send', join(dir, 'crashed-once')) });
    await untilRunning(t.hub);
    const send = { key: 'k-crash', account: 'alice', params: to('did it go?') };
    const first = await t.hub.dispatch(send).catch((e: unknown) => e);
    expect(HubError.from(first)?.hubCode).toBe('SEND_IN_DOUBT');
    expect((first as RpcError).data).toMatchObject({ retryable: true });
    await waitFor(() => t.agent.runner('alice')?.state === 'running' && t.agent.runner('alice')?.restarts === 1, 10_000);
    const again = await t.hub.dispatch(send).catch((e: unknown) => e);
    expect(HubError.from(again)?.hubCode).toBe('SEND_IN_DOUBT');
    expect(t.sim.countOutgoing('did it go?')).toBe(1);
  });

  it('after a crash, settles tracked keys by message.send_status (re-issuing one under its own guid) and keeps untracked ones in doubt', async () => {
    const went = attemptId('k-went', 'alice');
    const lost = attemptId('k-lost', 'alice');
    await using t = await startSimAgent({
      prepare: (sim, state) => {
        // A tracked send that reached Messages just before the crash: its row carries the guid.
        const world = SimWorld.single(sim.db);
        world.send({ account: world.accounts[0]!.name, to: PEER_HANDLE, text: 'went before the crash', guid: went });
        world.close();
        const db = new StateDb(state);
        const ledger = new SendLedger(db.db);
        ledger.recordPassing('k-went', 'alice', { ...to('went before the crash'), attempt_id: went }, Date.now() - 500, {
          method: 'send.tracked',
          attemptId: went,
        });
        ledger.recordPassing('k-lost', 'alice', { ...to('never went'), attempt_id: lost }, Date.now() - 500, { method: 'send.tracked', attemptId: lost });
        ledger.recordPassing('k-plain', 'alice', to('untracked, unknown'), Date.now() - 500);
        db.close();
      },
    });
    await untilRunning(t.hub);
    expect(await t.hub.dispatch({ key: 'k-went', account: 'alice', params: to('went before the crash') })).toMatchObject({
      status: 'sent',
      result: { guid: went, resolved_by: 'message.send_status' },
    });
    expect(await t.hub.dispatch({ key: 'k-lost', account: 'alice', params: to('never went') })).toMatchObject({
      status: 'sent',
      result: { guid: lost, transport: 'bridge' },
    });
    const plain = await t.hub.dispatch({ key: 'k-plain', account: 'alice', params: to('untracked, unknown') }).catch((e: unknown) => e);
    expect(HubError.from(plain)?.hubCode).toBe('SEND_IN_DOUBT');
    expect(t.sim.countOutgoing('went before the crash')).toBe(1);
    expect(t.sim.countOutgoing('never went')).toBe(1);
    expect(t.sim.countOutgoing('untracked, unknown')).toBe(0);
    // A redelivery of any of them changes nothing.
    expect(await t.hub.dispatch({ key: 'k-lost', account: 'alice', params: to('never went') })).toMatchObject({ status: 'sent', result: { guid: lost } });
    expect(t.sim.countOutgoing('never went')).toBe(1);
  });

  it('sends a file from the hub through a private temp dir, removed afterwards', async () => {
    const tempRoot = (dir: string): string => {
      mkdirSync(join(dir, 'tmp'), { recursive: true });
      return join(dir, 'tmp');
    };
    await using t = await startSimAgent({ tempRoot });
    await untilRunning(t.hub);
    const bytes = randomBytes(300_000);
    const sha256 = t.hub.putBlob(bytes);
    const file = { sha256, name: 'photo.jpg', size: bytes.length };
    expect(await t.hub.dispatch({ key: 'k-file', account: 'alice', params: to('see attached'), file })).toMatchObject({ status: 'sent' });
    const files = t.sim.outgoingFiles();
    expect(files.map((f) => f.transfer_name)).toEqual(['photo.jpg']);
    const stored = readFileSync(files[0]!.filename.replace(/^~/, process.env['HOME'] ?? ''));
    expect(createHash('sha256').update(stored).digest('hex')).toBe(sha256);
    expect(readdirSync(join(t.dir, 'tmp'))).toEqual([]);
    const big = { sha256: t.hub.putBlob(randomBytes(1024 * 1024 + 1)), name: 'big.bin', size: 1024 * 1024 + 1 };
    expect(await t.hub.dispatch({ key: 'k-big', account: 'alice', params: { to: PEER_HANDLE }, file: big })).toMatchObject({
      status: 'failed',
      error: { data: { code: 'PAYLOAD_TOO_LARGE' } },
    });
    expect(readdirSync(join(t.dir, 'tmp'))).toEqual([]);
  });
});
