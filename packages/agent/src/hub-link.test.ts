import { describe, expect, it } from 'vitest';
import { captureLog, FakeHub, waitFor } from '@imsg-hub/testkit';
import { HubLink, type HubLinkOptions, type HubSession } from './hub-link.js';

function link(hub: FakeHub, extra: Partial<HubLinkOptions> = {}): { link: HubLink; ups: HubSession[]; downs: () => number; text: () => string } {
  const ups: HubSession[] = [];
  let downs = 0;
  const { log, text } = captureLog();
  const l = new HubLink({
    url: hub.url,
    token: 'tok',
    agent: { id: 'a1', version: 'test' },
    accounts: ['alice'],
    reconnect: { initial_ms: 10, max_ms: 100 },
    log,
    onRequest: async (method, params) => ({ echoed: method, params }),
    onUp: (s) => ups.push(s),
    onDown: () => void downs++,
    ...extra,
  });
  l.start();
  return { link: l, ups, downs: () => downs, text };
}

describe('HubLink', () => {
  it('greets with the hub resume point, and redials after the link is cut', async () => {
    await using hub = await FakeHub.start({ resume: { alice: { epoch: 3, hwm: 7 } } });
    const t = link(hub);
    try {
      await waitFor(() => t.ups.length === 1);
      expect(t.ups[0]!.hello.accounts).toEqual([{ name: 'alice', epoch: 3, hwm: 7 }]);
      hub.dropConnections();
      await waitFor(() => t.ups.length === 2);
      expect(t.downs()).toBe(1);
      expect(hub.hellos).toBe(2);
      expect(t.link.session).toBe(t.ups[1]);
    } finally {
      await t.link.close();
    }
  });

  it('treats two unanswered pings as a dead link', async () => {
    await using hub = await FakeHub.start({ pingIntervalMs: 50 });
    const t = link(hub);
    try {
      await waitFor(() => t.ups.length === 1);
      hub.answerPings(false);
      await waitFor(() => t.downs() === 1, 5000);
      hub.answerPings(true);
      await waitFor(() => t.ups.length === 2, 5000);
      expect(t.text()).toContain('hub stopped answering pings');
    } finally {
      await t.link.close();
    }
  });

  it('keeps retrying a hub that refuses the token, saying what to do', async () => {
    await using hub = await FakeHub.start({ token: 'right' });
    const t = link(hub);
    try {
      await waitFor(() => t.text().includes('UNAUTHORIZED'), 5000);
      expect(t.text()).toContain('imsg-hub token create --role agent');
      expect(t.ups).toHaveLength(0);
      await waitFor(() => hub.hellos === 0 && (t.text().match(/hub connect failed/g) ?? []).length >= 2, 5000);
    } finally {
      await t.link.close();
    }
  });

  it('hands hub requests to the core and answers pings itself', async () => {
    await using hub = await FakeHub.start();
    const t = link(hub);
    try {
      await waitFor(() => t.ups.length === 1);
      await expect(hub.imsgCall('alice', 'typing', { to: '+1' })).resolves.toEqual({
        echoed: 'imsg.call',
        params: { account: 'alice', method: 'typing', params: { to: '+1' } },
      });
    } finally {
      await t.link.close();
    }
  });
});
