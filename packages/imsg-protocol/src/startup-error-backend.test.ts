import { RpcError } from '@imsg-hub/jsonrpc';
import { describe, expect, it } from 'vitest';
import type { ImsgBackend } from './imsg-server.js';
import { StartupErrorBackend } from './startup-error-backend.js';

const session = { notify: () => undefined };

describe('StartupErrorBackend', () => {
  it('answers every method with -32603 carrying the text', () => {
    const backend: ImsgBackend = new StartupErrorBackend('cannot open chat.db');
    for (const method of ['chats.list', 'no.such.method']) {
      expect(() => backend.handle(method, {}, session)).toThrow(expect.objectContaining({ code: -32603, data: 'cannot open chat.db' }));
    }
  });

  it('answers with the given error as it is', () => {
    const error = new RpcError(-32603, 'Internal error', 'no hub token');
    expect(() => new StartupErrorBackend(error).handle()).toThrow(error);
  });
});
