import { describe, expect, it } from 'vitest';
import { planSend } from './send-plan.js';

const refusal = (params: Record<string, unknown>) => {
  try {
    planSend(params);
  } catch (err) {
    return err as { code: number; data: string };
  }
  throw new Error('planSend accepted ' + JSON.stringify(params));
};

describe('planSend: imsg’s checks, in imsg’s order', () => {
  it.each([
    [{ service: 'fax', transport: 'pigeon' }, -32602, 'invalid service'],
    [{ service: 'iMessage', to: '+1', text: 'x' }, -32602, 'invalid service'],
    [{ transport: 'pigeon', to: '+1' }, -32602, 'invalid transport'],
    [{ to: '+1', chat_id: 3 }, -32602, 'use to or chat_*; not both'],
    [{ to: '+1', chat_guid: 'g', text: '' }, -32602, 'use to or chat_*; not both'],
    [{ text: 'x' }, -32602, 'to is required for direct sends'],
    [{ to: '+15551234567' }, -32602, 'text or file is required'],
    [
      { chat_id: 3, text: 'x', transport: 'Bridge' },
      -32603,
      'imsg-hub: transport "bridge" is not available through the hub; use transport auto or applescript',
    ],
  ])('%j → %i %s', (params, code, data) => {
    expect(refusal(params)).toMatchObject({ code, data });
  });
});

describe('planSend: hub targets', () => {
  it('chat_id wins over the other chat keys and is kept for imsg’s unknown-chat text', () => {
    expect(planSend({ chat_id: '12', chat_guid: 'g', text: 'x' })).toMatchObject({ target: 'chat_id:12', chatId: 12 });
  });
  it('a handle-like chat_identifier is a direct send, as in imsg', () => {
    expect(planSend({ chat_identifier: '+14155550100', text: 'x', service: 'sms' }).target).toBe('sms:+14155550100');
    expect(planSend({ chat_identifier: 'chat123', chat_guid: 'iMessage;+;chat123', text: 'x' }).target).toBe('chat_guid:iMessage;+;chat123');
    expect(planSend({ chat_identifier: 'chat123', text: 'x' }).target).toBe('chat_identifier:chat123');
  });
  it('to: service prefix unless auto or already prefixed', () => {
    expect(planSend({ to: ' +14155550100 ', text: 'x' }).target).toBe('+14155550100');
    expect(planSend({ to: 'a@b.c', text: 'x', service: 'imessage' }).target).toBe('imessage:a@b.c');
    expect(planSend({ to: 'sms:+1415', text: 'x', service: 'imessage' }).target).toBe('sms:+1415');
  });
  it('OpenClaw’s <media:kind> caption next to a file is no caption; alone it is text', () => {
    expect(planSend({ to: '+1415', text: '<media:image>', file: '/tmp/x.jpg' })).toMatchObject({ text: '', file: '/tmp/x.jpg' });
    expect(planSend({ to: '+1415', text: '<media:image>' }).text).toBe('<media:image>');
    expect(planSend({ to: '+1415', text: 'see <media:image>', file: 'x.jpg' }).text).toBe('see <media:image>');
  });
  it('region only when the hub understands it; file paths absolute', () => {
    expect(planSend({ to: '+1415', text: 'x', region: 'gb' }).region).toBe('GB');
    expect(planSend({ to: '+1415', text: 'x', region: 'USA' }).region).toBeUndefined();
    expect(planSend({ to: '+1415', file: 'rel/a.png' }).file).toMatch(/^\/.*rel\/a\.png$/);
  });
});
