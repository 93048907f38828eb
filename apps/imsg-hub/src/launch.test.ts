import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// launch.cts is CommonJS (so a spawn skips node's ESM loader), which vite does not transform: the
// test reads its build (pnpm build).
const launcher = createRequire(import.meta.url)('../dist/launch.cjs') as typeof import('./launch.cjs');

const argv = (...args: string[]) => ['node', 'imsg-hub', ...args];
const facade = (args: string[], env: NodeJS.ProcessEnv = {}) => launcher.isFacadeCommand(argv(...args), env);

describe('isFacadeCommand', () => {
  it("sends imsg's commands (rpc, status, the one-shots OpenClaw runs) to the facade", () => {
    for (const args of [
      ['rpc', '--json'],
      ['status', '--json'],
      ['tapback', '--chat', 'g'],
      ['send-rich', '--help'],
      ['chat-name'],
      ['poll', 'send'],
      ['launch'],
    ]) {
      expect(facade(args), args.join(' ')).toBe(true);
    }
  });

  it("keeps the hub's own commands, and its edit/unsend/group forms, in the CLI", () => {
    for (const args of [
      ['serve'],
      ['chats'],
      ['send', 'alice/+1', '--text', 'x'],
      ['edit', '12', '--text', 'x'],
      ['unsend', '12'],
      ['group', 'rename', '3', 'x'],
      [],
    ]) {
      expect(facade(args), args.join(' ')).toBe(false);
    }
    expect(facade(['edit', '--chat', 'g', '--message', 'm', '--new-text', 'x'])).toBe(true);
    expect(facade(['unsend', '--chat=g'])).toBe(true);
    expect(facade(['group', '--chat-id', '3'])).toBe(true);
  });

  it('has no bridge one-shots when playing imsg 0.9.0, but still rpc and status', () => {
    expect(facade(['tapback', '--imsg-version', '0.9.0'])).toBe(false);
    expect(facade(['tapback'], { IMSG_HUB_IMSG_VERSION: '0.9' })).toBe(false);
    expect(facade(['rpc'], { IMSG_HUB_IMSG_VERSION: '0.9.0' })).toBe(true);
    expect(facade(['status', '--imsg-version', '0.9.0'])).toBe(true);
  });
});
