import { describe, expect, it } from 'vitest';
import { execLine, quoteExecArg, quotePath, unitText } from './systemd-escape.js';

describe('systemd quoting', () => {
  it('leaves plain words alone and quotes the rest', () => {
    expect(quoteExecArg('/usr/bin/node')).toBe('/usr/bin/node');
    expect(quoteExecArg('--config')).toBe('--config');
    expect(quoteExecArg('a b')).toBe('"a b"');
    expect(quoteExecArg('')).toBe('""');
  });

  it('doubles specifiers and variables, escapes quotes, backslashes and control characters', () => {
    expect(quoteExecArg('100%')).toBe('100%%');
    expect(quoteExecArg('$HOME')).toBe('"$$HOME"');
    expect(quoteExecArg('say "hi"\\')).toBe('"say \\"hi\\"\\\\"');
    expect(quoteExecArg('line\nbreak\ttab\u0001')).toBe('"line\\nbreak\\ttab\\x01"');
    expect(quoteExecArg("it's")).toBe('"it\'s"');
  });

  it('writes a lone semicolon as the literal, not a command separator', () => {
    expect(quoteExecArg(';')).toBe('\\;');
    expect(execLine(['/bin/echo', ';', 'a;b'])).toBe('/bin/echo \\; "a;b"');
  });

  it('quotes paths for path lists without touching $, and refuses control characters', () => {
    expect(quotePath('/var/lib/imsg-hub')).toBe('/var/lib/imsg-hub');
    expect(quotePath('/srv/my hub/$x%')).toBe('"/srv/my hub/$x%%"');
    expect(() => quotePath('/srv/a\nb')).toThrow(TypeError);
  });

  it('keeps free text on one line with specifiers escaped', () => {
    expect(unitText(' imsg-hub 100%\nhub ')).toBe('imsg-hub 100%% hub');
  });
});
