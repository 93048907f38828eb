import { Command, Option } from 'commander';
import type { ConfigOverrides } from '@imsg-hub/agent';
import { createLogger } from '@imsg-hub/logger';
import { checkConfig } from './check-config-command.js';
import { installLaunchd, type InstallLaunchdFlags } from './install-launchd-command.js';
import { runAgent } from './run-command.js';
import { VERSION } from './version.js';

interface ConfigFlags {
  config: string;
  hubUrl?: string;
  token?: string;
  stateDir?: string;
}

const program = new Command('imsg-agent').description('Streams one or more Apple IDs from imsg to an imsg-hub, and sends for it.').version(VERSION);

/** --config plus the flags (and env) that override the file. */
function withConfigFlags(command: Command): Command {
  return command
    .addOption(new Option('-c, --config <path>', 'agent config file (JSON)').env('IMSG_AGENT_CONFIG').makeOptionMandatory())
    .addOption(
      new Option('--hub-url <url>', 'hub WebSocket URL, or several hubs of one fleet: repeat it or separate with commas (overrides hub.url/hub.urls)')
        .env('IMSG_AGENT_HUB_URL')
        .argParser((value: string, previous: string | undefined) => (previous ? `${previous},${value}` : value)),
    )
    .addOption(new Option('--token <token>', 'agent token (overrides hub.token / hub.token_file)').env('IMSG_AGENT_TOKEN'))
    .option('--state-dir <dir>', 'where the cursor and send ledger live (overrides state_dir)');
}

function overrides(opts: ConfigFlags): ConfigOverrides {
  return {
    ...(opts.hubUrl ? { hubUrl: opts.hubUrl } : {}),
    ...(opts.token ? { token: opts.token } : {}),
    ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
  };
}

withConfigFlags(program.command('run'))
  .description('connect to the hub and run until SIGINT/SIGTERM')
  .addOption(new Option('--log-level <level>', 'log level').env('IMSG_AGENT_LOG_LEVEL').default('info'))
  .action(async (opts: ConfigFlags & { logLevel: string }) => {
    await runAgent(opts.config, overrides(opts), createLogger('imsg-agent', { level: opts.logLevel })).catch(fail);
  });

withConfigFlags(program.command('check-config'))
  .description('validate a config file and print it (token redacted)')
  .action(async (opts: ConfigFlags) => {
    await checkConfig(opts.config, overrides(opts)).catch(fail);
  });

program
  .command('install-launchd')
  .description("write a LaunchAgent that runs the agent in this user's GUI session (needed for sends)")
  .addOption(new Option('-c, --config <path>', 'agent config file (JSON) the job runs with').env('IMSG_AGENT_CONFIG').makeOptionMandatory())
  .option('--label <label>', 'launchd label (default com.imsg-hub.agent.<agent_id>)')
  .option('--node <path>', 'node binary the job runs', process.execPath)
  .option('--out <path>', 'where to write the plist (default ~/Library/LaunchAgents/<label>.plist)')
  .option('--print', 'print the plist on stdout instead of writing it')
  .action((opts: InstallLaunchdFlags) => {
    try {
      installLaunchd(opts);
    } catch (err) {
      fail(err);
    }
  });

function fail(err: unknown): never {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`imsg-agent: ${typeof code === 'string' ? `${code}: ` : ''}${message}\n`);
  if (code === 'CONFIG_INVALID' || code === 'CONFIG_UNREADABLE') {
    process.stderr.write('Fix the config file, then check it with: imsg-agent check-config --config <path>\n');
  }
  process.exit(2);
}

await program.parseAsync(process.argv);
