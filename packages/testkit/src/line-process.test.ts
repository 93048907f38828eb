import { existsSync } from 'node:fs';
import { expect, test } from 'vitest';
import { spawnLineProcess } from './line-process.js';
import { tempDir } from './temp-dir.js';
import { waitFor } from './wait-for.js';
import { binPath, freePort } from '@imsg-hub/fleet';

const ECHO = `process.stdin.on('data', (d) => process.stdout.write(String(d).toUpperCase())); process.stdin.on('end', () => { process.stderr.write('bye'); process.exit(3); });`;

test('lines in order, predicates skip without losing lines, exit code and stderr captured', async () => {
  await using p = spawnLineProcess(process.execPath, ['-e', ECHO]);
  p.writeLine('one');
  p.writeRaw('two\nthr');
  p.writeRaw('ee\n');
  expect(await p.nextLine((l) => l === 'TWO')).toBe('TWO');
  expect(await p.collectLines(2)).toEqual(['ONE', 'THREE']);
  p.endInput();
  expect(await p.exited).toEqual({ code: 3, signal: null });
  expect(p.stderr).toBe('bye');
  await expect(p.nextLine(undefined, 100)).rejects.toThrow(/exited/);
});

test('a missing line times out; dispose kills a child that does not exit', async () => {
  const p = spawnLineProcess(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  await expect(p.nextLine(undefined, 50)).rejects.toThrow(/no matching line within 50 ms/);
  await p[Symbol.asyncDispose]();
  expect((await p.exited).signal).toBe('SIGKILL');
});

test('tempDir removes itself; waitFor, freePort and binPath', async () => {
  let path = '';
  {
    await using dir = tempDir();
    path = dir.path;
    expect(existsSync(path)).toBe(true);
  }
  expect(existsSync(path)).toBe(false);
  let n = 0;
  expect(await waitFor(() => ++n >= 3 && n)).toBe(3);
  await expect(waitFor(() => false, 30)).rejects.toThrow(/within 30 ms/);
  expect(await freePort()).toBeGreaterThan(0);
  expect(binPath('imsg-sim')).toMatch(/apps\/imsg-sim\/bin\/imsg-sim\.js$/);
});
