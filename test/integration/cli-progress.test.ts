/**
 * The CLI's progress bar: drawn on stderr under a terminal, absent when
 * stderr is a pipe. The terminal is a real pseudo-terminal from `script`.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI_ENTRY, PASSPHRASE, requireBuild, tempDir } from '../support/core-harness.js';
import { describeNeeding } from '../fixtures/system-tools.js';
import { scriptArgs } from '../support/terminal.js';

/** Three batches of 500: the bar has steps to draw. */
const SECRETS = 1200;

const envFile = (prefix: string) => Array.from({ length: SECRETS }, (_, i) => `${prefix}_${i}=value-${i}`).join('\n');

describeNeeding(['script'], 'CLI progress bar', () => {
  const dir = tempDir();
  const dataDir = join(dir.path, 'store');
  const passphraseFile = join(dir.path, 'passphrase');
  const command = (...args: string[]) => [process.execPath, CLI_ENTRY, '--data-dir', dataDir, '--passphrase-file', passphraseFile, ...args];

  beforeAll(() => {
    requireBuild();
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    writeFileSync(join(dir.path, 'piped.env'), envFile('PIPED'));
    writeFileSync(join(dir.path, 'terminal.env'), envFile('TERMINAL'));
    const [node, ...args] = command('init');
    expect(spawnSync(node!, args, { encoding: 'utf8' }).status).toBe(0);
  });
  afterAll(() => dir.remove());

  const runPiped = (...args: string[]) => {
    const [node, ...rest] = command(...args);
    return spawnSync(node!, rest, { encoding: 'utf8' });
  };
  const runOnTerminal = (...args: string[]) => spawnSync('script', scriptArgs(command(...args)), { encoding: 'utf8' });
  /** The bar's draws (a 30-wide bar, counts, then `detail`) in what the command wrote. */
  const barDraws = (output: string, detail: string) => output.split('\r').filter((part) => new RegExp(`^\\[[#.]{30}\\] \\d+/\\d+ ${detail}`).test(part));

  it('prints no bar when stderr is piped', () => {
    const [node, ...args] = command('import', '--from', join(dir.path, 'piped.env'));
    const result = spawnSync(node!, args, { encoding: 'utf8' });
    expect(result.status).toBe(0);
    // The outcome is still said; only the bar is left out.
    expect(result.stderr).toContain(`Imported ${SECRETS} text secrets`);
    expect(result.stderr).not.toContain('\r');
    expect(result.stderr).not.toMatch(/\[[#.]+\]/);
  }, 300_000);

  it('draws the bar over itself on a terminal, and ends it complete', () => {
    // script runs the command on a pseudo-terminal and copies what it writes to its own stdout.
    const result = spawnSync('script', scriptArgs(command('import', '--from', join(dir.path, 'terminal.env'))), {
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    const draws = result.stdout.split('\r').filter((part) => /^\[[#.]{30}\] \d+\/1200 imported/.test(part));
    // Redrawn at every batch: from 0 of 1,200 to all of them, with rate and ETA.
    expect(draws.length).toBeGreaterThanOrEqual(3);
    expect(draws[0]).toMatch(/^\[\.{30}\] 0\/1200 imported/);
    expect(draws.at(-1)).toMatch(/^\[#{30}\] 1200\/1200 imported, \d+\/s ETA 0s/);
    expect(result.stdout).toContain(`Imported ${SECRETS} text secrets`);
  }, 300_000);

  it('keyring rotate: no bar when piped, and a bar counting every re-wrapped key on a terminal', () => {
    const [node, ...args] = command('keyring', 'rotate');
    const piped = spawnSync(node!, args, { encoding: 'utf8' });
    expect(piped.status).toBe(0);
    expect(piped.stderr).toContain(`Rotated to keyring version 2: ${2 * SECRETS} data key(s)`);
    expect(piped.stderr).not.toContain('\r');
    expect(piped.stderr).not.toMatch(/\[[#.]+\]/);

    const result = spawnSync('script', scriptArgs(command('keyring', 'rotate')), { encoding: 'utf8' });
    expect(result.status).toBe(0);
    const draws = result.stdout.split('\r').filter((part) => /^\[[#.]{30}\] \d+\/2400 /.test(part));
    // One draw before the first batch, one per batch of 1,000, the end: all of them under the new version.
    expect(draws.length).toBeGreaterThanOrEqual(4);
    expect(draws[0]).toMatch(/^\[\.{30}\] 0\/2400 data keys re-wrapped/);
    expect(draws.at(-1)).toMatch(/^\[#{30}\] 2400\/2400 re-wrapped/);
    expect(result.stdout).toContain('Rotated to keyring version 3: 2400 data key(s)');
  }, 300_000);

  it('exports with a bar on a terminal and none when piped', () => {
    writeFileSync(join(dir.path, 'export-passphrase'), 'export passphrase for the bar\n', { mode: 0o600 });
    const passphrase = ['--export-passphrase-file', join(dir.path, 'export-passphrase')];
    const quiet = runPiped('export', '--out', join(dir.path, 'piped.srbackup'), ...passphrase);
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).not.toContain('\r');
    expect(quiet.stderr).not.toMatch(/\[[#.]+\]/);
    expect(quiet.stderr).toContain(`Exported ${2 * SECRETS} secrets`);

    const shown = runOnTerminal('export', '--out', join(dir.path, 'terminal.srbackup'), ...passphrase);
    expect(shown.status).toBe(0);
    const steps = barDraws(shown.stdout, 'secrets exported');
    // One draw per part of 200 secrets, from none to all of them.
    expect(steps.length).toBeGreaterThanOrEqual((2 * SECRETS) / 200);
    expect(steps[0]).toMatch(/^\[\.{30}\] 0\/2400 secrets exported/);
    expect(steps.at(-1)).toMatch(/^\[#{30}\] 2400\/2400 secrets exported/);
  }, 300_000);

  it('restores with a bar on a terminal: parts decrypted, then the one write', () => {
    const restored = join(dir.path, 'restored');
    const init = command('init').map((word) => (word === dataDir ? restored : word));
    expect(spawnSync(init[0]!, init.slice(1), { encoding: 'utf8' }).status).toBe(0);
    const restore = command('import', '--from', join(dir.path, 'terminal.srbackup'), '--export-passphrase-file', join(dir.path, 'export-passphrase')).map((word) =>
      word === dataDir ? restored : word,
    );
    const shown = spawnSync('script', scriptArgs(restore), { encoding: 'utf8' });
    expect(shown.status).toBe(0);
    expect(barDraws(shown.stdout, 'parts decrypted').at(-1)).toMatch(/^\[#{30}\] (\d+)\/\1 parts decrypted/);
    expect(barDraws(shown.stdout, 'secrets being written').at(-1)).toMatch(/^\[#{30}\] 2400\/2400 secrets being written/);
    expect(shown.stdout).toContain('Restored 2400 secrets');
  }, 300_000);

  it('edits the scope of several names in batches, with a bar only on a terminal', () => {
    expect(runPiped('app', 'create', 'billing').status).toBe(0);
    const names = Array.from({ length: 600 }, (_, i) => `PIPED_${i}`);
    const quiet = runPiped('secret', 'scope', ...names, '--add', 'billing:*');
    expect(quiet.stderr).not.toMatch(/\[[#.]+\]/);
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).toContain('Scope edited: 600 changed, 0 already so, 0 left as they were, of 600 secrets.');

    const shown = runOnTerminal('secret', 'scope', ...names, '--remove', 'billing:*');
    expect(shown.status).toBe(0);
    // Batches of 500: 0, 500, then all 600.
    expect(barDraws(shown.stdout, 'edited').map((draw) => /\d+\/600/.exec(draw)![0])).toEqual(['0/600', '500/600', '600/600']);
    expect(shown.stdout).toContain('Scope edited: 600 changed');
  }, 300_000);
});
