/**
 * `strongroom import` of .env and CSV files through the real CLI, delegate and
 * SQLite store: values read the way dotenv and csv-parse read them, and a file
 * the parsers refuse writes nothing and names the line.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSPHRASE, requireBuild, runCliSync, tempDir } from '../support/core-harness.js';

describe('strongroom import of .env and CSV files', () => {
  const dir = tempDir();
  const dataDir = join(dir.path, 'store');
  const passphraseFile = join(dir.path, 'passphrase');

  const run = (args: string[]) => runCliSync(dataDir, passphraseFile, args);
  const names = () => (JSON.parse(run(['secret', 'list', '--json']).stdout) as { name: string }[]).map((secret) => secret.name).sort();

  beforeAll(() => {
    requireBuild();
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    expect(run(['init']).code).toBe(0);
  });
  afterAll(() => dir.remove());

  it('stores a quoted .env value followed by a comment without its quotes, and a multi-line value whole', () => {
    const file = join(dir.path, 'prod.env');
    writeFileSync(file, 'A="q" # c\n\nCERT="-----BEGIN-----\nabc\n-----END-----"\nB=plain # note\n');
    expect(run(['import', '--from', file])).toMatchObject({ code: 0 });
    expect(run(['secret', 'reveal', 'A']).stdout).toBe('q');
    expect(run(['secret', 'reveal', 'CERT']).stdout).toBe('-----BEGIN-----\nabc\n-----END-----');
    expect(run(['secret', 'reveal', 'B']).stdout).toBe('plain');
  }, 120_000);

  it('refuses a CSV file with an unterminated quote, naming the line it opens on, and writes nothing', () => {
    const file = join(dir.path, 'more.csv');
    writeFileSync(file, 'name,value\nC1,one\n\n\nC2,"s3cret never closed\nC3,three\nC4,four\n');
    const refused = run(['import', '--from', file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('line 5: A quoted field opens here and is never closed');
    expect(refused.stderr).not.toContain('s3cret');
    expect(names()).toEqual(['A', 'B', 'CERT']);
  }, 120_000);

  it('numbers a bad .env line after blank lines and a multi-line value', () => {
    const file = join(dir.path, 'bad.env');
    writeFileSync(file, 'D1=1\n\n\nD2="x\ny"\nnot a line\n');
    const refused = run(['import', '--from', file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('line 6: Expected NAME=value');
    expect(names()).toEqual(['A', 'B', 'CERT']);
  }, 120_000);
});
