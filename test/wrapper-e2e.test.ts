import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { binPath, tempDir } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

// The one-line wrapper OpenClaw's cliPath points at answers `--version` like the imsg it stands in
// for (it sets IMSG_VERSION, which imsg honours), while `imsg-hub --version` is imsg-hub's own.
describe('imsg-hub wrapper', () => {
  it('writes an exec line with no ssh in it, and --version through it reports imsg 0.9.0', async () => {
    await using tmp = tempDir('wrapper-');
    writeFileSync(tmp.join('token'), 'ihub_abcdefghij_' + 'x'.repeat(43));
    const wrapper = tmp.join('hub-work');
    await run(process.execPath, [
      binPath('imsg-hub'),
      'wrapper',
      wrapper,
      '--account',
      'work',
      '--hub-url',
      'ws://127.0.0.1:7311/',
      '--token-file',
      tmp.join('token'),
      '--imsg-version',
      '0.9.0',
    ]);
    const text = readFileSync(wrapper, 'utf8');
    expect(text).toMatch(/^#!\/bin\/sh\nexec env /);
    expect(text).not.toMatch(/\bssh\b/);
    expect(text).toContain("IMSG_VERSION='0.9.0'");
    expect((await run(wrapper, ['--version'])).stdout.trim()).toBe('0.9.0');
    const own = (await run(process.execPath, [binPath('imsg-hub'), '--version'], { env: { ...process.env, IMSG_VERSION: '' } })).stdout.trim();
    expect(own).toMatch(/^\d+\.\d+\.\d+$/);
    expect(own).not.toBe('0.9.0');
  });
});
