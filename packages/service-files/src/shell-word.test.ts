import { describe, expect, it } from 'vitest';
import { shellWord } from './shell-word.js';

describe('shellWord', () => {
  it('single-quotes anything a shell would split or expand', () => {
    expect(shellWord('/var/lib/imsg-hub')).toBe('/var/lib/imsg-hub');
    expect(shellWord('/Users/Jo Doe/x')).toBe("'/Users/Jo Doe/x'");
    expect(shellWord("it's $HOME")).toBe("'it'\\''s $HOME'");
    expect(shellWord('')).toBe("''");
  });
});
