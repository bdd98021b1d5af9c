/**
 * A damaged or exposed store is met with a clear message, never re-initialised
 * or half-created: the real CLI against real files.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSPHRASE, requireBuild, runCliSync, tempDir } from '../support/core-harness.js';

describe('damaged stores: clear errors, nothing silently re-created', { timeout: 300_000 }, () => {
  const dir = tempDir();
  const passphraseFile = join(dir.path, 'passphrase');
  const shortFile = join(dir.path, 'short');

  const run = (dataDir: string, args: string[], file = passphraseFile, input = '') => runCliSync(dataDir, file, args, input);

  beforeAll(() => {
    requireBuild();
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    writeFileSync(shortFile, 'short\n', { mode: 0o600 });
  });
  afterAll(() => dir.remove());

  it('leaves no files behind when init refuses a too-short passphrase', () => {
    const fresh = join(dir.path, 'fresh');
    const refused = run(fresh, ['init', '--allow-weak-passphrase'], shortFile);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/at least 10 characters/);
    expect(existsSync(fresh)).toBe(false);

    // In a folder that already exists, only what init created goes.
    const existing = join(dir.path, 'existing');
    mkdirSync(existing, { mode: 0o700 });
    writeFileSync(join(existing, 'notes.txt'), 'mine');
    expect(run(existing, ['init', '--allow-weak-passphrase'], shortFile).code).toBe(1);
    expect(readdirSync(existing)).toEqual(['notes.txt']);
  });

  it('tightens a data folder others can enter to 0700', () => {
    const loose = join(dir.path, 'loose');
    mkdirSync(loose);
    chmodSync(loose, 0o777);
    expect(run(loose, ['init']).code).toBe(0);
    expect(statSync(loose).mode & 0o777).toBe(0o700);
  });

  it('names an empty (0-byte) database and how to restore, instead of re-initialising it', () => {
    const store = join(dir.path, 'emptied');
    expect(run(store, ['init']).code).toBe(0);
    const file = join(store, 'strongroom.db');
    truncateSync(file, 0);
    for (const args of [['secret', 'list'], ['init']]) {
      const result = run(store, args);
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(`${file} is empty (0 bytes)`);
      expect(result.stderr).toMatch(/strongroom import --from FILE.*\.srbackup/);
      expect(statSync(file).size).toBe(0);
    }
  });

  it('names a corrupt database and how to restore', () => {
    const store = join(dir.path, 'corrupt');
    expect(run(store, ['init']).code).toBe(0);
    const file = join(store, 'strongroom.db');
    writeFileSync(file, Buffer.alloc(8192, 0x5a));
    const result = run(store, ['secret', 'list']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`${file} is damaged`);
    expect(result.stderr).toMatch(/strongroom import --from FILE/);
  });
});
