// `npm start` after the build: Electron when its binary is installed, otherwise
// the loopback bridge with the app in a Chromium/Chrome --app window.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const extraArgs = process.argv.slice(2);

function electronBinary() {
  const pathFile = join(root, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(root, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

const electron = electronBinary();
const child = electron
  ? spawn(electron, [join(root, 'dist', 'shell', 'main.cjs'), ...extraArgs], { stdio: 'inherit' })
  : spawn(process.execPath, [join(root, 'dist', 'main', 'serve.js'), ...extraArgs], { stdio: 'inherit' });
console.error(electron ? `Starting Strongroom in Electron (${electron}).` : 'No Electron binary is installed here: starting the loopback bridge instead.');
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
