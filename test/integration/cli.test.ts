/** The `strongroom` executable as a script uses it: real process, real stdin/stdout, exit codes. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ENTRY, PASSPHRASE, requireBuild, runCliSync, tempDir } from '../support/core-harness.js';

describe('strongroom CLI', () => {
  const dir = tempDir();
  const dataDir = join(dir.path, 'store');
  const passphraseFile = join(dir.path, 'passphrase');
  const wrongFile = join(dir.path, 'wrong');

  /** The first test's store, made with a weak passphrase. */
  const weakStore = join(dir.path, 'weak-store');

  const run = (args: string[], input = '', file = passphraseFile, store = dataDir) => runCliSync(store, file, args, input);

  beforeAll(() => {
    requireBuild();
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    writeFileSync(wrongFile, 'definitely not it\n', { mode: 0o600 });
  });
  afterAll(() => dir.remove());

  it('init refuses a weak master passphrase unless told to accept it', () => {
    const weakFile = join(dir.path, 'weak');
    writeFileSync(weakFile, 'password1234\n', { mode: 0o600 });
    const init = (...extra: string[]) => spawnSync(process.execPath, [CLI_ENTRY, '--data-dir', weakStore, '--passphrase-file', weakFile, 'init', ...extra], { encoding: 'utf8' });
    const refused = init();
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('--allow-weak-passphrase');
    const accepted = init('--allow-weak-passphrase');
    expect(accepted.status).toBe(0);
  });

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
    expect(run(['secret', 'list']).stdout).toContain('deploy_key\ttext\tv1');
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
    // A wrong passphrase makes the next attempt on its store wait, so it goes to the first test's store, which nothing else uses.
    ['a wrong passphrase', ['secret', 'list'], wrongFile, /Wrong passphrase/, weakStore],
    ['an unknown secret', ['secret', 'reveal', 'missing'], passphraseFile, /No secret named "missing"/, dataDir],
    ['an invalid name', ['secret', 'create', '--name', 'has space'], passphraseFile, /Use only letters, digits, - and _/, dataDir],
    ['a missing passphrase file', ['secret', 'list'], join(dir.path, 'nope'), /Cannot read the passphrase file/, dataDir],
  ])('exits 1 with one line on stderr for %s', (_name, args, file, message, store) => {
    const result = run(args, 'value', file, store);
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

  it.each([
    ['an option of another command', ['secret', 'list', '--keytab', '/x', '--ssl'], '"secret list" does not take --keytab.'],
    ['an option of another secret type', ['secret', 'create', '--name', 'x', '--port', '99'], '--port does not apply to --type text.'],
    ['an SSH option on a reference', ['secret', 'create', '--name', 'x', '--reference', 'a#b', '--manager', 'M', '--username', 'u'], '--username does not apply to a reference.'],
    ['an SSH-only option on a WinRM test', ['test', 'winrm', '--secret', 's', '--host', 'h', '--accept-new-host-key'], '"test winrm" does not take --accept-new-host-key.'],
  ])('exits 2 naming the flag, before touching the store, for %s', (_name, args, message) => {
    const result = run(args, 'value');
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(`strongroom: ${message}`);
    expect(result.stderr).toContain(`Usage: strongroom ${args[0]} ${args[1]}`);
  });

  it('prints one command\'s options, from the same declarations the parser uses, with --help', () => {
    const result = run(['secret', 'create', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('secret create --type ssh --username U --auth key|key-path|password');
    expect(result.stdout).toContain('--port P');
    expect(result.stdout).not.toContain('--accept-new-host-key');
  });

  it('refuses to prompt when there is no terminal and no passphrase file', () => {
    const result = spawnSync(process.execPath, [CLI_ENTRY, '--data-dir', dataDir, 'secret', 'list'], { input: '', encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/No master passphrase/);
  });
});

describe('strongroom CLI: types, scopes, versions, backup and import', () => {
  const dir = tempDir();
  const dataDir = join(dir.path, 'store');
  const passphraseFile = join(dir.path, 'passphrase');
  const exportFile = join(dir.path, 'export-passphrase');
  const run = (args: string[], input: string | Buffer = '', store = dataDir) => {
    const result = spawnSync(process.execPath, [CLI_ENTRY, '--data-dir', store, '--passphrase-file', passphraseFile, ...args], { input });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr.toString() };
  };

  beforeAll(() => {
    requireBuild();
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    writeFileSync(exportFile, 'backup passphrase here\n', { mode: 0o600 });
    expect(run(['init']).code).toBe(0);
  });
  afterAll(() => dir.remove());

  it('stores a file and reveals its bytes unchanged', () => {
    const bytes = Buffer.from([0, 1, 2, 255, 10, 13, 0]);
    writeFileSync(join(dir.path, 'blob.bin'), bytes);
    expect(run(['secret', 'create', '--name', 'blob', '--type', 'file', '--file', join(dir.path, 'blob.bin')])).toMatchObject({ code: 0 });
    expect(Buffer.compare(run(['secret', 'reveal', 'blob']).stdout, bytes)).toBe(0);
  });

  it('stores an SSH key from a file and reports its fingerprint', () => {
    const key = join(dir.path, 'id_ed25519');
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const fingerprint = spawnSync('ssh-keygen', ['-lf', `${key}.pub`], { encoding: 'utf8' }).stdout.split(' ')[1]!;
    const result = run(['secret', 'create', '--name', 'deploy', '--type', 'ssh', '--username', 'deploy', '--auth', 'key', '--key-file', key]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(fingerprint);
    const bad = run(['secret', 'create', '--name', 'bad', '--type', 'ssh', '--username', 'deploy', '--auth', 'key'], 'not a key');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/privateKey: Not a private key/);
  });

  it('stores WinRM and Kerberos credentials with their passwords from stdin', () => {
    expect(run(['secret', 'create', '--name', 'win', '--type', 'winrm', '--username', 'admin', '--domain', 'CORP', '--auth', 'ntlm', '--ssl'], 'winpw').code).toBe(0);
    const list = JSON.parse(run(['secret', 'list', '--json']).stdout.toString()) as { name: string; metadata: Record<string, unknown> }[];
    expect(list.find((item) => item.name === 'win')?.metadata).toMatchObject({ useSsl: true, port: 5986, domain: 'CORP' });
    expect(run(['secret', 'create', '--name', 'krb', '--type', 'ssh-kerberos', '--principal', 'alice', '--realm', 'EXAMPLE.TEST'], 'kpw').code).toBe(0);
    expect(JSON.parse(run(['secret', 'reveal', 'krb']).stdout.toString())).toEqual({ password: 'kpw' });
    expect(run(['secret', 'create', '--name', 'x', '--type', 'winrm', '--username', 'a']).code).toBe(2);
  });

  it('enforces usage scopes on reveal, naming the scope in a refusal', () => {
    expect(run(['app', 'create', 'billing']).code).toBe(0);
    // "prod" and "nonprod" after the colon name environment types, so this environment is called "live".
    expect(run(['env', 'create', 'billing', 'live', '--type', 'prod']).code).toBe(0);
    expect(run(['env', 'create', 'billing', 'qa', '--type', 'nonprod']).code).toBe(0);
    expect(run(['secret', 'create', '--name', 'db'], 'db-password').code).toBe(0);
    expect(run(['secret', 'scope', 'db', '--add', 'billing:live']).code).toBe(0);
    const refused = run(['secret', 'reveal', 'db']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not in scope for use outside an application/);
    const wrongEnv = run(['secret', 'reveal', 'db', '--app', 'billing', '--env', 'qa']);
    expect(wrongEnv.code).toBe(1);
    expect(wrongEnv.stderr).toContain('application "billing", environment "qa"');
    expect(run(['secret', 'reveal', 'db', '--app', 'billing', '--env', 'live']).stdout.toString()).toBe('db-password');
    expect(run(['secret', 'scope', 'db', '--account']).code).toBe(0);
    expect(run(['secret', 'reveal', 'db']).stdout.toString()).toBe('db-password');
    expect(run(['secret', 'scope', 'db', '--add', 'nope:prod']).code).toBe(1);
    expect(run(['secret', 'scope', 'db', '--add', 'bad-spec']).code).toBe(2);
    const deleted = run(['env', 'delete', 'billing', 'live']);
    expect(deleted.stderr).toContain('Secrets that lost scope entries: db.');
  });

  it('lists versions and rolls back', () => {
    expect(run(['secret', 'update', 'db'], 'second').code).toBe(0);
    const versions = JSON.parse(run(['secret', 'versions', 'db', '--json']).stdout.toString()) as { version: number; current: boolean }[];
    expect(versions.map((version) => version.version)).toEqual([2, 1]);
    expect(run(['secret', 'rollback', 'db', '--to', '1']).code).toBe(0);
    expect(run(['secret', 'reveal', 'db']).stdout.toString()).toBe('db-password');
    expect(run(['secret', 'reveal', 'db', '--version', '2']).stdout.toString()).toBe('second');
  });

  it('imports .env and CSV files, refusing clashes before writing anything', () => {
    writeFileSync(join(dir.path, 'prod.env'), 'API_KEY=abc123\nexport TOKEN="t o k"\n');
    expect(run(['import', '--from', join(dir.path, 'prod.env')])).toMatchObject({ code: 0 });
    expect(run(['secret', 'reveal', 'TOKEN']).stdout.toString()).toBe('t o k');
    writeFileSync(join(dir.path, 'more.csv'), 'name,value\nNEW_ONE,1\nAPI_KEY,2\n');
    const clash = run(['import', '--from', join(dir.path, 'more.csv')]);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain('these names already exist: API_KEY');
    expect(run(['secret', 'reveal', 'NEW_ONE']).code).toBe(1);
  });

  it('exports a backup and restores it into an empty store', () => {
    const backup = join(dir.path, 'store.srbackup');
    const exported = run(['export', '--out', backup, '--export-passphrase-file', exportFile]);
    expect(exported.code).toBe(0);
    const other = join(dir.path, 'other');
    expect(run(['init'], '', other).code).toBe(0);
    writeFileSync(join(dir.path, 'wrong'), 'wrong backup passphrase\n');
    const wrong = spawnSync(process.execPath, [CLI_ENTRY, '--data-dir', other, '--passphrase-file', passphraseFile, 'import', '--from', backup, '--export-passphrase-file', join(dir.path, 'wrong')], { encoding: 'utf8' });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('Wrong passphrase for this backup');
    const restored = spawnSync(process.execPath, [CLI_ENTRY, '--data-dir', other, '--passphrase-file', passphraseFile, 'import', '--from', backup, '--export-passphrase-file', exportFile], { encoding: 'utf8' });
    expect(restored.status).toBe(0);
    expect(restored.stderr).toMatch(/Restored \d+ secrets/);
    expect(run(['secret', 'reveal', 'TOKEN'], '', other).stdout.toString()).toBe('t o k');
  });
});
