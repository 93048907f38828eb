import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_HUB_URL } from './default-hub-url.js';
import { resolveHubEndpoint } from './hub-endpoint.js';

const dir = mkdtempSync(join(tmpdir(), 'hub-endpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveHubEndpoint', () => {
  it('takes flags over the environment over the default; an empty variable counts as unset', () => {
    expect(resolveHubEndpoint({ token: 't' }, {})).toEqual({ url: DEFAULT_HUB_URL, urls: [DEFAULT_HUB_URL], token: 't' });
    expect(resolveHubEndpoint({}, { IMSG_HUB_URL: '', IMSG_HUB_TOKEN: 'env' })).toEqual({ url: DEFAULT_HUB_URL, urls: [DEFAULT_HUB_URL], token: 'env' });
    expect(resolveHubEndpoint({ hubUrl: 'ws://flag/', token: 'flag' }, { IMSG_HUB_URL: 'ws://env/', IMSG_HUB_TOKEN: 'env' })).toEqual({
      url: 'ws://flag/',
      urls: ['ws://flag/'],
      token: 'flag',
    });
  });

  it('reads the token file and the CA file', () => {
    writeFileSync(join(dir, 'token'), 'from-file\n');
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
    expect(resolveHubEndpoint({ ca: join(dir, 'ca.pem') }, { IMSG_HUB_TOKEN_FILE: join(dir, 'token') })).toEqual({
      url: DEFAULT_HUB_URL,
      urls: [DEFAULT_HUB_URL],
      token: 'from-file',
      ca: '-----BEGIN CERTIFICATE-----\n',
    });
  });

  it('takes several hubs, comma-separated, from the flag or the environment', () => {
    expect(resolveHubEndpoint({ hubUrl: 'ws://a:7311/,ws://b:7311/', token: 't' }, {})).toEqual({
      url: 'ws://a:7311/,ws://b:7311/',
      urls: ['ws://a:7311/', 'ws://b:7311/'],
      token: 't',
    });
    expect(resolveHubEndpoint({}, { IMSG_HUB_URL: ' wss://a/ , wss://b/,', IMSG_HUB_TOKEN: 't' }).urls).toEqual(['wss://a/', 'wss://b/']);
  });

  it('refuses a bad hub list naming the entry and where it came from', () => {
    expect(() => resolveHubEndpoint({ hubUrl: 'ws://a/,http://b/', token: 't' }, {})).toThrow(
      /^--hub-url: expected a ws:\/\/ or wss:\/\/ URL \(got "http:\/\/b\/"\); give one hub/,
    );
    expect(() => resolveHubEndpoint({}, { IMSG_HUB_URL: 'ws://a/,ws://a/', IMSG_HUB_TOKEN: 't' })).toThrow(
      /^IMSG_HUB_URL: ws:\/\/a\/ is listed twice \(got "ws:\/\/a\/"\)/,
    );
    expect(() => resolveHubEndpoint({ hubUrl: ',', token: 't' }, {})).toThrow(/^--hub-url: expected at least one hub URL/);
    expect(() => resolveHubEndpoint({ hubUrl: 'ws://user:pw@a/', token: 't' }, {})).toThrow(/carries no user or password/);
    const many = Array.from({ length: 17 }, (_, i) => `ws://h${i}/`).join(',');
    expect(() => resolveHubEndpoint({ hubUrl: many, token: 't' }, {})).toThrow(
      expect.objectContaining({ code: 'CONFIG', message: expect.stringMatching(/at most 16 hub URLs/) }),
    );
  });

  it('says what is missing and how to get it', () => {
    expect(() => resolveHubEndpoint({}, {}, 'client')).toThrow(/^no client token: pass --token or --token-file.*imsg-hub token create --role client/);
    expect(() => resolveHubEndpoint({ tokenFile: join(dir, 'missing') }, {})).toThrow(/cannot read the token file .*missing/);
    expect(() => resolveHubEndpoint({}, {})).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  });
});
