import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { binPath, tempDir } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const wrapper = (args: string[]) =>
  run(process.execPath, [binPath('imsg-hub'), 'wrapper', ...args]).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

describe('imsg-hub wrapper for the plugin era', () => {
  it('plays imsg 0.15.10 by default, 0.9.0 when asked, and says what to do about a missing directory', async () => {
    await using tmp = tempDir('facade-wrapper-');
    writeFileSync(tmp.join('token'), 'ihub_abcdefghij_' + 'x'.repeat(43));
    const made = await wrapper([tmp.join('imsg-hub-work'), '--account', 'work', '--token-file', tmp.join('token')]);
    expect(made.code).toBe(0);
    const text = readFileSync(tmp.join('imsg-hub-work'), 'utf8');
    expect(text).toContain("IMSG_VERSION='0.15.10'");
    expect(text).not.toContain('IMSG_HUB_IMSG_VERSION');
    expect((await run(tmp.join('imsg-hub-work'), ['--version'])).stdout.trim()).toBe('0.15.10');

    const old = await wrapper([tmp.join('imsg-hub-old'), '--token-file', tmp.join('token'), '--imsg-version', '0.9.0']);
    expect(old.code).toBe(0);
    expect(readFileSync(tmp.join('imsg-hub-old'), 'utf8')).toContain("IMSG_HUB_IMSG_VERSION='0.9.0' IMSG_VERSION='0.9.0'");

    const missing = await wrapper([tmp.join('no', 'such', 'dir', 'imsg-hub-work'), '--token-file', tmp.join('token')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`the directory ${tmp.join('no', 'such', 'dir')} does not exist; create it first (mkdir -p`);
    expect(missing.stderr).not.toContain('ENOENT');

    const bad = await wrapper([tmp.join('imsg-hub-x'), '--token-file', tmp.join('token'), '--imsg-version', '0.12.0']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--imsg-version must be 0.15.10 or 0.9.0');
  });
});
