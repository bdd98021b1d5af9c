/** The `strongroom` executable as a script uses it: real process, real stdin/stdout, exit codes. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ENTRY, PASSPHRASE, requireBuild, tempDir } from '../support/core-harness.js';

describe('strongroom CLI', () => {
  const dir = tempDir();
  const dataDir = join(dir.path, 'store');
  const passphraseFile = join(dir.path, 'passphrase');
  const wrongFile = join(dir.path, 'wrong');

  const run = (args: string[], input = '', file = passphraseFile) => {
    const result = spawnSync(process.execPath, [CLI_ENTRY, '--data-dir', dataDir, '--passphrase-file', file, ...args], { input, encoding: 'utf8' });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  beforeAll(() => {
    requireBuild();
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    writeFileSync(wrongFile, 'definitely not it\n', { mode: 0o600 });
  });
  afterAll(() => dir.remove());

  it('init creates the store once', () => {
    expect(run(['init'])).toMatchObject({ code: 0 });
    const again = run(['init']);
    expect(again.code).toBe(1);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('creates, lists, reveals, updates and deletes a secret with values on stdin and stdout', () => {
    expect(run(['secret', 'create', '--name', 'deploy_key', '--description', 'CI deploy'], 'multi\nline value\n').code).toBe(0);
    const list = JSON.parse(run(['secret', 'list', '--json']).stdout) as { name: string; version: number; description: string }[];
    expect(list).toEqual([expect.objectContaining({ name: 'deploy_key', version: 1, description: 'CI deploy' })]);
    expect(run(['secret', 'list']).stdout).toContain('deploy_key\tv1');
    expect(run(['secret', 'reveal', 'deploy_key']).stdout).toBe('multi\nline value');
    expect(run(['secret', 'update', 'deploy_key'], 'second value').code).toBe(0);
    expect(run(['secret', 'reveal', 'DEPLOY_KEY']).stdout).toBe('second value');
    expect(run(['secret', 'delete', 'deploy_key']).code).toBe(0);
    expect(JSON.parse(run(['secret', 'list', '--json']).stdout)).toEqual([]);
  });

  it('verifies the audit chain', () => {
    const result = run(['audit', 'verify']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Audit chain intact: \d+ entries verified/);
  });

  it.each([
    ['a wrong passphrase', ['secret', 'list'], wrongFile, /Wrong passphrase/],
    ['an unknown secret', ['secret', 'reveal', 'missing'], passphraseFile, /No secret named "missing"/],
    ['an invalid name', ['secret', 'create', '--name', 'has space'], passphraseFile, /Use only letters, digits, - and _/],
    ['a missing passphrase file', ['secret', 'list'], join(dir.path, 'nope'), /Cannot read the passphrase file/],
  ])('exits 1 with one line on stderr for %s', async (_name, args, file, message) => {
    // A wrong passphrase makes the next attempt wait; wait it out so cases stay independent.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const result = run(args, 'value', file);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it.each([
    ['no command', []],
    ['an unknown command', ['secret', 'explode']],
    ['an unknown option', ['secret', 'list', '--passphrase', 'inline']],
    ['a missing name', ['secret', 'reveal']],
    ['create without --name', ['secret', 'create']],
  ])('exits 2 on a usage error: %s', (_name, args) => {
    const result = run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: strongroom');
  });

  it('refuses to prompt when there is no terminal and no passphrase file', () => {
    const result = spawnSync(process.execPath, [CLI_ENTRY, '--data-dir', dataDir, 'secret', 'list'], { input: '', encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/No passphrase/);
  });
});
