// `npm run emulator -- <aws|gcp|azure|vault|winrm> [--port P] [...]`: starts one
// test emulator on loopback so a person can point the app at it. It prints its
// endpoint and test credentials as one JSON line and runs until Ctrl+C.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const EMULATORS = {
  aws: 'aws-emulator.ts',
  gcp: 'gcp-kms-emulator.ts',
  azure: 'azure-key-vault-emulator.ts',
  vault: 'vault-emulator.ts',
  winrm: 'winrm-emulator.ts',
};

const [name, ...args] = process.argv.slice(2);
const file = EMULATORS[name];
if (!file) {
  console.error(`Usage: npm run emulator -- <${Object.keys(EMULATORS).join('|')}> [--port P]`);
  process.exit(2);
}

// The emulators are TypeScript test code; bundle one with its entry so plain Node can run it.
mkdirSync(join(root, '.tmp'), { recursive: true });
const dir = mkdtempSync(join(root, '.tmp', `emulator-${name}-`));
const entry = join(dir, 'entry.mjs');
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
await build({
  stdin: {
    contents: `import { runStandalone } from ${JSON.stringify(join(root, 'test', 'emulators', file))};\nawait runStandalone(${JSON.stringify(args)});\n`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile: entry,
  logLevel: 'warning',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
await import(pathToFileURL(entry).href);
