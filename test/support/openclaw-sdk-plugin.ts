import { fileURLToPath } from 'node:url';
import { OPENCLAW_SDK } from './openclaw-sdk-stub.js';

const PREFIX = 'openclaw/plugin-sdk/';
const VIRTUAL = '\0openclaw-sdk:';
const STUB = fileURLToPath(new URL('./openclaw-sdk-stub.ts', import.meta.url));

/**
 * Resolves `openclaw/plugin-sdk/<module>` (the `openclaw` peer @openclaw/imessage imports, absent
 * here) to the test host's stand-ins: one virtual module per name, each export read from
 * OPENCLAW_SDK. A module or export the stand-in lacks fails the import by name.
 */
export function openclawSdkStub(): {
  name: string;
  enforce: 'pre';
  resolveId(id: string): string | undefined;
  load(id: string): string | undefined;
} {
  return {
    name: 'openclaw-sdk-stub',
    enforce: 'pre',
    resolveId(id) {
      return id.startsWith(PREFIX) ? `${VIRTUAL}${id.slice(PREFIX.length)}` : undefined;
    },
    load(id) {
      if (!id.startsWith(VIRTUAL)) return undefined;
      const name = id.slice(VIRTUAL.length);
      const exports = OPENCLAW_SDK[name];
      if (!exports) throw new Error(`openclaw test host: no stand-in for ${PREFIX}${name}`);
      const lines = Object.keys(exports).map((key) => `export const ${key} = m[${JSON.stringify(key)}];`);
      return `import { OPENCLAW_SDK } from ${JSON.stringify(STUB)};\nconst m = OPENCLAW_SDK[${JSON.stringify(name)}];\n${lines.join('\n')}\n`;
    },
  };
}
