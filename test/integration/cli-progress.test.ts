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

/** Three batches of 500: the bar has steps to draw. */
const SECRETS = 1200;

const envFile = (prefix: string) => Array.from({ length: SECRETS }, (_, i) => `${prefix}_${i}=value-${i}`).join('\n');
const shellQuote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

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
    const result = spawnSync('script', ['-qec', command('import', '--from', join(dir.path, 'terminal.env')).map(shellQuote).join(' '), '/dev/null'], {
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

    const result = spawnSync('script', ['-qec', command('keyring', 'rotate').map(shellQuote).join(' '), '/dev/null'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    const draws = result.stdout.split('\r').filter((part) => /^\[[#.]{30}\] \d+\/2400 /.test(part));
    // One draw before the first batch, one per batch of 1,000, the end: all of them under the new version.
    expect(draws.length).toBeGreaterThanOrEqual(4);
    expect(draws[0]).toMatch(/^\[\.{30}\] 0\/2400 data keys re-wrapped/);
    expect(draws.at(-1)).toMatch(/^\[#{30}\] 2400\/2400 re-wrapped/);
    expect(result.stdout).toContain('Rotated to keyring version 3: 2400 data key(s)');
  }, 300_000);
});
