import { parse } from 'plist';
import { describe, expect, it } from 'vitest';
import { defaultLaunchAgentLabel, launchAgentPlist } from './launch-agent.js';

describe('LaunchAgent plist', () => {
  it('derives a label a file name can hold', () => {
    expect(defaultLaunchAgentLabel('Alice’s MacBook Pro')).toBe('com.imsg-hub.agent.alice-s-macbook-pro');
    expect(defaultLaunchAgentLabel('///')).toBe('com.imsg-hub.agent.default');
  });

  it('escapes XML so every argument reads back exactly', () => {
    const args = ['/usr/local/bin/node', '/opt/a <b> & "c"/imsg-agent.js', 'run', '--config', "/Users/x/it's & <ok>.json"];
    const xml = launchAgentPlist({ label: 'com.imsg-hub.agent.x', programArguments: args, logDir: '/Users/x/Library/Logs/imsg-agent' });
    expect(parse(xml)).toMatchObject({ Label: 'com.imsg-hub.agent.x', ProgramArguments: args, LimitLoadToSessionType: 'Aqua' });
  });

  it('refuses a relative program, a relative log dir and a label with a slash', () => {
    const ok = { label: 'l', programArguments: ['/n'], logDir: '/logs' };
    expect(() => launchAgentPlist({ ...ok, programArguments: ['node'] })).toThrow(TypeError);
    expect(() => launchAgentPlist({ ...ok, logDir: 'logs' })).toThrow(TypeError);
    expect(() => launchAgentPlist({ ...ok, label: '../evil' })).toThrow(TypeError);
  });
});
