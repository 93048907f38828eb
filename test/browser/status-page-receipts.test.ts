import { HubClient } from '@imsg-hub/hub-client';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { startFleet } from '../support/fleet.js';
import { launchChromium, openPage } from './chromium.js';

// Issue 13 "Views": the status page shows a message's receipts (delivered, read, with times) for
// recent sends. A send from alice to bob (another simulated account) is delivered and then read on
// bob's Mac; the page, opened after it was delivered, shows the send and its steps, and follows the
// read live, on the send's row and on the sent message's row.

const ALICE = 'alice@example.com';
const BOB = '+14155550102';

describe('status page receipts in Chromium', () => {
  it('lists recent sends with delivered and read times, and marks the sent message as they arrive', async () => {
    await using browser = await launchChromium();
    await using tmp = tempDir('status-receipts-');
    await using fleet = await startFleet({
      dir: tmp.path,
      accounts: [
        { name: 'alice', handles: [ALICE], via: 'local', simArgs: ['--receipt-ms', '30'] },
        { name: 'bob', handles: [BOB], via: 'local', simArgs: ['--receipt-ms', '30'] },
      ],
    });
    await using client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken });
    const sent = await client.call('send', { target: `alice/${BOB}`, text: 'Are we still on?', idempotency_key: 'page-1', wait_ms: 15_000 });
    expect(sent).toMatchObject({ state: 'sent' });
    await client.call('send.status', { idempotency_key: 'page-1', wait_ms: 20_000, wait_for: 'delivered' });

    // Opened after delivery: sends.recent brings the send with its delivered time.
    const { page, errors } = await openPage(browser, `${fleet.hub.httpUrl}status#token=${encodeURIComponent(fleet.clientToken)}`);
    const sendRow = page.locator('li.send[data-key="page-1"][data-send-account="alice"]');
    await page.locator('li.send[data-key="page-1"][data-state="delivered"]').waitFor();
    expect(await sendRow.locator('.target').textContent()).toBe(`alice/${BOB}`);
    expect(await sendRow.locator('.send-state').textContent()).toBe('delivered');
    expect(await sendRow.locator('.chip.receipt').allTextContents()).toEqual([expect.stringMatching(/^delivered \d\d:\d\d:\d\d/)]);
    // The sent message's row says so too (alice's copy: from me).
    const messageRow = page.locator('li.message.from-me').filter({ has: page.locator('.text', { hasText: 'Are we still on?' }) });
    await messageRow.locator('.chip.receipt[data-delivery="delivered"]').waitFor();

    // bob reads it on his Mac: the page follows live (send.status), with the read time.
    const chat = await waitFor(async () => (await client.call('chats.list', {})).chats.find((c) => c.account === 'bob' && c.identifier === ALICE), 20_000);
    await client.call('imsg.call', { account: 'bob', method: 'read', params: { chat_id: chat.id } });
    await page.locator('li.send[data-key="page-1"][data-state="read"]').waitFor();
    const chips = await sendRow.locator('.chip.receipt').allTextContents();
    expect(chips).toEqual([expect.stringMatching(/^delivered /), expect.stringMatching(/^read \d\d:\d\d:\d\d/)]);
    await messageRow.locator('.chip.receipt[data-delivery="read"]').waitFor();
    expect(await messageRow.locator('.chip.receipt').textContent()).toMatch(/^✓✓ read \d\d:\d\d:\d\d/);
    expect(errors).toEqual([]);
  }, 120_000);
});
