import { DEFAULT_HUB_URL } from '@imsg-hub/hub-client/default-hub-url';
import { IMSG_COMPAT_VERSION, IMSG_V1_VERSION } from '@imsg-hub/facade';
import { parseHubUrls } from '@imsg-hub/hub-client';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { fail } from '../fail.js';
import { collectHubUrls, HUB_URL_HELP } from './hub-flags.js';

interface WrapperFlags {
  account?: string;
  hubUrl?: string;
  tokenFile: string;
  cacheDir?: string;
  force?: boolean;
  imsgVersion?: string;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The one-line script OpenClaw's `cliPath` points at (docs/openclaw.md). */
export function wrapperScript(o: {
  account?: string | undefined;
  hubUrl: string;
  tokenFile: string;
  cacheDir?: string | undefined;
  /** The imsg the facade plays (default 0.15.10). */
  imsgVersion?: string | undefined;
  node: string;
  bin: string;
}): string {
  const version = o.imsgVersion ?? IMSG_V1_VERSION;
  const env = [
    ...(o.account ? [`IMSG_HUB_ACCOUNT=${quote(o.account)}`] : []),
    `IMSG_HUB_URL=${quote(o.hubUrl)}`,
    `IMSG_HUB_TOKEN_FILE=${quote(o.tokenFile)}`,
    ...(o.cacheDir ? [`IMSG_HUB_CACHE_DIR=${quote(o.cacheDir)}`] : []),
    ...(version === IMSG_COMPAT_VERSION ? [`IMSG_HUB_IMSG_VERSION=${quote(version)}`] : []),
    // `--version` through the wrapper reports the imsg it stands in for, as imsg honours IMSG_VERSION.
    `IMSG_VERSION=${quote(version)}`,
  ];
  return `#!/bin/sh\nexec env ${env.join(' ')} ${quote(o.node)} ${quote(o.bin)} "$@"\n`;
}

/**
 * `imsg-hub wrapper <path>`: writes the executable OpenClaw runs instead of imsg, refusing what
 * trips OpenClaw (clawdbot-imessage.md §8.3): a file named `imsg`, or the word `ssh` anywhere in
 * it (OpenClaw would take it for an SSH wrapper and copy attachments with scp).
 */
export function registerWrapper(program: Command): void {
  program
    .command('wrapper')
    .description('write the one-line script to use as OpenClaw’s channels.imessage cliPath')
    .argument('<path>', 'where to write it, e.g. /usr/local/bin/imsg-hub-work (never a file named imsg)')
    .option('--account <name>', 'per-account mode: this Apple ID only (one wrapper per account); default: merged')
    .option('--hub-url <url>', `${HUB_URL_HELP}, default ${DEFAULT_HUB_URL})`, collectHubUrls)
    .requiredOption('--token-file <path>', 'file holding a client token (imsg-hub token create --role client …)')
    .option('--cache-dir <dir>', 'where inbound attachments are cached (add it to OpenClaw’s attachmentRoots)')
    .option('--imsg-version <version>', `the imsg to play: ${IMSG_V1_VERSION} (default; OpenClaw's current plugin) or ${IMSG_COMPAT_VERSION} (older clients)`)
    .option('--force', 'overwrite an existing file')
    .action((path: string, flags: WrapperFlags) => {
      try {
        const target = resolve(path);
        if (basename(target) === 'imsg') {
          throw new Error(
            'do not name the wrapper "imsg": OpenClaw then reads a local chat.db for since_rowid and refuses it on non-Mac hosts; use e.g. imsg-hub-work',
          );
        }
        const version = flags.imsgVersion ?? IMSG_V1_VERSION;
        if (version !== IMSG_V1_VERSION && version !== IMSG_COMPAT_VERSION) {
          throw new Error(`--imsg-version must be ${IMSG_V1_VERSION} or ${IMSG_COMPAT_VERSION} (got ${version})`);
        }
        if (!existsSync(dirname(target))) {
          throw new Error(`the directory ${dirname(target)} does not exist; create it first (mkdir -p ${dirname(target)}) or write the wrapper elsewhere`);
        }
        const tokenFile = resolve(flags.tokenFile);
        if (!existsSync(tokenFile) || readFileSync(tokenFile, 'utf8').trim() === '') throw new Error(`token file ${tokenFile} is missing or empty`);
        if (existsSync(target) && !flags.force) throw new Error(`${target} exists; pass --force to overwrite`);
        const bin = fileURLToPath(new URL('../../bin/imsg-hub.js', import.meta.url));
        const script = wrapperScript({
          account: flags.account,
          hubUrl: parseHubUrls(flags.hubUrl ?? (process.env['IMSG_HUB_URL'] || DEFAULT_HUB_URL), flags.hubUrl ? '--hub-url' : 'IMSG_HUB_URL').join(','),
          tokenFile,
          cacheDir: flags.cacheDir && resolve(flags.cacheDir),
          imsgVersion: version,
          node: process.execPath,
          bin,
        });
        if (/\bssh\b/.test(script))
          throw new Error('the wrapper would contain the word "ssh" (in a path): OpenClaw would take it for an SSH wrapper; move the files');
        writeFileSync(target, script, { mode: 0o755 });
        chmodSync(target, 0o755);
        process.stdout.write(script);
      } catch (err) {
        fail(err);
      }
    });
}
