import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HubClient } from '@imsg-hub/hub-client';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { startFleet } from './support/fleet.js';

// Issue 12: a send whose outcome imsg cannot know (`-32001 may_have_completed` on a send that cannot
// be tracked: a first message to a new handle) is `in_doubt` at the hub — visible to clients, never
// re-sent on a timer, not holding up its chat — until the operator settles it with
// `imsg-hub send --resolve KEY sent|resend`. Real hub, agent and imsg-sim 0.15 processes; the sim's
// chat.db counts what physically went out.

const ALICE = 'alice@example.com';

describe('sends in doubt through real processes', () => {
  it('stays in doubt without holding its chat, and is settled only by the operator: sent, or resent once', async () => {
    await using tmp = tempDir('in-doubt-e2e-');
    const faults = join(tmp.path, 'faults.json');
    writeFileSync(faults, '{}');
    await using fleet = await startFleet({
      dir: tmp.path,
      accounts: [{ name: 'alice', handles: [ALICE], via: 'local', simArgs: ['--faults', faults] }],
      hubConfig: { send: { doubt_check_ms: 200 } },
    });
    await using client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken, reconnect: true });
    const cli = (args: string[]) => fleet.hub.cli([...args, '--token', fleet.clientToken], { NO_COLOR: '1' });
    const outgoing = (text: string) =>
      fleet.world
        .account('alice')
        .outgoingRows()
        .filter((r) => r.text === text).length;
    await waitFor(async () => (await client.call('accounts.list', {})).accounts.find((a) => a.name === 'alice')?.capabilities, 20_000);

    // 1. A first message to a new handle cannot go through send.tracked; imsg answers "may have completed".
    writeFileSync(faults, JSON.stringify({ next_send: 'may_have_completed' }));
    const doubted = await cli(['send', 'alice/+14155550177', '--text', 'did it arrive?', '--key', 'doubt-1', '--wait', '15000']);
    expect(doubted.code, doubted.stderr).toBe(2);
    expect(doubted.stdout).toMatch(/^in_doubt via alice .*key=doubt-1/);
    expect(doubted.stdout).toContain('imsg-hub send --resolve doubt-1 sent');
    expect(outgoing('did it arrive?')).toBe(1); // the sim wrote it, then said it could not confirm
    const health = (await client.call('accounts.list', {})).accounts.find((a) => a.name === 'alice')!;
    expect(health.outbox).toMatchObject({ in_doubt: 1, dispatched: 0 });
    expect((await cli(['accounts'])).stdout).toMatch(/^alice .* outbox=0q\/0d\/1 in doubt /m);

    // 2. Its chat is not held: the next send to the same handle goes out now.
    expect(await client.call('send', { target: 'alice/+14155550177', text: 'and this one', wait_ms: 15_000 })).toMatchObject({ state: 'sent' });
    // The hub asked the agent again (every 200 ms here) and was told nothing new: it was not re-sent.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await client.call('send.status', { idempotency_key: 'doubt-1' })).toMatchObject({ state: 'in_doubt' });
    expect(outgoing('did it arrive?')).toBe(1);

    // 3. The operator saw it arrive: recorded sent, nothing sent.
    const sent = await cli(['send', '--resolve', 'doubt-1', 'sent', '--json']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ state: 'sent', result: { resolved_by: 'operator' } });
    expect(outgoing('did it arrive?')).toBe(1);
    const again = await cli(['send', '--resolve', 'doubt-1', 'resend']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/doubt-1 is sent, not in doubt/);

    // 4. Another in doubt; the operator says it did not arrive: sent once more, exactly once.
    writeFileSync(faults, JSON.stringify({ next_send: 'may_have_completed' }));
    const second = await client.call('send', { target: 'alice/+14155550188', text: 'second try', idempotency_key: 'doubt-2', wait_ms: 15_000 });
    expect(second.state).toBe('in_doubt');
    const resent = await cli(['send', '--resolve', 'doubt-2', 'resend', '--json']);
    expect(resent.code, resent.stdout + resent.stderr).toBe(0);
    expect(JSON.parse(resent.stdout)).toMatchObject({ state: 'sent', account: 'alice' });
    expect(outgoing('second try')).toBe(2); // the operator's call: the first had in fact gone
    expect(await client.call('send', { target: 'alice/+14155550188', text: 'second try', idempotency_key: 'doubt-2', wait_ms: 2000 })).toMatchObject({
      state: 'sent',
    });
    expect(outgoing('second try')).toBe(2);
    const bad = await cli(['send', '--resolve', 'doubt-2', 'maybe']);
    expect(bad.stderr).toMatch(/say "sent" if the message arrived, or "resend"/);
  }, 120_000);
});
