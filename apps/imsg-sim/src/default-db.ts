import { homedir } from 'node:os';
import { join } from 'node:path';

/** `--db` default: env IMSG_SIM_DB, else imsg's own default ~/Library/Messages/chat.db. */
export function defaultDbPath(): string {
  return process.env['IMSG_SIM_DB'] || join(homedir(), 'Library', 'Messages', 'chat.db');
}

/** Parses a positive integer option, naming the flag when it is not one. */
export function positiveInt(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} expects a positive integer, got ${value}`);
    return n;
  };
}
