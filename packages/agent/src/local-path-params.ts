// Which of a send's params name a file where imsg runs (issue 10, point 4). imsg takes files by
// path under several names and spellings (`file`, `path`, `attachment`, `files`, `parts[i].file`,
// group.setIcon's `file`, …) and may add more; every string under any key that names a file,
// path, attachment, image or icon, at any depth, counts. The agent adds the path of a blob it
// staged itself after this check.

const FILE_WORDS = new Set([
  'file',
  'files',
  'filename',
  'filepath',
  'path',
  'paths',
  'attachment',
  'attachments',
  'icon',
  'image',
  'images',
  'photo',
  'media',
]);

/** `filePath`, `file_path`, `icon-file` and `FILE` name files; `profile` and `text` do not. */
function namesFile(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((w) => FILE_WORDS.has(w));
}

/** A path a send's params name: where (`at`, and `key` for messages, e.g. `parts[0].file`) and what. */
export interface NamedPath {
  key: string;
  at: (string | number)[];
  path: string;
}

/** Each path a send's params name. */
export function namedLocalPaths(params: unknown): NamedPath[] {
  const found: NamedPath[] = [];
  walk(params, [], false, found);
  return found;
}

/** A copy of `params` with the value at `at` replaced. */
export function withPathAt<T>(params: T, at: readonly (string | number)[], value: string): T {
  const copy = structuredClone(params);
  let node: unknown = copy;
  for (const step of at.slice(0, -1)) node = (node as Record<string | number, unknown>)[step];
  (node as Record<string | number, unknown>)[at.at(-1)!] = value;
  return copy;
}

function walk(value: unknown, at: (string | number)[], fileish: boolean, found: NamedPath[]): void {
  if (at.length > 64) return; // the protocol bounds nesting far below this
  if (typeof value === 'string') {
    if (fileish && value !== '') found.push({ key: keyOf(at), at, path: value });
    return;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) walk(v, [...at, i], fileish, found);
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) walk(v, [...at, k], fileish || namesFile(k), found);
  }
}

function keyOf(at: readonly (string | number)[]): string {
  return at.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${k}` : k), '');
}
