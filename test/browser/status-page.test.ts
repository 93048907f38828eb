import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir } from '@imsg-hub/testkit';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startFleet } from '../support/fleet.js';
import { launchChromium, openPage } from './chromium.js';

// Issue 6, status page: a real hub with agents for two simulated accounts (and a third configured
// with no agent), loaded in headless Debian Chromium. Each account and its state is shown, live
// messages arrive tagged by account, message text is never markup, and a token sees only its accounts.
const SCREENSHOT = join(repoRoot(), 'test-results', 'status-page.png');

const card = (account: string, agent: string, state: string) => `[data-account="${account}"][data-agent="${agent}"][data-imsg-state="${state}"]`;

/** Waits for a message row whose text is exactly `text` and returns its account tags. */
async function messageTags(page: Page, text: string): Promise<string[]> {
  const row = page.locator('li.message').filter({ has: page.locator('.text', { hasText: text }) });
  await row.first().waitFor();
  expect(await row.count()).toBe(1);
  expect(await row.locator('.text').textContent()).toBe(text);
  return row.locator('.tag').allTextContents();
}

describe('status page in Chromium', () => {
  it('shows every account with its agent and imsg state, live messages tagged by account, as text', async () => {
    await using browser = await launchChromium();
    await using tmp = tempDir('status-page-');
    const faults = join(tmp.path, 'faults.json');
    writeFileSync(faults, '{}');
    await using fleet = await startFleet({
      dir: tmp.path,
      accounts: [
        { name: 'alice', handles: ['alice@example.com', '+14155550101'], via: 'local', simArgs: ['--faults', faults] },
        { name: 'bob', handles: ['bob@example.com'], via: 'local' },
      ],
      hubConfig: {
        accounts: {
          alice: { handles: ['alice@example.com', '+14155550101'] },
          bob: { handles: ['bob@example.com'] },
          carol: { handles: ['carol@example.com'] },
        },
      },
      // Frequent watchdog probes report the Mac's newest rowid: the page then shows a cursor lag.
      agentConfig: { watchdog: { probe_interval_ms: 300, stall_ms: 60_000, probe_timeout_ms: 20_000 } },
    });
    fleet.world.inject({ account: 'alice', from: '+14155550123', text: 'Lunch at 1?' });
    fleet.world.inject({ account: 'bob', from: 'sam@example.org', text: 'Deck is in the shared folder' });

    const { page, errors } = await openPage(browser, `${fleet.hub.httpUrl}status#token=${encodeURIComponent(fleet.clientToken)}`);
    for (const account of ['alice', 'bob']) await page.locator(card(account, 'connected', 'running')).waitFor();
    await page.locator(card('carol', 'offline', 'unknown')).waitFor();
    for (const [account, state] of [
      ['alice', 'imsg running'],
      ['bob', 'imsg running'],
      ['carol', 'imsg unknown'],
    ] as const) {
      const c = page.locator(`[data-account="${account}"]`);
      expect(await c.locator('.name').textContent()).toBe(account);
      expect(await c.locator('.imsg-state').textContent()).toBe(state);
      expect(await c.locator('.agent-state').textContent()).toBe(account === 'carol' ? 'agent offline' : 'agent connected');
    }
    // The token left the address bar as soon as the page read it.
    expect(page.url()).not.toContain('token');
    expect(await messageTags(page, 'Lunch at 1?')).toEqual(['alice']);
    expect(await messageTags(page, 'Deck is in the shared folder')).toEqual(['bob']);

    // Live: markup in a message stays text, and a group both accounts are in arrives once, tagged twice.
    const hostile = `<img src=x onerror="window.__pwned=1"> <b>bold</b> & "quoted"`;
    fleet.world.inject({ account: 'bob', from: '+14155550188', text: hostile });
    expect(await messageTags(page, hostile)).toEqual(['bob']);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('#messages img, #messages b').count()).toBe(0);
    const members = ['alice@example.com', 'bob@example.com', '+14155550123'];
    fleet.world.inject({ from: '+14155550123', text: 'Dinner at ours on Friday?', group: { name: 'Family', members } });
    expect((await messageTags(page, 'Dinner at ours on Friday?')).sort()).toEqual(['alice', 'bob']);
    // Counts and lag follow on the next accounts.list poll.
    await page.locator('[data-account="bob"] dd', { hasText: /^3$/ }).waitFor();
    for (const account of ['alice', 'bob']) await page.locator(`[data-account="${account}"] dd`, { hasText: /^0 rows$/ }).waitFor();

    // A send whose outcome alice's imsg cannot confirm stays in doubt: the page says so, in her card and above.
    writeFileSync(faults, JSON.stringify({ next_send: 'may_have_completed' }));
    const doubted = await fleet.hub.cli(['send', 'alice/+14155550177', '--text', 'did it arrive?', '--wait', '15000', '--token', fleet.clientToken]);
    expect(doubted.code, doubted.stderr).toBe(2);
    await page.locator('[data-account="alice"] dd', { hasText: '0 queued · 0 dispatched · 1 in doubt' }).waitFor();
    await page
      .locator('#summary .stat', { has: page.locator('.label', { hasText: 'sends in doubt' }) })
      .locator('.value', { hasText: /^1$/ })
      .waitFor();

    mkdirSync(join(repoRoot(), 'test-results'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(errors).toEqual([]);
  }, 120_000);

  it('applies the token’s scope, and asks again for a token the hub refuses', async () => {
    await using browser = await launchChromium();
    await using tmp = tempDir('status-scope-');
    await using fleet = await startFleet({
      dir: tmp.path,
      accounts: [
        { name: 'alice', handles: ['alice@example.com'], via: 'local' },
        { name: 'bob', handles: ['bob@example.com'], via: 'local' },
      ],
    });
    const aliceOnly = await fleet.hub.token('client', ['alice'], 'status-alice');
    fleet.world.inject({ account: 'alice', from: '+14155550123', text: 'for alice' });
    fleet.world.inject({ account: 'bob', from: '+14155550123', text: 'for bob' });

    const scoped = await openPage(browser, `${fleet.hub.httpUrl}status#token=${aliceOnly}`);
    await scoped.page.locator(card('alice', 'connected', 'running')).waitFor();
    expect(await messageTags(scoped.page, 'for alice')).toEqual(['alice']);
    expect(await scoped.page.locator('[data-account]').count()).toBe(1);
    expect(await scoped.page.locator('.message .text', { hasText: 'for bob' }).count()).toBe(0);
    expect(scoped.errors).toEqual([]);

    // A browser opening `/` lands on the page; a bad token brings back the form with the hub's words.
    const refused = await openPage(browser, `${fleet.hub.httpUrl}#token=ihub_aaaaaaaaaa_${'x'.repeat(43)}`);
    await refused.page.locator('#login-error', { hasText: 'invalid token' }).waitFor();
    expect(new URL(refused.page.url()).pathname).toBe('/status');
    expect(await refused.page.locator('#dashboard').isHidden()).toBe(true);
    await refused.page.locator('#token-input').fill(fleet.clientToken);
    await refused.page.locator('#login-form button').click();
    for (const account of ['alice', 'bob']) await refused.page.locator(card(account, 'connected', 'running')).waitFor();
  }, 120_000);
});
