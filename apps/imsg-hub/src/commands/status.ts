import type { Command } from 'commander';
import { withHubFlags, type FacadeCommandFlags } from './hub-flags.js';

/**
 * `imsg-hub status [--json]`: what `imsg status --json` tells a client (OpenClaw's probe reads
 * `advanced_features`, `v2_ready`, `rpc_methods`, `selectors`), asked of the hub: what the backing
 * account(s) can do right now.
 */
export function registerStatus(program: Command): void {
  withHubFlags(program.command('status').description('what `imsg-hub rpc` offers an imsg client now, as `imsg status` reports it')).action(
    async (flags: FacadeCommandFlags) => {
      const { facadeCliStatus } = await import('@imsg-hub/facade');
      const status = await facadeCliStatus(flags);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(status)}\n`);
        return;
      }
      const accounts = (status['accounts'] as { name: string; connected: boolean; imsg?: string; bridge_ready?: boolean }[] | undefined) ?? [];
      const lines = [
        `imsg-hub ${String(status['facade_version'])} — imsg ${String(status['version'])}-compatible rpc facade`,
        `hub: ${String(status['hub_url'])}${status['account'] ? `  account: ${String(status['account'])}` : '  (merged: every account the token sees)'}`,
        ...accounts.map(
          (a) =>
            `  ${a.name}: ${a.connected ? 'agent connected' : 'agent offline'}${a.imsg ? `, imsg ${a.imsg}${a.bridge_ready ? ', bridge ready' : ', no bridge'}` : ''}`,
        ),
        `rpc methods: ${(status['rpc_methods'] as string[]).join(', ')}`,
        `advanced (IMCore bridge) features: ${status['advanced_features'] ? 'available' : 'unavailable'}`,
        String(status['message']),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    },
  );
}
