import { formatSend } from '@imsg-hub/hub-client';
import type { SendOutcome } from '@imsg-hub/hub-protocol';
import type { Command } from 'commander';
import { type ClientFlags, connectClient } from '../client-options.js';
import { fail } from '../fail.js';

/** The flags every action command takes besides the hub's: the account, an idempotency key, how long to wait, JSON. */
export interface ActionRunFlags extends ClientFlags {
  as?: string;
  key?: string;
  wait: string;
  json?: boolean;
}

/** Adds `--as`, `--key`, `--wait` and `--json` to an action command. */
export function withActionRunOptions(cmd: Command, as: string): Command {
  return cmd
    .option('--as <account>', as)
    .option('--key <key>', 'idempotency key: the same key twice never acts twice')
    .option('--wait <ms>', 'how long to wait for the outcome', '15000')
    .option('--json', 'print the outcome as JSON');
}

/** `account`, `idempotency_key` and `wait_ms` from the flags. */
export function actionFields(flags: ActionRunFlags): { account?: string; idempotency_key?: string; wait_ms: number } {
  return { ...(flags.as ? { account: flags.as } : {}), ...(flags.key ? { idempotency_key: flags.key } : {}), wait_ms: Number(flags.wait) };
}

/** Runs one action against the hub and prints its outcome (exit 1 when it failed or expired, 2 while in doubt). */
export async function runAction(
  flags: ActionRunFlags,
  name: string,
  call: (client: Awaited<ReturnType<typeof connectClient>>) => Promise<SendOutcome>,
): Promise<void> {
  try {
    await using client = await connectClient(flags, name);
    const outcome = await call(client);
    process.stdout.write(`${flags.json ? JSON.stringify(outcome) : formatSend(outcome)}\n`);
    if (outcome.state === 'failed' || outcome.state === 'expired') process.exitCode = 1;
    if (outcome.state === 'in_doubt') process.exitCode = 2;
  } catch (err) {
    fail(err);
  }
}
