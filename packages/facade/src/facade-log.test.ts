import { describe, expect, it } from 'vitest';
import { lazyLogger } from './facade-log.js';

describe('lazyLogger', () => {
  it('has nothing to flush while no line reaches its level, and never writes at silent', async () => {
    const log = lazyLogger('test', 'warn');
    log.debug({ a: 1 }, 'below');
    log.info({ a: 2 }, 'below');
    await expect(log.flush()).resolves.toBeUndefined();
    const silent = lazyLogger('test', 'silent');
    silent.error({}, 'never');
    await silent.flush();
  });
});
