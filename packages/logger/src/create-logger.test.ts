import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './create-logger.js';

function capture(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { stream, lines };
}

describe('createLogger', () => {
  it('writes one named JSON object per line, at the level asked for, with child bindings', () => {
    const { stream, lines } = capture();
    const log = createLogger('imsg-hub', { level: 'warn', stream });
    log.info('not at warn');
    log.child({ account: 'alice' }).warn({ attempt: 2 }, 'hub connect failed');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ name: 'imsg-hub', level: 40, account: 'alice', attempt: 2, msg: 'hub connect failed' });
  });

  it('takes the level from LOG_LEVEL when none is given', () => {
    const before = process.env['LOG_LEVEL'];
    process.env['LOG_LEVEL'] = 'debug';
    try {
      expect(createLogger('x', { stream: capture().stream }).level).toBe('debug');
    } finally {
      if (before === undefined) delete process.env['LOG_LEVEL'];
      else process.env['LOG_LEVEL'] = before;
    }
  });

  it('loads pino-pretty when asked for pretty lines (as on a terminal)', () => {
    const log = createLogger('x', { pretty: true, sync: true, level: 'silent' });
    expect(log.level).toBe('silent');
  });
});
