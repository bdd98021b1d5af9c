// Who may touch raw IPC inside the shell. ESLint's import rules cover the
// process boundaries; these rules are finer than a folder, so they are
// checked on the source text.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SHELL_DIR = path.join(import.meta.dirname, '..', '..', 'src-main', 'shell');
const sources = new Map(
  readdirSync(SHELL_DIR)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => [name, readFileSync(path.join(SHELL_DIR, name), 'utf8')] as const),
);

/** Names imported as values (not `import type`) from 'electron'. */
function electronValueImports(source: string): string[] {
  const imports = source.matchAll(/^import\s+(?!type\b)\{([^}]*)\}\s+from\s+'electron';/gm);
  return [...imports].flatMap((match) => (match[1] ?? '').split(',').map((name) => name.trim()).filter(Boolean));
}

function filesUsing(pattern: RegExp): string[] {
  return [...sources].filter(([, source]) => pattern.test(source)).map(([name]) => name).sort();
}

describe('shell boundaries', () => {
  it('finds the shell sources', () => {
    expect([...sources.keys()]).toContain('main.ts');
  });

  it('touches ipcMain only in the IPC wrapper', () => {
    expect(filesUsing(/\bipcMain\b/)).toEqual(['ipc-main-wrapper.ts']);
  });

  it('sends to a renderer only from the IPC wrapper', () => {
    expect(filesUsing(/\.send\(/)).toEqual(['ipc-main-wrapper.ts']);
  });

  it('touches ipcRenderer and contextBridge only in the preload', () => {
    expect(filesUsing(/\bipcRenderer\b/)).toEqual(['preload.ts']);
    expect(filesUsing(/\bcontextBridge\b/)).toEqual(['preload.ts']);
  });

  it('keeps the pure modules free of Electron at run time', () => {
    for (const name of ['app-origin.ts', 'app-protocol.ts', 'harden.ts', 'ipc-channels.ts', 'window-options.ts']) {
      expect(electronValueImports(sources.get(name) ?? ''), name).toEqual([]);
    }
  });

  it('keeps the sandboxed preload bundle small: no contract values, no Node modules', () => {
    const preload = sources.get('preload.ts') ?? '';
    const valueImports = [...preload.matchAll(/^import\s+(?!type\b).*from\s+'([^']+)';/gm)].map((match) => match[1]);
    expect(valueImports.sort()).toEqual(['./ipc-channels.js', 'electron']);
  });
});
