import { describe, expect, it } from 'vitest';
import { namedLocalPaths, withPathAt } from './local-path-params.js';

describe('namedLocalPaths', () => {
  it('finds every string under a key that names a file, at any depth and in any spelling', () => {
    const params = {
      to: '+15550001',
      text: '/etc/passwd is just text here',
      profile: '/not/a/file/key',
      file: '/a',
      parts: [{ attachment: '/b', text: 'hi' }, { filePath: '~/c' }],
      icon_file: { nested: ['/d'] },
      PATH: '/e',
      files: ['', '/f'],
    };
    expect(namedLocalPaths(params).map((n) => [n.key, n.path])).toEqual([
      ['file', '/a'],
      ['parts[0].attachment', '/b'],
      ['parts[1].filePath', '~/c'],
      ['icon_file.nested[0]', '/d'],
      ['PATH', '/e'],
      ['files[1]', '/f'],
    ]);
    expect(namedLocalPaths({ to: 'x', text: 'y', chat_guid: 'z', reply_to: 'g' })).toEqual([]);
  });

  it('replaces a path where it was found, keys with dots included, without touching the original', () => {
    const params = { 'a.b': { file: '/x' }, parts: [{ file: '/y' }] };
    const [first, second] = namedLocalPaths(params);
    const out = withPathAt(withPathAt(params, first!.at, '/real/x'), second!.at, '/real/y');
    expect(out).toEqual({ 'a.b': { file: '/real/x' }, parts: [{ file: '/real/y' }] });
    expect(params['a.b'].file).toBe('/x');
  });
});
