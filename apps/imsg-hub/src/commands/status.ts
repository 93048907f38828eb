import { DEFAULT_HUB_URL } from '@imsg-hub/hub-client/default-hub-url';
import type { Command } from 'commander';

/**
 * `imsg-hub status [--json]`: what `imsg status --json` tells a client (OpenClaw's probe reads
 * `rpc_methods`, `advanced_features`, `v2_ready`, `selectors`). Offline: it describes the facade.
 */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('what `imsg-hub rpc` offers an imsg client, as `imsg status` reports it')
    .option('--json', 'one JSON line, as `imsg status --json` prints it')
    .option('--account <name>', 'the account a wrapper serves (env IMSG_HUB_ACCOUNT)')
    .option('--hub-url <url>', 'hub WebSocket URL (env IMSG_HUB_URL)')
    .option('--db <path>', 'accepted for imsg compatibility and ignored')
    .action(async (flags: { json?: boolean; account?: string; hubUrl?: string }) => {
      const { facadeStatus } = await import('@imsg-hub/facade/status');
      const status = facadeStatus({
        hubUrl: flags.hubUrl ?? (process.env['IMSG_HUB_URL'] || DEFAULT_HUB_URL),
        account: flags.account ?? (process.env['IMSG_HUB_ACCOUNT'] || undefined),
      });
      if (flags.json) {
        process.stdout.write(JSON.stringify(status) + '\n');
        return;
      }
      const lines = [
        `imsg-hub ${String(status['facade_version'])} — imsg ${String(status['version'])}-compatible rpc facade`,
        `hub: ${String(status['hub_url'])}${status['account'] ? `  account: ${String(status['account'])}` : '  (merged: every account the token sees)'}`,
        `rpc methods: ${(status['rpc_methods'] as string[]).join(', ')}`,
        'advanced (IMCore bridge) features: unavailable',
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
