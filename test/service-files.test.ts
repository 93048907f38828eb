import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { binPath, spawnLineProcess, tempDir } from '@imsg-hub/testkit';
import { parse as parsePlist } from 'plist';
import { describe, expect, it } from 'vitest';

// Issue 6, service files: the real CLIs write a LaunchAgent plist and a systemd unit; each is read
// back with an independent parser (the `plist` library; systemd's quoting rules below) and the
// command it names is run for real.
const run = promisify(execFile);

async function cli(app: 'imsg-agent' | 'imsg-hub', args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, [binPath(app), ...args], { env: { ...process.env, ...env }, timeout: 20_000 });
    return { stdout: r.stdout, stderr: r.stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}

/** A unit file as sections of keys, each key with every value it was given, in order. */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || /^[#;]/.test(line)) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1]!, current);
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!kv || !current) throw new Error(`not a unit line: ${JSON.stringify(line)}`);
    current.set(kv[1]!, [...(current.get(kv[1]!) ?? []), kv[2]!]);
  }
  return sections;
}

/**
 * Splits a value into words as systemd does: whitespace separates, double quotes group, C escapes,
 * `%%` is `%` and (command lines) `$$` is `$`. A lone `%x` or `$X` would be expanded by systemd,
 * so it fails here: the generator must have escaped it.
 */
function systemdWords(value: string, commandLine: boolean): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quoted = false;
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", ';': ';' };
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (!quoted && /\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      continue;
    }
    word ??= '';
    if (c === '"') quoted = !quoted;
    else if (c === '\\') {
      const n = value[++i]!;
      if (n === 'x') {
        word += String.fromCharCode(parseInt(value.slice(i + 1, i + 3), 16));
        i += 2;
      } else if (escapes[n] !== undefined) word += escapes[n];
      else throw new Error(`unknown escape \\${n} in ${value}`);
    } else if (c === '%' || (commandLine && c === '$')) {
      if (value[i + 1] !== c) throw new Error(`unescaped ${c} at ${i} in ${value}`);
      word += c;
      i++;
    } else word += c;
  }
  if (quoted) throw new Error(`unterminated quote in ${value}`);
  if (word !== undefined) words.push(word);
  return words;
}

describe('imsg-agent install-launchd', () => {
  it('writes a LaunchAgent that runs `imsg-agent run --config <abs>` in the GUI session, and says how to load it', async () => {
    await using tmp = tempDir('launchd-');
    const home = tmp.join('home');
    // A folder name XML must escape, and a config named by a relative path.
    const dir = tmp.join('Alice & <Bob> "cfg"');
    mkdirSync(dir);
    writeFileSync(join(dir, 'agent.token'), 'ihub_test\n');
    writeFileSync(
      join(dir, 'agent.json'),
      JSON.stringify({
        agent_id: "Alice's Mac mini",
        hub: { url: 'wss://hub.example:7443/', token_file: 'agent.token' },
        accounts: [{ name: 'alice', source: { kind: 'local' } }],
      }),
    );
    const r = await run(process.execPath, [binPath('imsg-agent'), 'install-launchd', '--config', 'agent.json'], {
      cwd: dir,
      env: { ...process.env, HOME: home },
    });

    const label = 'com.imsg-hub.agent.alice-s-mac-mini';
    const path = join(home, 'Library', 'LaunchAgents', `${label}.plist`);
    expect(r.stdout).toContain(`wrote ${path}`);
    expect(r.stdout).toContain(`launchctl bootstrap gui/$(id -u) ${path}`);
    const job = parsePlist(readFileSync(path, 'utf8')) as Record<string, unknown>;
    const argv = job['ProgramArguments'] as string[];
    expect(argv).toEqual([process.execPath, binPath('imsg-agent'), 'run', '--config', join(dir, 'agent.json')]);
    for (const p of argv.slice(0, 2)) expect(isAbsolute(p)).toBe(true);
    expect(job).toMatchObject({
      Label: label,
      RunAtLoad: true,
      KeepAlive: true,
      LimitLoadToSessionType: 'Aqua',
      ProcessType: 'Interactive',
      WorkingDirectory: dir,
    });
    const logs = join(home, 'Library', 'Logs', 'imsg-agent');
    expect(job['StandardErrorPath']).toBe(join(logs, `${label}.log`));
    expect(job['StandardOutPath']).toBe(join(logs, `${label}.out.log`));
    expect(statSync(logs).isDirectory()).toBe(true);
    expect(((job['EnvironmentVariables'] as Record<string, string>)['PATH'] ?? '').split(':')).toContain('/opt/homebrew/bin');

    // The argv is runnable as written (no shell): the same program checks the same config.
    const check = await run(argv[0]!, [...argv.slice(1, 2), 'check-config', ...argv.slice(3)], { env: { ...process.env, HOME: home } });
    expect(JSON.parse(check.stdout)).toMatchObject({ agent_id: "Alice's Mac mini", hub: { token: '<redacted>' } });
  });

  it('--print writes nothing and takes --label; a bad config or --out with --print fails with no file', async () => {
    await using tmp = tempDir('launchd-');
    const config = tmp.join('agent.json');
    writeFileSync(config, JSON.stringify({ hub: { url: 'ws://127.0.0.1:7311/', token: 't' }, accounts: [{ name: 'work', source: { kind: 'local' } }] }));
    const printed = await cli('imsg-agent', ['install-launchd', '--config', config, '--label', 'org.example.work', '--print'], { HOME: tmp.join('home') });
    expect(printed.code).toBe(0);
    expect(parsePlist(printed.stdout)).toMatchObject({
      Label: 'org.example.work',
      ProgramArguments: [process.execPath, binPath('imsg-agent'), 'run', '--config', config],
    });
    expect(printed.stderr).toContain('launchctl bootstrap gui/$(id -u)');
    expect(existsSync(tmp.join('home'))).toBe(false);

    const out = tmp.join('out', 'job.plist');
    writeFileSync(tmp.join('bad.json'), JSON.stringify({ hub: { url: 'http://nope' }, accounts: [] }));
    const bad = await cli('imsg-agent', ['install-launchd', '--config', tmp.join('bad.json'), '--out', out]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/CONFIG_INVALID[\s\S]*hub\.url/);
    const both = await cli('imsg-agent', ['install-launchd', '--config', config, '--out', out, '--print']);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('--out or --print');
    const badLabel = await cli('imsg-agent', ['install-launchd', '--config', config, '--label', '../x', '--out', out]);
    expect(badLabel.code).not.toBe(0);
    expect(existsSync(out)).toBe(false);
  });
});

describe('imsg-hub install-systemd', () => {
  it('writes a sandboxed unit whose ExecStart, read back with systemd quoting, starts this hub', async () => {
    await using tmp = tempDir('systemd-');
    // Characters systemd would split on, expand (% specifiers, $ variables) or unescape.
    const dir = tmp.join(`hub 100% $HOME "q" it's`);
    mkdirSync(dir);
    const config = join(dir, 'hub.json');
    writeFileSync(config, JSON.stringify({ listen: { host: '127.0.0.1', port: 0 }, data_dir: 'data dir' }));
    const unitPath = tmp.join('units', 'imsg-hub.service');
    const r = await cli('imsg-hub', ['install-systemd', '--config', config, '--user', 'imsg', '--out', unitPath]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${unitPath}`);
    expect(r.stdout).toContain('systemctl enable --now imsg-hub.service');

    const unit = parseUnit(readFileSync(unitPath, 'utf8'));
    expect([...unit.keys()]).toEqual(['Unit', 'Service', 'Install']);
    const service = unit.get('Service')!;
    const one = (key: string) => {
      const values = service.get(key) ?? [];
      expect(values, key).toHaveLength(1);
      return values[0]!;
    };
    const argv = systemdWords(one('ExecStart'), true);
    expect(argv).toEqual([process.execPath, binPath('imsg-hub'), 'serve', '--config', config]);
    expect(isAbsolute(argv[0]!) && isAbsolute(argv[1]!)).toBe(true);
    expect(one('User')).toBe('imsg');
    expect(one('Restart')).toBe('on-failure');
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('PrivateTmp')).toBe('yes');
    expect(systemdWords(one('ReadWritePaths'), false)).toEqual([join(dir, 'data dir')]);
    // Free text: taken literally but for specifiers.
    const description = unit.get('Unit')!.get('Description')![0]!;
    expect(description.replaceAll('%%', '')).not.toContain('%');
    expect(description.replaceAll('%%', '%')).toContain(config);
    expect(unit.get('Install')!.get('WantedBy')).toEqual(['multi-user.target']);

    // The command line as systemd would run it (no shell) starts the hub, which stops cleanly on SIGTERM.
    await using hub = spawnLineProcess(argv[0]!, argv.slice(1), { timeoutMs: 15_000 });
    const ready = await hub.nextJson<{ listening: string; http: string }>((v) => typeof v.listening === 'string');
    expect(ready.listening).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await (await fetch(new URL('healthz', ready.http))).json()).toMatchObject({ ok: true });
    expect(existsSync(join(dir, 'data dir', 'hub.db'))).toBe(true);
    hub.kill('SIGTERM');
    expect(await hub.exited).toEqual({ code: 0, signal: null });
  });

  it('--print writes the unit to stdout only; root, a bad config and --out with --print are refused', async () => {
    await using tmp = tempDir('systemd-');
    const config = tmp.join('hub.json');
    writeFileSync(config, JSON.stringify({ data_dir: '/var/lib/imsg-hub' }));
    const printed = await cli('imsg-hub', ['install-systemd', '--config', config, '--user', 'svc', '--name', 'imsg-hub-home', '--print']);
    expect(printed.code).toBe(0);
    const service = parseUnit(printed.stdout).get('Service')!;
    expect(service.get('User')).toEqual(['svc']);
    expect(service.get('ReadWritePaths')).toEqual(['/var/lib/imsg-hub']);
    expect(printed.stderr).toContain('systemctl enable --now imsg-hub-home.service');
    expect(printed.stderr).toContain('install -d -o svc -m 0700 /var/lib/imsg-hub');

    const out = tmp.join('u.service');
    const root = await cli('imsg-hub', ['install-systemd', '--config', config, '--user', 'root', '--out', out]);
    expect(root.code).not.toBe(0);
    expect(root.stderr).toContain('should not run as root');
    writeFileSync(tmp.join('bad.json'), JSON.stringify({ listen: { port: 'x' } }));
    const bad = await cli('imsg-hub', ['install-systemd', '--config', tmp.join('bad.json'), '--user', 'svc', '--out', out]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('listen.port');
    const both = await cli('imsg-hub', ['install-systemd', '--config', config, '--user', 'svc', '--out', out, '--print']);
    expect(both.code).not.toBe(0);
    const injected = await cli('imsg-hub', ['install-systemd', '--config', config, '--user', 'svc\nExecStartPre=/bin/sh', '--out', out]);
    expect(injected.code).not.toBe(0);
    expect(existsSync(out)).toBe(false);
  });
});
