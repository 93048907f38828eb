import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SourceError } from './errors.js';
import { LocalSource } from './local-source.js';

const dir = mkdtempSync(join(tmpdir(), 'local-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A stand-in "imsg": echoes its argv as the first line, then stdin back, exits 0 on EOF.
const echo = join(dir, 'echo-imsg.mjs');
writeFileSync(
  echo,
  `#!/usr/bin/env node
process.stdout.write(JSON.stringify(process.argv.slice(2)) + '\\n');
process.stdin.pipe(process.stdout);
`,
  { mode: 0o755 },
);

function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    let buf = '';
    const onData = (c: Buffer): void => {
      buf += c.toString();
      const i = buf.indexOf('\n');
      if (i >= 0) {
        stream.off('data', onData);
        resolve(buf.slice(0, i));
      }
    };
    stream.on('data', onData);
  });
}

describe('LocalSource', () => {
  it('spawns argv only (rpc, --db, extra args) and reports the exit', async () => {
    await using source = new LocalSource({ cliPath: echo, db: '/x/chat db.sqlite', args: ['--poll-ms', '5'] });
    const proc = await source.spawn();
    expect(JSON.parse(await firstLine(proc.stdout))).toEqual(['rpc', '--db', '/x/chat db.sqlite', '--poll-ms', '5']);
    proc.stdin.end();
    expect(await proc.exited).toEqual({ code: 0, signal: null });
  });

  it('kills with SIGKILL', async () => {
    await using source = new LocalSource({ cliPath: echo });
    const proc = await source.spawn();
    proc.kill();
    expect(await proc.exited).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('names a missing executable and what to do', async () => {
    const source = new LocalSource({ cliPath: join(dir, 'no-such-imsg') });
    const err = await source.spawn().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).code).toBe('SOURCE_NOT_FOUND');
    expect((err as Error).message).toContain(join(dir, 'no-such-imsg'));
    expect((err as Error).message).toContain('cli_path');
  });

  it('reads files bounded by size and writes private temp files', async () => {
    const source = new LocalSource({ tempRoot: dir });
    writeFileSync(join(dir, 'a.bin'), Buffer.alloc(10, 7));
    expect(await source.files.size(join(dir, 'a.bin'))).toBe(10);
    expect(await source.files.size(join(dir, 'none'))).toBeUndefined();
    expect(await source.files.read(join(dir, 'a.bin'), 10)).toEqual({ state: 'ok', bytes: Buffer.alloc(10, 7) });
    expect(await source.files.read(join(dir, 'a.bin'), 9)).toEqual({ state: 'too_large', size: 10 });
    expect(await source.files.read(join(dir, 'none'), 9)).toEqual({ state: 'missing' });
    const temp = await source.files.writeTemp('../../etc/evil name.txt', Buffer.from('hi'));
    expect(temp.path.startsWith(dir)).toBe(true);
    expect(temp.path.endsWith('/evil name.txt')).toBe(true);
    expect(readFileSync(temp.path, 'utf8')).toBe('hi');
    expect(statSync(join(temp.path, '..')).mode & 0o777).toBe(0o700);
    expect(statSync(temp.path).mode & 0o777).toBe(0o600);
    await temp.remove();
    expect(await source.files.size(temp.path)).toBeUndefined();
  });
});
