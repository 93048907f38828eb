import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { HubClient } from '@imsg-hub/hub-client';
import { HubError, type HubMessage } from '@imsg-hub/hub-protocol';
import { AgentProcess, startSshd, tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { sourceFor, startFleet } from './support/fleet.js';

// Issue 3 security tests, through real processes: a hub child, agent children, the CLI.
describe('security end to end', () => {
  it('refuses wrong and revoked tokens, and ends live connections of a revoked token', async () => {
    await using tmp = tempDir('sec-tokens-');
    await using fleet = await startFleet({ dir: tmp.path, accounts: [{ name: 'alice', handles: ['alice@example.com'], via: 'local' }] });
    const wrong = await fleet.hub.cli(['accounts', '--token', 'ihub_abcdefghij_' + 'x'.repeat(43)]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('invalid token');
    expect(wrong.stderr).toContain('imsg-hub token create');

    const listed = await fleet.hub.cli(['token', 'create', '--data-dir', fleet.hub.dataDir, '--role', 'client', '--accounts', '*', '--json']);
    const { id, token } = JSON.parse(listed.stdout) as { id: string; token: string };
    expect((await fleet.hub.cli(['accounts', '--token', token])).code).toBe(0);
    const live = await HubClient.connect({ url: fleet.hub.url, token });
    const dropped = new Promise((resolve) => live.once('disconnect', resolve));
    expect((await fleet.hub.cli(['token', 'revoke', id, '--data-dir', fleet.hub.dataDir])).code).toBe(0);
    await dropped; // the hub closes it within its revocation check interval
    const again = await fleet.hub.cli(['accounts', '--token', token]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/revoked/);
    const list = await fleet.hub.cli(['token', 'list', '--data-dir', fleet.hub.dataDir, '--json']);
    expect(list.stdout).not.toContain(token.slice('ihub_'.length + 11)); // secrets are never shown again
  }, 60_000);

  it('an agent publishing for an account its token does not name is refused and nothing is stored', async () => {
    await using tmp = tempDir('sec-scope-');
    await using fleet = await startFleet({
      dir: tmp.path,
      accounts: [
        { name: 'alice', handles: ['alice@example.com'], via: 'local' },
        { name: 'bob', handles: ['bob@example.com'], via: 'local' },
      ],
    });
    fleet.world.inject({ account: 'bob', from: '+14155550100', text: 'for bob only' });
    fleet.world.inject({ account: 'alice', from: '+14155550100', text: 'for alice' });
    // A second agent for bob's chat.db, holding alice's token.
    const aliceToken = await fleet.hub.token('agent', ['alice']);
    await using rogue = new AgentProcess({
      dir: tmp.join('rogue'),
      hubUrl: fleet.hub.url,
      token: aliceToken,
      accounts: [{ name: 'bob', source: sourceFor({ name: 'bob', handles: [], via: 'local' }, fleet.world) }],
      config: { hub: { reconnect: { initial_ms: 100, max_ms: 500 } } },
    });
    await fleet.agents.get('bob')!.kill(); // only the rogue could publish bob's rows now
    rogue.start();
    await waitFor(() => rogue.stderr.includes('TOKEN_SCOPE') || rogue.stderr.includes('may not publish'), 15_000);

    // A client scoped to bob sees only bob — and nothing of bob was stored through the rogue.
    await using admin = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken });
    await waitFor(async () => (await admin.call('accounts.list', {})).accounts.find((a) => a.name === 'alice')!.messages >= 1, 15_000);
    const bob = (await admin.call('accounts.list', {})).accounts.find((a) => a.name === 'bob')!;
    expect(bob.messages).toBe(0);

    fleet.agents.get('bob')!.start();
    const bobToken = await fleet.hub.token('client', ['bob']);
    await using bobClient = await HubClient.connect({ url: fleet.hub.url, token: bobToken });
    const seen: HubMessage[] = [];
    await bobClient.watch({ since: 0 }, (m) => seen.push(m));
    await waitFor(() => seen.length >= 1, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.map((m) => [m.account, m.text])).toEqual([['bob', 'for bob only']]);
    const chats = await fleet.hub.cli(['chats', '--json', '--token', bobToken]);
    expect(
      chats.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { account: string }).account),
    ).toEqual(['bob']);
    const denied = await bobClient.call('chats.list', { account: 'alice' }).catch((e: unknown) => e);
    expect(HubError.from(denied)?.hubCode).toBe('TOKEN_SCOPE');

    // Attachments follow the same scope: bob's token can't fetch alice's photo, even knowing its sha256.
    writeFileSync(tmp.join('alice.jpg'), randomBytes(2048));
    fleet.world.inject({ account: 'alice', from: '+14155550100', text: 'private photo', file: tmp.join('alice.jpg') });
    const photo = await waitFor(async () => {
      const { messages } = await admin.call('messages.history', { chat_id: (await admin.call('chats.list', { account: 'alice' })).chats[0]!.id });
      return messages.find((m) => m.text === 'private photo' && m.attachments[0]?.blob)?.attachments[0]?.blob;
    }, 15_000);
    expect((await admin.download(photo)).length).toBe(2048);
    expect(HubError.from(await bobClient.download(photo).catch((e: unknown) => e))?.hubCode).toBe('NOT_FOUND');
    const http = await fetch(`${fleet.hub.httpUrl}blobs/${photo}`, { headers: { authorization: `Bearer ${bobToken}` } });
    expect(http.status).toBe(404);
    const leak = await bobClient.call('send', { target: 'bob/+14155550100', file: { sha256: photo, name: 'x.jpg' } }).catch((e: unknown) => e);
    expect(HubError.from(leak)?.hubCode).toBe('NOT_FOUND');
  }, 60_000);

  it('refuses an SSH source whose host key does not match the pinned one', async () => {
    await using tmp = tempDir('sec-ssh-');
    await using sshd = await startSshd();
    await using fleet = await startFleet({ dir: tmp.path, sshd, accounts: [{ name: 'carol', handles: ['+14155550303'], via: 'ssh' }] });
    await fleet.agents.get('carol')!.kill();
    const source = { ...sourceFor({ name: 'carol', handles: [], via: 'ssh' }, fleet.world, sshd), host_key: 'SHA256:' + 'A'.repeat(43) };
    await using agent = new AgentProcess({
      dir: tmp.join('pinned-wrong'),
      hubUrl: fleet.hub.url,
      token: await fleet.hub.token('agent', ['carol']),
      accounts: [{ name: 'carol', source }],
    });
    fleet.world.inject({ account: 'carol', from: '+14155550100', text: 'must not leak' });
    agent.start();
    await waitFor(() => agent.stderr.includes('HOST_KEY_MISMATCH'), 20_000);
    expect(agent.stderr).toContain(sshd.hostKeyFingerprint); // says what the server presented
    await using admin = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken });
    const carol = (await admin.call('accounts.list', {})).accounts.find((a) => a.name === 'carol')!;
    expect(carol.messages).toBe(0);
  }, 60_000);

  it('answers malformed and oversize frames with an error and keeps serving everyone else', async () => {
    await using tmp = tempDir('sec-frames-');
    await using fleet = await startFleet({
      dir: tmp.path,
      accounts: [{ name: 'alice', handles: ['alice@example.com'], via: 'local' }],
      hubConfig: { max_frame_bytes: 65536 },
    });
    await using good = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken });
    const bad = new WebSocket(fleet.hub.url);
    await new Promise((resolve, reject) => bad.once('open', resolve).once('error', reject));
    // Said hello: before it, the first bad frame closes the connection (hardening-pre-hello.test.ts).
    bad.send(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'hello', params: { protocol: 1, role: 'client', token: fleet.clientToken } }));
    await new Promise((resolve) => bad.once('message', resolve));
    const replies: { error?: { code: number } }[] = [];
    bad.on('message', (d) => replies.push(JSON.parse(String(d)) as { error?: { code: number } }));
    bad.send('{"jsonrpc":"2.0","id":1,"method":');
    bad.send('"just a string"');
    await waitFor(() => replies.length >= 2);
    expect(replies.map((r) => r.error?.code)).toEqual([-32700, -32600]);
    const closed = new Promise<number>((resolve) => bad.once('close', resolve));
    bad.send('y'.repeat(100_000));
    expect(await closed).toBe(1009);
    fleet.world.inject({ account: 'alice', from: '+14155550100', text: 'still flowing' });
    const seen: HubMessage[] = [];
    await good.watch({ since: 0 }, (m) => seen.push(m));
    await waitFor(() => seen.some((m) => m.text === 'still flowing'), 15_000);
    // A message bigger than a frame is cut to fit (saying so) rather than stalling the account.
    fleet.world.inject({ account: 'alice', from: '+14155550100', text: 'z'.repeat(100_000) });
    fleet.world.inject({ account: 'alice', from: '+14155550100', text: 'after the big one' });
    await waitFor(() => seen.some((m) => m.text === 'after the big one'), 15_000);
    const big = seen.find((m) => m.text.startsWith('zzz'))!;
    expect(big.text).toMatch(/\[cut by imsg-agent: this message was \d+ bytes, over the hub's frame limit; \d+ characters kept\]$/);
  }, 60_000);
});
