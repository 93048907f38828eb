import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { SimError } from './errors.js';
import { handleKey } from './handle.js';

const AccountConfigSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected a short name of letters, digits, _ . -'),
  db: z.string().min(1, 'expected the path of the account chat.db'),
  handles: z.array(z.string().min(1)).min(1, 'expected at least one handle'),
});

/** world.json: several simulated accounts, each with its own chat.db (paths relative to the file). */
export const WorldConfigSchema = z.object({ version: z.literal(1), accounts: z.array(AccountConfigSchema).min(1) }).superRefine((world, ctx) => {
  const names = new Set<string>();
  const owners = new Map<string, string>();
  world.accounts.forEach((account, i) => {
    if (names.has(account.name)) {
      ctx.addIssue({ code: 'custom', path: ['accounts', i, 'name'], message: `duplicate account name ${account.name}` });
    }
    names.add(account.name);
    account.handles.forEach((handle, j) => {
      const owner = owners.get(handleKey(handle));
      if (owner !== undefined && owner !== account.name) {
        ctx.addIssue({ code: 'custom', path: ['accounts', i, 'handles', j], message: `handle ${handle} already belongs to ${owner}` });
      }
      owners.set(handleKey(handle), account.name);
    });
  });
});
export type WorldConfig = z.infer<typeof WorldConfigSchema>;

/** An account with its db path made absolute. */
export interface SimAccount {
  name: string;
  dbPath: string;
  handles: string[];
}

/** Validates a config object; the error names the bad key and what was expected. */
export function parseWorldConfig(value: unknown, source = 'world config'): WorldConfig {
  const parsed = WorldConfigSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new SimError('WORLD_CONFIG', `${source}: ${key}: ${issue.message}`);
  }
  return parsed.data;
}

/** Reads and validates a world file. */
export function loadWorldFile(file: string): WorldConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SimError('WORLD_CONFIG', `cannot read world file ${file}: ${(err as Error).message}`, { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SimError('WORLD_CONFIG', `${file}: not JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseWorldConfig(value, file);
}

/** The accounts of a config, db paths resolved against the world file's folder. */
export function resolveAccounts(config: WorldConfig, file: string): SimAccount[] {
  const base = dirname(resolve(file));
  return config.accounts.map((a) => ({ name: a.name, dbPath: resolve(base, a.db), handles: [...a.handles] }));
}
