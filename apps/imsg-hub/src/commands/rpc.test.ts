import { describe, expect, it } from 'vitest';
import { fastRpcFlags } from './rpc.js';

describe('rpc as OpenClaw runs it, without commander', () => {
  it('reads the flags it knows, in both spellings', () => {
    expect(fastRpcFlags(['node', 'imsg-hub', 'rpc', '--json', '--db', '/Users/me/Library/Messages/chat.db'])).toEqual({
      json: true,
      db: '/Users/me/Library/Messages/chat.db',
    });
    expect(fastRpcFlags(['node', 'imsg-hub', 'rpc', '--account=work', '-v', '--answer-within', '5000', '--imsg-version', '0.9.0'])).toEqual({
      account: 'work',
      verbose: true,
      answerWithin: '5000',
      imsgVersion: '0.9.0',
    });
  });
  it('adds up a repeated --hub-url, as commander does', () => {
    expect(fastRpcFlags(['node', 'imsg-hub', 'rpc', '--hub-url', 'ws://a/', '--hub-url=ws://b/', '--account', 'x', '--account', 'y'])).toEqual({
      hubUrl: 'ws://a/,ws://b/',
      account: 'y',
    });
  });
  it('leaves help, unknown and malformed flags, and other commands to commander', () => {
    for (const argv of [
      ['node', 'imsg-hub', 'rpc', '--help'],
      ['node', 'imsg-hub', 'rpc', '--bogus'],
      ['node', 'imsg-hub', 'rpc', '--account'],
      ['node', 'imsg-hub', 'rpc', '--account', '--json'],
      ['node', 'imsg-hub', 'status', '--json'],
    ]) {
      expect(fastRpcFlags(argv), argv.join(' ')).toBeUndefined();
    }
  });
});
