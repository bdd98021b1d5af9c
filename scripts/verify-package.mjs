// Packages the app for Linux (`dir` target) against a stub Electron binary
// and checks what ships: the contents of app.asar, what is unpacked beside
// it, and the fuses flipped into the binary. Slow (~30 s); not part of
// `npm test`. No Electron download is needed.
//
// The stub is a shell script carrying Electron's fuse wire with Electron's
// default states, so electron-builder's fuse step runs and can be checked.
// Native modules are not rebuilt (npmRebuild=false): that needs Electron's
// headers, and this check is about contents, not the addon's ABI.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import asar from '@electron/asar';
import fuses from '@electron/fuses';

// CommonJS with re-exports Node cannot see statically: no named imports.
const { FuseV1Options, getCurrentFuseWire } = fuses;
// A fuse is the ASCII digit '1' or '0' in the binary.
const FUSE_ON = 0x31;
const FUSE_OFF = 0x30;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const APP_DIR = path.join(ROOT, 'release', 'linux-unpacked');
const ARCHIVE = path.join(APP_DIR, 'resources', 'app.asar');
const UNPACKED = `${ARCHIVE}.unpacked`;

const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// Electron's own defaults, in FuseV1Options order: RunAsNode on, cookie
// encryption off, NODE_OPTIONS on, --inspect on, asar integrity off,
// only-asar off, browser V8 snapshot off, file:// privileges on.
const STOCK_FUSES = '10110001';

/** What electron-builder.yml asks for; read back from the packed binary. */
const EXPECTED_FUSES = {
  RunAsNode: false,
  EnableCookieEncryption: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  GrantFileProtocolExtraPrivileges: false,
};

function run(command, args) {
  console.log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`verify-package: ${command} exited with ${result.status ?? result.signal}`);
    process.exit(1);
  }
}

function writeStubElectron(dir) {
  const stub = path.join(dir, 'electron');
  const wire = Buffer.concat([Buffer.from(FUSE_SENTINEL), Buffer.from([1, STOCK_FUSES.length]), Buffer.from(STOCK_FUSES)]);
  writeFileSync(stub, Buffer.concat([Buffer.from('#!/bin/sh\nexit 0\n# '), wire, Buffer.from('\n')]));
  chmodSync(stub, 0o755);
}

const failures = [];
function check(description, ok, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${description}${detail ? `: ${detail}` : ''}`);
  if (!ok) failures.push(description);
}

run(process.execPath, ['scripts/build.mjs']);

const stubDir = mkdtempSync(path.join(tmpdir(), 'strongroom-stub-electron-'));
try {
  writeStubElectron(stubDir);
  rmSync(APP_DIR, { recursive: true, force: true });
  run('npx', ['electron-builder', '--linux', 'dir', `-c.electronDist=${stubDir}`, '-c.npmRebuild=false']);
} finally {
  rmSync(stubDir, { recursive: true, force: true });
}

console.log('\nverify-package: checking release/linux-unpacked');
check('app.asar exists', existsSync(ARCHIVE), ARCHIVE);
if (!existsSync(ARCHIVE)) process.exit(1);

const files = asar.listPackage(ARCHIVE, { isPack: false }).map((file) => file.split(path.sep).join('/'));
const has = (file) => files.includes(file);
const unpacked = (file) => Boolean(asar.statFile(ARCHIVE, file.slice(1), false)?.unpacked);
console.log(`app.asar: ${files.length} entries`);

let packageJson = {};
try {
  packageJson = JSON.parse(asar.extractFile(ARCHIVE, 'package.json').toString('utf8'));
} catch (error) {
  // Seen when dist/ was rebuilt while electron-builder was packing it.
  check('package.json in app.asar parses', false, `${error.message} (was dist/ rebuilt during packaging?)`);
}
check('package.json main is the shell', packageJson.main === 'dist/shell/main.cjs', packageJson.main);
check('package.json keeps "type": "module" for the ES-module delegate', packageJson.type === 'module', packageJson.type);

for (const file of ['/dist/shell/main.cjs', '/dist/shell/preload.cjs', '/dist/renderer/index.html', '/dist/delegate/main.js']) {
  check(`${file} is packed`, has(file) && !unpacked(file));
}
check('the renderer bundle has its assets', files.some((file) => /^\/dist\/renderer\/assets\/.+\.js$/.test(file)));

check('no source maps', !files.some((file) => file.endsWith('.map')), files.filter((file) => file.endsWith('.map')).slice(0, 3).join(', '));
check('no benchmark', !files.some((file) => file.startsWith('/dist/bench/')));
const sources = files.filter((file) => /^\/(src-main|src-delegate|src-renderer|test|scripts|assets)\//.test(file) || (/\.tsx?$/.test(file) && !file.includes('/node_modules/')));
check('no TypeScript sources, tests or scripts', sources.length === 0, sources.slice(0, 3).join(', '));

for (const name of Object.keys(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).dependencies ?? {})) {
  check(`dependency ${name} is packed`, has(`/node_modules/${name}/package.json`));
}
for (const name of ['electron', 'electron-builder', 'vitest', 'vite', 'typescript', 'esbuild', 'playwright-core', '@doyensec/electronegativity']) {
  check(`dev dependency ${name} is left out`, !has(`/node_modules/${name}/package.json`));
}

const addon = '/node_modules/better-sqlite3/build/Release/better_sqlite3.node';
check('better-sqlite3 addon is present', has(addon));
check('better-sqlite3 addon is unpacked', unpacked(addon) && existsSync(path.join(UNPACKED, addon)));
const leftovers = files.filter((file) => /^\/node_modules\/better-sqlite3\/(deps|src|build\/deps|build\/Release\/obj(\.target)?)\/|test_extension\.node$/.test(file));
check('better-sqlite3 sources and build intermediates are left out', leftovers.length === 0, leftovers.slice(0, 3).join(', '));
check('nothing from dist/ is unpacked (asar integrity covers it)', !existsSync(path.join(UNPACKED, 'dist')));
check('better-sqlite3 JavaScript stays packed', has('/node_modules/better-sqlite3/lib/index.js') && !unpacked('/node_modules/better-sqlite3/lib/index.js'));

const wire = await getCurrentFuseWire(path.join(APP_DIR, 'strongroom'));
for (const [name, enabled] of Object.entries(EXPECTED_FUSES)) {
  const state = wire[FuseV1Options[name]];
  check(`fuse ${name} is ${enabled ? 'on' : 'off'}`, state === (enabled ? FUSE_ON : FUSE_OFF), String.fromCharCode(state));
}

if (failures.length > 0) {
  console.error(`\nverify-package: ${failures.length} check(s) failed`);
  process.exit(1);
}
console.log('\nverify-package: all checks passed');
