import { defineConfig } from 'vitest/config';
import { openclawSdkStub } from './test/support/openclaw-sdk-plugin.js';

export default defineConfig({
  // @openclaw/imessage (test/openclaw-*) imports its host, `openclaw/plugin-sdk/*`: stood in for in tests.
  plugins: [openclawSdkStub()],
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    server: { deps: { inline: ['@openclaw/imessage'] } },
    projects: [
      // Unit tests sit beside the code: one module, in-process fakes at most.
      { extends: true, test: { name: 'unit', include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'test/store-conformance/*.test.ts'] } },
      // test/ holds cross-process end-to-end and fault tests: real processes, sockets, sshd, Chromium.
      { extends: true, test: { name: 'e2e', include: ['test/**/*.test.ts'], exclude: ['test/store-conformance/**', '**/node_modules/**'] } },
    ],
  },
});
