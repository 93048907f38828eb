import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { HubClient } from '@imsg-hub/hub-client';
import type { HubMessage } from '@imsg-hub/hub-protocol';
import { AgentProcess, exampleWorld, startHubProcess, tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { sourceFor } from './support/fleet.js';

// Issue 3: `imsg-hub serve` with TLS (--cert/--key, or tls in the config): agents and clients over wss://.
describe('TLS', () => {
  it('serves wss:// with a certificate; agents and clients that trust it connect, others are refused', async () => {
    await using tmp = tempDir('tls-');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-keyout',
        tmp.join('key.pem'),
        '-out',
        tmp.join('cert.pem'),
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    await using hub = await startHubProcess({ dir: tmp.join('hub'), config: { tls: { cert: tmp.join('cert.pem'), key: tmp.join('key.pem') } } });
    expect(hub.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/$/);
    const world = exampleWorld(tmp.join('world.json'), ['alice']);
    const ca = readFileSync(tmp.join('cert.pem'));

    await using agent = new AgentProcess({
      dir: tmp.join('agent'),
      hubUrl: hub.url,
      token: await hub.token('agent', ['alice']),
      accounts: [{ name: 'alice', source: sourceFor({ name: 'alice', handles: [], via: 'local' }, world) }],
      config: { hub: { ca_file: tmp.join('cert.pem') } },
    });
    agent.start();
    const token = await hub.token('client', '*');
    await using client = await HubClient.connect({ url: hub.url, token, ca });
    const seen: HubMessage[] = [];
    await client.watch({ since: 0 }, (m) => seen.push(m));
    world.inject({ account: 'alice', from: '+14155550100', text: 'over TLS' });
    await waitFor(() => seen.some((m) => m.text === 'over TLS'), 20_000);

    // The CLI with --ca; without it, the self-signed certificate is refused.
    const ok = await hub.cli(['accounts', '--token', token, '--ca', tmp.join('cert.pem'), '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout.trim())).toMatchObject({ name: 'alice', agent: { connected: true } });
    const untrusted = await hub.cli(['accounts', '--token', token]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/cannot reach the hub .*certificate/i);
    await expect(HubClient.connect({ url: hub.url.replace('wss', 'ws'), token })).rejects.toThrow(/cannot reach the hub/);

    // The facade OpenClaw spawns (`status`, from the bundle with https/tls loaded on first use).
    const status = await hub.cli(['status', '--json', '--token', token, '--ca', tmp.join('cert.pem')]);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout.trim())).toMatchObject({ hub_url: hub.url, accounts: [{ name: 'alice', connected: true }] });
    world.close();
  }, 60_000);
});
