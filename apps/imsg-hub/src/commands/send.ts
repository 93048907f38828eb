import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { HubError, type SendOutcome } from '@imsg-hub/hub-protocol';
import type { Command } from 'commander';
import { connectClient, withClientOptions, type ClientFlags } from '../client-options.js';
import { fail } from '../fail.js';
import { formatSend } from '@imsg-hub/hub-client';
import { messageRef } from './actions.js';

interface SendFlags extends ClientFlags {
  as?: string;
  text?: string;
  file?: string;
  service?: 'auto' | 'imessage' | 'sms';
  region?: string;
  key?: string;
  ttl?: string;
  wait?: string;
  json?: boolean;
  resolve?: string;
  replyTo?: string;
  replyPart?: string;
  effect?: string;
  subject?: string;
  part?: string[];
  audio?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The rich-send fields (imsg 0.15's bridge methods) from the flags. */
function richFields(flags: SendFlags) {
  const reply = flags.replyTo
    ? { reply_to: { ...messageRef(flags.replyTo), ...(flags.replyPart !== undefined ? { part_index: Number(flags.replyPart) } : {}) } }
    : {};
  return {
    ...reply,
    ...(flags.effect ? { effect: flags.effect } : {}),
    ...(flags.subject ? { subject: flags.subject } : {}),
    ...(flags.part?.length ? { parts: flags.part.map((text) => ({ text })) } : {}),
    ...(flags.audio ? { audio: true } : {}),
  };
}

export function registerSend(program: Command): void {
  withClientOptions(program.command('send'))
    .description('send through the identity the route picks (or --as), exactly once per --key; or settle a send in doubt: send --resolve <key> sent|resend')
    .argument(
      '[target]',
      'chat_id:<n>, a phone or email, imessage:/sms:<handle>, chat_guid:<g>; optional "<account>/" prefix (a --reply-to may leave it out; with --resolve: sent or resend)',
    )
    .option('--as <account>', 'send as this account')
    .option('--text <text>', 'message text')
    .option('--file <path>', 'a file to attach (uploaded through the hub)')
    .option('--service <service>', 'auto | imessage | sms')
    .option('--region <cc>', 'region for phone numbers without a country code (default US)')
    .option('--key <key>', 'idempotency key: the same key twice never sends twice')
    .option('--ttl <seconds>', 'how long to wait for an offline agent (0: fail at once)')
    .option('--wait <ms|delivered|read>', 'how long to wait for the outcome (ms), or wait (up to 2 min) until the message is delivered or read', '15000')
    .option('--json', 'print the outcome as JSON')
    .option('--resolve <key>', 'a send in doubt: "sent" if it arrived (recorded, nothing is sent), "resend" if it did not (sent once more)')
    .option('--reply-to <message>', 'reply in the thread of this message (hub id or guid), through an account that holds it')
    .option('--reply-part <n>', 'which part of the message replied to (0 = the first)')
    .option('--effect <effect>', 'expressive send effect: confetti, balloons, slam, loud, gentle, invisible_ink, lasers, … or a full effect id')
    .option('--subject <text>', 'subject line')
    .option('--part <text>', 'one text part of a multipart message (repeat for each part; instead of --text)', collect)
    .option('--audio', 'send --file as a voice message')
    .action(async (target: string | undefined, flags: SendFlags) => {
      try {
        if (flags.resolve !== undefined) return await resolve(flags.resolve, target ?? '', flags);
        if (!flags.text && !flags.file && !flags.part?.length) throw new Error('nothing to send: give --text, --file or --part');
        if (!target && !flags.replyTo) throw new Error('give a target (or --reply-to, which replies in that message’s chat)');
        await using client = await connectClient(flags, 'imsg-hub send');
        let file: { sha256: string; name: string } | undefined;
        if (flags.file) {
          const bytes = await readFile(flags.file);
          const limit = client.hello.max_file_bytes;
          if (bytes.length > limit) {
            throw new HubError('PAYLOAD_TOO_LARGE', `${flags.file} is ${bytes.length} bytes; the hub accepts at most ${limit} (send.max_file_bytes)`);
          }
          const up = await client.upload(bytes, basename(flags.file));
          file = { sha256: up.sha256, name: basename(flags.file) };
        }
        const outcome = await client.call(
          'send',
          {
            ...(target ? { target } : {}),
            ...richFields(flags),
            ...(flags.text ? { text: flags.text } : {}),
            ...(file ? { file } : {}),
            ...(flags.as ? { account: flags.as } : {}),
            ...(flags.service ? { service: flags.service } : {}),
            ...(flags.region ? { region: flags.region } : {}),
            ...(flags.key ? { idempotency_key: flags.key } : {}),
            ...(flags.ttl !== undefined ? { queue_ttl_s: Number(flags.ttl) } : {}),
            ...waitOption(flags.wait),
          },
          waitOption(flags.wait).wait_ms + 10_000,
        );
        print(outcome, flags);
      } catch (err) {
        fail(err);
      }
    });
}

/** Exit 1 when the send failed or expired, 2 while it is in doubt (see `--resolve`). */
function print(outcome: SendOutcome, flags: SendFlags): void {
  process.stdout.write((flags.json ? JSON.stringify(outcome) : formatSend(outcome)) + '\n');
  if (outcome.state === 'failed' || outcome.state === 'expired') process.exitCode = 1;
  if (outcome.state === 'in_doubt') process.exitCode = 2;
}

async function resolve(key: string, decision: string, flags: SendFlags): Promise<void> {
  if (decision !== 'sent' && decision !== 'resend') {
    throw new Error(`--resolve ${key} ${decision}: say "sent" if the message arrived, or "resend" if it did not (imsg-hub send --resolve ${key} sent)`);
  }
  const { wait_ms } = waitOption(flags.wait);
  await using client = await connectClient(flags, 'imsg-hub send');
  print(await client.call('send.resolve', { idempotency_key: key, outcome: decision, wait_ms }, wait_ms + 10_000), flags);
}

/** `--wait`: milliseconds, or a delivery state to wait for (within two minutes). */
function waitOption(wait: string | undefined): { wait_ms: number; wait_for?: 'sent' | 'delivered' | 'read' } {
  if (wait === 'sent' || wait === 'delivered' || wait === 'read') return { wait_ms: 120_000, wait_for: wait };
  const ms = Number(wait ?? '15000');
  if (!Number.isInteger(ms) || ms < 0 || ms > 120_000) throw new Error(`--wait ${wait}: give milliseconds (0-120000), or delivered or read`);
  return { wait_ms: ms };
}
