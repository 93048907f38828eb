import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentError, parseConfig as parseCore } from '@imsg-hub/agent';
import { SOURCE_KINDS } from '@imsg-hub/imsg-source';
import { loadAgentConfig as loadConfigFile } from './agent-config.js';

// The agent core's config with imsg-source's source kinds, as imsg-agent loads it.
const parseConfig = (raw: unknown, options: { baseDir: string }) => parseCore(raw, { ...options, sources: SOURCE_KINDS });

const dir = mkdtempSync(join(tmpdir(), 'agent-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOST_KEY = 'SHA256:DU5cte+EVyL6hwoFhnJImOoQ/m9wS3cHhyEWYz812to';
const valid = {
  hub: { url: 'ws://127.0.0.1:7000/', token: 't0k' },
  accounts: [
    { name: 'alice', source: { kind: 'local', db: 'alice/chat.db' } },
    { name: 'work', source: { kind: 'ssh', host: 'mac.local', user: 'work', private_key_file: 'keys/id', host_key: HOST_KEY } },
  ],
};

function errorOf(raw: unknown): AgentError {
  try {
    parseConfig(raw, { baseDir: dir });
  } catch (err) {
    expect(err).toBeInstanceOf(AgentError);
    return err as AgentError;
  }
  throw new Error('expected the config to be refused');
}

describe('agent config', () => {
  it('fills defaults and makes paths absolute relative to the config file', () => {
    const c = parseConfig(valid, { baseDir: dir });
    expect(c.watchdog).toEqual({ probe_interval_ms: 30_000, stall_ms: 60_000, probe_timeout_ms: 20_000 });
    expect(c.attachments.max_bytes).toBe(16 * 1024 * 1024);
    expect(c.accounts[0]!.source).toEqual({ kind: 'local', db: join(dir, 'alice/chat.db') });
    expect(c.accounts[1]!.source).toMatchObject({ private_key_file: join(dir, 'keys/id') });
    expect(c.hub.token).toBe('t0k');
    expect(parseConfig({ ...valid, state_dir: '~/st' }, { baseDir: dir }).state_dir).toBe(join(homedir(), 'st'));
  });

  it('names the bad key and what was expected', () => {
    const err = errorOf({
      ...valid,
      accounts: [valid.accounts[0], { name: 'work', source: { ...valid.accounts[1]!.source, host_key: 'not a key' } }],
    });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain('accounts[1].source.host_key: expected a known_hosts line or SHA256:<base64> fingerprint');
  });

  it('refuses passwords, unknown source kinds, duplicate names and missing tokens', () => {
    const err = errorOf({
      hub: { url: 'http://nope' },
      accounts: [
        { name: 'a', source: { kind: 'ssh', host: 'h', user: 'u', private_key_file: 'k', host_key: HOST_KEY, password: 'x' } },
        { name: 'a', source: { kind: 'smb' } },
      ],
    });
    expect(err.message).toContain('hub.url: expected a ws:// or wss:// URL');
    expect(err.message).toContain('hub.token: expected token or token_file');
    expect(err.message).toContain('accounts[0].source: unknown key "password" (passwords are never used');
    expect(err.message).toContain('accounts[1].source.kind: expected an object with kind "local" or "ssh"');
    const dup = errorOf({ ...valid, accounts: [valid.accounts[0], { ...valid.accounts[0], name: 'alice' }] });
    expect(dup.message).toContain('accounts[1].name: duplicate account name "alice"');
  });

  it('says required for a missing key', () => {
    const err = errorOf({
      hub: { url: 'ws://x/', token: 't' },
      accounts: [{ name: 'a', source: { kind: 'ssh', user: 'u', private_key_file: 'k', host_key: HOST_KEY } }],
    });
    expect(err.message).toContain('accounts[0].source.host: required (expected string)');
  });

  it('reads token_file and lets overrides win', () => {
    writeFileSync(join(dir, 'token'), 'from-file\n');
    const file = join(dir, 'agent.json');
    writeFileSync(file, JSON.stringify({ ...valid, hub: { url: 'ws://a/', token_file: 'token' } }));
    expect(loadConfigFile(file).hub.token).toBe('from-file');
    const over = loadConfigFile(file, { hubUrl: 'wss://b/', token: 'flag', stateDir: 'st' });
    expect(over.hub).toMatchObject({ url: 'wss://b/', token: 'flag' });
    expect(over.state_dir).toBe(join(dir, 'st'));
  });

  it('takes several hubs as hub.urls (or a comma list from --hub-url), and one url or urls, not both', () => {
    const two = parseConfig({ ...valid, hub: { urls: ['ws://a:7311/', 'ws://b:7311/'], token: 't' } }, { baseDir: dir });
    expect(two.hub.urls).toEqual(['ws://a:7311/', 'ws://b:7311/']);
    expect(parseConfig(valid, { baseDir: dir }).hub.urls).toEqual(['ws://127.0.0.1:7000/']);
    const file = join(dir, 'fleet.json');
    writeFileSync(file, JSON.stringify({ ...valid, hub: { urls: ['ws://a/', 'ws://b/'], token: 't' } }));
    expect(loadConfigFile(file, { hubUrl: 'wss://c/' }).hub.urls).toEqual(['wss://c/']);
    expect(loadConfigFile(file, { hubUrl: 'wss://c/, wss://d/' }).hub.urls).toEqual(['wss://c/', 'wss://d/']);
    expect(errorOf({ ...valid, hub: { url: 'ws://a/', urls: ['ws://b/'], token: 't' } }).message).toContain('hub.urls: give url or urls, not both');
    expect(errorOf({ ...valid, hub: { token: 't' } }).message).toContain('hub.url: required: the hub as url');
    expect(errorOf({ ...valid, hub: { urls: ['ws://a/', 'https://b/'], token: 't' } }).message).toContain('hub.urls[1]: expected a ws:// or wss:// URL');
    expect(errorOf({ ...valid, hub: { urls: ['ws://a/', 'ws://a/'], token: 't' } }).message).toContain('hub.urls[1]: ws://a/ is listed twice');
    expect(errorOf({ ...valid, hub: { urls: [], token: 't' } }).message).toContain('hub.urls: expected at least one hub URL');
  });

  it('reports unreadable and non-JSON files', () => {
    expect(() => loadConfigFile(join(dir, 'missing.json'))).toThrow(/cannot read config .*--config/);
    writeFileSync(join(dir, 'broken.json'), '{ nope');
    expect(() => loadConfigFile(join(dir, 'broken.json'))).toThrow(/not valid JSON/);
  });
});
