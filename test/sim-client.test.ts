// imsg-sim rpc as a real child, driven through the JSON-RPC library's ImsgClient.
import { spawn } from 'node:child_process';
import { expect, test } from 'vitest';
import { LineStreamTransport } from '@imsg-hub/jsonrpc';
import { ImsgClient, type ImsgMessage } from '@imsg-hub/imsg-protocol';
import { SimWorld } from '@imsg-hub/sim';
import { binPath, tempDir, waitFor } from '@imsg-hub/testkit';

test('subscribe, receive an injected row, send, and find the sent row', async () => {
  await using dir = tempDir('sim-client-');
  await using world = SimWorld.create({ version: 1, accounts: [{ name: 'me', db: 'me/chat.db', handles: ['me@example.com'] }] }, dir.join('world.json'));
  const child = spawn(process.execPath, [binPath('imsg-sim'), 'rpc', '--imsg-version', '0.9.0', '--db', world.info('me').dbPath], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const client = new ImsgClient(new LineStreamTransport(child.stdout, child.stdin), { defaultTimeoutMs: 10_000 });
  try {
    expect(await client.chatsList(1)).toEqual({ chats: [] });
    const received: ImsgMessage[] = [];
    const sub = await client.subscribe({ debounce_ms: 20, attachments: true, include_reactions: true }, { message: (m) => received.push(m) });
    const injected = world.inject({ from: '+14155550101', text: 'ping from test' });
    await waitFor(() => received.find((m) => m.guid === injected.guid));
    expect(received[0]).toMatchObject({ text: 'ping from test', sender: '+14155550101', is_from_me: false, destination_caller_id: 'me@example.com' });

    const sent = await client.send({ chat_id: received[0]!.chat_id, text: 'pong' });
    expect(sent).toMatchObject({ ok: true, transport: 'applescript' });
    expect(world.account('me').messageByGuid(sent.guid!)).toMatchObject({ rowid: sent.id, isFromMe: true, text: 'pong', chatGuid: 'iMessage;-;+14155550101' });
    // The sender's own watch sees its outgoing row too, as imsg does.
    await waitFor(() => received.find((m) => m.guid === sent.guid && m.is_from_me));
    await sub.unsubscribe();
  } finally {
    await client.close();
  }
  expect(await exited).toBe(0);
});
