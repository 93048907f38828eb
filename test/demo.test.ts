import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { binPath, tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';

/** Processes whose command line mentions `needle` (the demo's state dir): none may outlive it. */
const survivors = (needle: string) =>
  execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(needle) && !l.includes('ps -eo'));

function runDemo(dir: string, ...extra: string[]) {
  const child = spawn(process.execPath, [binPath('imsg-hub'), 'demo', '--dir', dir, '--pace', '60', ...extra], { env: { ...process.env, NO_COLOR: '1' } });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

// Issue 6: the README's first command runs this; it must show the whole product and end by itself.
describe('imsg-hub demo', () => {
  it('runs hub, agents (one over SSH) and a conversation end to end, then stops everything', async () => {
    await using tmp = tempDir('demo-');
    const demo = runDemo(tmp.join('state'));
    expect(await demo.exited, demo.output()).toBe(0);
    const out = demo.output();
    expect(out).toContain('imsg over SSH to 127.0.0.1');
    for (const tag of ['[alice]', '[bob]', '[work]', '[alice+bob]']) expect(out).toContain(tag);
    expect(out).toMatch(/Family \+14155550912: Who’s bringing dessert on Sunday\?/);
    expect(out).toContain('[📎 cake.png]');
    expect(out).toContain('reacted ❤️ to “Look what I baked');
    expect(out).toContain('↪ "Are we still on for dinner tonight?" 7pm works');
    expect(out).toMatch(/sent via bob \(explicit\)/);
    expect(out).toMatch(/sent via alice \(affinity\)/);
    expect(out).toMatch(/sent via work \(rule\)/);
    // 7 arriving, 4 replies: imsg 0.15 sends "Deck attached." and its file as one message (0.9 wrote two rows).
    expect(out).toMatch(/✓ Demo finished in [\d.]+ s: 11 messages merged from 3 Apple IDs, 4\/4 replies sent/);
    expect(out).not.toMatch(/Warning|Error/);
    expect(survivors(tmp.path)).toEqual([]);
  }, 60_000);

  it('stops cleanly on Ctrl-C', async () => {
    await using tmp = tempDir('demo-int-');
    const demo = runDemo(tmp.join('state'));
    await waitFor(() => demo.output().includes('Messages arrive on the Macs'), 30_000);
    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(130);
    expect(demo.output()).toContain('Stopping: closing agents, hub and simulated Macs');
    await waitFor(() => survivors(tmp.path).length === 0, 5000);
  }, 60_000);

  it('--stay keeps everything up and prints commands that work as printed; Ctrl-C stops it all', async () => {
    await using tmp = tempDir('demo-stay-');
    const demo = runDemo(tmp.join('state'), '--stay', '--ssh', 'no');
    await waitFor(() => demo.output().includes('Ctrl-C stops everything'), 45_000);
    const line = (label: string) =>
      demo
        .output()
        .split('\n')
        .find((l) => l.trimStart().startsWith(label))!
        .trim()
        .slice(label.length)
        .trim();
    expect(line('status page')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=ihub_/);
    const env = Object.fromEntries(
      line('the CLI')
        .replace(/^export /, '')
        .split(' ')
        .map((kv) => kv.split('=') as [string, string]),
    );
    const run = (command: string) => execFileSync('sh', ['-c', command], { env: { ...process.env, ...env }, encoding: 'utf8', cwd: tmp.path, timeout: 20_000 });
    run(line('a message'));
    const cli = demo
      .output()
      .split('\n')
      .find((l) => l.includes(' accounts; '))!
      .trim()
      .split(' accounts;')[0]!;
    await waitFor(() => run(`${cli} search running late --json`).includes('Running late!'), 15_000);
    run(line('OpenClaw'));
    expect(existsSync(tmp.join('state', 'openclaw-imsg-hub'))).toBe(true);
    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(0);
    await waitFor(() => survivors(tmp.path).length === 0, 5000);
  }, 90_000);
});
