import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { quoteArg, remoteArgv, remoteCommandLine } from './remote-command.js';

describe('remote command line', () => {
  it('defaults to imsg rpc and appends --db', () => {
    expect(remoteArgv(undefined, undefined)).toEqual(['imsg', 'rpc']);
    expect(remoteArgv('/opt/homebrew/bin/imsg  rpc', '/Users/w/chat.db')).toEqual(['/opt/homebrew/bin/imsg', 'rpc', '--db', '/Users/w/chat.db']);
    expect(remoteArgv(['node', '/a b/sim.js', 'rpc'], undefined)).toEqual(['node', '/a b/sim.js', 'rpc']);
  });

  it('quotes so that a POSIX shell passes every argument through untouched', () => {
    const nasty = ["it's", '$(touch /tmp/pwned)', 'a b', '`id`', '"q"', ';', '', '*'];
    const line = remoteCommandLine(['printf', '%s\\n', ...nasty]);
    const out = execFileSync('/bin/sh', ['-c', line], { encoding: 'utf8' });
    expect(out).toBe(nasty.map((a) => `${a}\n`).join(''));
    expect(quoteArg('/usr/bin/imsg')).toBe('/usr/bin/imsg');
  });
});
