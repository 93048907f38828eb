import { writeFileSync } from 'node:fs';
import { tempDir } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { resolveFacadeOptions } from './facade-options.js';

describe('resolveFacadeOptions', () => {
  it('flags win over env; env over defaults; the token may come from a file', async () => {
    await using dir = tempDir('facade-opts-');
    writeFileSync(dir.join('token'), 'from-file\n');
    const env = { IMSG_HUB_URL: 'ws://hub:1/', IMSG_HUB_TOKEN_FILE: dir.join('token'), IMSG_HUB_ACCOUNT: 'work', XDG_CACHE_HOME: '/c' };
    expect(resolveFacadeOptions({}, env)).toMatchObject({
      hubUrl: 'ws://hub:1/',
      token: 'from-file',
      account: 'work',
      cacheDir: '/c/imsg-hub/attachments',
      requestBudgetMs: 9000,
      sendWaitMs: 8000,
      logLevel: 'warn',
    });
    expect(
      resolveFacadeOptions({ hubUrl: 'wss://h/', token: 't', account: 'home', answerWithin: '20000', sendWait: '15000', logLevel: 'warning' }, env),
    ).toMatchObject({
      hubUrl: 'wss://h/',
      token: 't',
      account: 'home',
      requestBudgetMs: 20_000,
      sendWaitMs: 15_000,
      logLevel: 'warn',
    });
    expect(resolveFacadeOptions({ token: 't', verbose: true }, {}).logLevel).toBe('info');
  });
  it('takes several hubs of one fleet, comma-separated', () => {
    const o = resolveFacadeOptions({ token: 't' }, { IMSG_HUB_URL: 'ws://a:7311/,ws://b:7311/' });
    expect(o).toMatchObject({ hubUrl: 'ws://a:7311/,ws://b:7311/', hubUrls: ['ws://a:7311/', 'ws://b:7311/'] });
    expect(() => resolveFacadeOptions({ token: 't', hubUrl: 'ws://a/,ws://a/' }, {})).toThrow(/hubUrl: ws:\/\/a\/ is listed twice/);
  });
  it('says what is missing or wrong', () => {
    expect(() => resolveFacadeOptions({}, {})).toThrow(/no hub token: pass --token or --token-file/);
    expect(() => resolveFacadeOptions({ tokenFile: '/nonexistent/t' }, {})).toThrow(/cannot read the token file \/nonexistent\/t/);
    expect(() => resolveFacadeOptions({ token: 't', hubUrl: 'http://x' }, {})).toThrow(/hubUrl: expected a ws:\/\/ or wss:\/\/ URL/);
    expect(() => resolveFacadeOptions({ token: 't', account: 'Work Phone' }, {})).toThrow(/account: expected an account name/);
    expect(() => resolveFacadeOptions({ token: 't', answerWithin: 'soon' }, {})).toThrow(/requestBudgetMs/);
  });
});
