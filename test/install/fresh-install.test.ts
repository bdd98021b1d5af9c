/**
 * The README's install on a machine that cannot build the kerberos addon: a
 * clean clone of this commit, `npm ci` and the build inside a private mount
 * namespace where the Kerberos headers are hidden under empty tmpfs mounts,
 * then the clone's own CLI creates a store, stores and reveals a secret, and
 * a WinRM Kerberos connection test reports the missing addon as a typed
 * error. Slow (npm ci compiles better-sqlite3), so opt-in:
 * STRONGROOM_FRESH_INSTALL=1, which `.ci/run` sets.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingToolsReason } from '../fixtures/system-tools.js';
import { startWinrmEmulator, type WinrmEmulator } from '../emulators/winrm-emulator.js';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const PASSPHRASE = 'fresh install passphrase 7';
/** Every folder the Debian/Ubuntu Kerberos development packages install headers into. */
const KERBEROS_HEADER_DIRS = ['/usr/include/mit-krb5', '/usr/include/gssapi', '/usr/include/krb5', '/usr/include/gssrpc', '/usr/include/kadm5', '/usr/include/heimdal'];

function skipReason(): string | null {
  if (process.env.STRONGROOM_FRESH_INSTALL !== '1') return 'opt-in: set STRONGROOM_FRESH_INSTALL=1 (.ci/run does)';
  const tools = missingToolsReason(['git', 'unshare']);
  if (tools) return tools;
  // A private mount namespace needs CAP_SYS_ADMIN (root here, as in CI).
  const probe = spawnSync('unshare', ['-m', '--propagation', 'private', 'true']);
  if (probe.status !== 0) return `unshare -m is not permitted here (needs root): ${probe.stderr.toString().trim()}`;
  return null;
}

const reason = skipReason();
if (reason) console.log(`skipping the fresh-install test: ${reason}`);

/** Runs a shell script, resolving with its exit status and output. */
function sh(script: string, env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('sh', ['-c', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolvePromise({ status, stdout, stderr }));
  });
}

const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;

describe.skipIf(reason !== null)(reason ? `fresh install without the Kerberos headers [skipped: ${reason}]` : 'fresh install without the Kerberos headers', () => {
  let work: string;
  let clone: string;
  let dataDir: string;
  let passphraseFile: string;
  let winrm: WinrmEmulator;

  /** The clone's own CLI, built from the clone. */
  const cli = (args: string[], stdin = '') =>
    sh(`printf %s ${quote(stdin)} | node ${quote(join(clone, 'bin', 'strongroom.js'))} --data-dir ${quote(dataDir)} --passphrase-file ${quote(passphraseFile)} ${args.map(quote).join(' ')}`);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'strongroom-fresh-'));
    clone = join(work, 'repo');
    dataDir = join(work, 'store');
    passphraseFile = join(work, 'passphrase');
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    const head = spawnSync('git', ['-C', REPO_ROOT, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
    const cloned = await sh(`git clone --quiet --no-hardlinks ${quote(REPO_ROOT)} ${quote(clone)} && git -C ${quote(clone)} checkout --quiet ${quote(head)}`);
    expect(cloned.status, cloned.stderr).toBe(0);

    const hide = KERBEROS_HEADER_DIRS.filter((dir) => existsSync(dir))
      .map((dir) => `mount -t tmpfs -o size=1m,mode=0755 strongroom-hidden ${quote(dir)}`)
      .join(' && ');
    // Inside the namespace only: the headers are gone, checked before npm ci runs; the README's install, then its build.
    const install = [
      'set -e',
      hide || 'true',
      'if [ -e /usr/include/gssapi/gssapi.h ] || [ -e /usr/include/gssapi.h ]; then echo "Kerberos headers still visible" >&2; exit 97; fi',
      `cd ${quote(clone)}`,
      'npm ci --no-audit --no-fund',
      'node scripts/build.mjs',
    ].join('\n');
    const installed = await sh(`unshare -m --propagation private sh -c ${quote(install)}`, { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' });
    expect(installed.status, `${installed.stdout}\n${installed.stderr}`.slice(-4000)).toBe(0);
    winrm = await startWinrmEmulator({ users: [{ username: 'operator', password: 'unused-Pa55word', domain: 'EMULATOR' }] });
  }, 1_200_000);

  // Removing the clone's node_modules takes minutes on a loaded machine.
  afterAll(async () => {
    await winrm?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 600_000);

  it('npm ci succeeded without building the kerberos addon', () => {
    expect(existsSync(join(clone, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'))).toBe(true);
    expect(existsSync(join(clone, 'node_modules', 'kerberos', 'build', 'Release', 'kerberos.node'))).toBe(false);
    expect(existsSync(join(clone, 'dist', 'main', 'cli.js'))).toBe(true);
  });

  it('creates a store, stores a secret and reveals it', async () => {
    expect((await cli(['init'])).status).toBe(0);
    const created = await cli(['secret', 'create', '--name', 'db_password'], 'fresh-install canary 1f3e');
    expect(created.status, created.stderr).toBe(0);
    const revealed = await cli(['secret', 'reveal', 'db_password']);
    expect(revealed).toMatchObject({ status: 0, stdout: 'fresh-install canary 1f3e' });
  });

  it('a WinRM Kerberos connection test reports the missing addon as a typed error', async () => {
    const created = await cli(['secret', 'create', '--name', 'win_krb', '--type', 'winrm', '--username', 'operator', '--auth', 'kerberos', '--realm', 'EXAMPLE.TEST'], 'unused');
    expect(created.status, created.stderr).toBe(0);
    const tested = await cli(['test', 'winrm', '--secret', 'win_krb', '--host', '127.0.0.1', '--port', String(winrm.port), '--json']);
    expect(tested.status, tested.stderr).toBe(1);
    const report = JSON.parse(tested.stdout) as { error: { code: string; message: string; details: Record<string, unknown> } };
    expect(report.error.code).toBe('MISSING_TOOL');
    expect(report.error.details.tool).toBe('the kerberos Node addon');
    expect(report.error.message).toMatch(/libkrb5-dev/);
  });
});
