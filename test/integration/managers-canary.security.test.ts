/**
 * The canary, extended to provider credentials: an AWS secret access key, a
 * Vault token and AppRole secret id, and an Azure client secret, given to the
 * CLI in configuration files, must never appear in main. Not in any message
 * main exchanges with the delegate, not in the SQLite files (db, -wal, -shm),
 * not in any log, not in the CLI's own output. Main runs in this process
 * (runCliInProcess) so every message can be captured; the delegate is the real child
 * process, and the managers are used for real against their emulators.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../support/cli-in-process.js';
import { startAwsEmulator, type AwsEmulator } from '../emulators/aws-emulator.js';
import { managerConfig as azureConfig, startAzureKeyVaultEmulator, type AzureKeyVaultEmulator } from '../emulators/azure-key-vault-emulator.js';
import { managerConfig as vaultConfig, startVaultEmulator, type VaultEmulator } from '../emulators/vault-emulator.js';
import { DELEGATE_ENTRY, tempDir } from '../support/core-harness.js';

const PASSPHRASE = 'canary-passphrase-managers-4c5d';
const AZURE_SECRET = 'azure-canary-client-secret-Q8~7f3b2a9';
const VALUES = ['canary-value-in-kms-71e3', 'canary-value-in-vault-9d2c', 'canary-value-in-azure-5b8e', 'canary-value-in-aws-sm-2f6a'];

/** Every form a credential could take on its way through: as is, base64, base64url, JSON-escaped, URL-encoded. */
function formsOf(value: string): string[] {
  const forms = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]);
  for (const form of [...forms]) {
    forms.add(Buffer.from(form).toString('base64').replace(/=+$/, ''));
    forms.add(Buffer.from(form).toString('base64url'));
  }
  return [...forms].filter((form) => form.length >= 8);
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('canary: provider credentials never reach main', () => {
  const dir = tempDir('strongroom-managers-canary-');
  const store = join(dir.path, 'store');
  const configs = join(dir.path, 'configs');
  const traffic: unknown[] = [];
  const outputs: string[] = [];
  const snapshots: { file: string; content: Buffer }[] = [];
  let aws: AwsEmulator;
  let vault: VaultEmulator;
  let azure: AzureKeyVaultEmulator;
  let canaries: string[] = [];
  /** The credentials alone: the CLI prints revealed values, never credentials. */
  let credentials: string[] = [];

  const snapshotStoreFiles = () => {
    for (const suffix of ['', '-wal', '-shm']) {
      const file = join(store, `strongroom.db${suffix}`);
      if (existsSync(file)) snapshots.push({ file, content: readFileSync(file) });
    }
  };

  const cli = async (args: string[], input = '') => {
    const result = await runCliInProcess(['--data-dir', store, '--passphrase-file', join(dir.path, 'passphrase'), ...args], {
      stdin: input,
      core: { delegateEntry: DELEGATE_ENTRY, onDelegateTraffic: (_direction, message) => traffic.push(message) },
    });
    outputs.push(result.stdout, result.stderr);
    snapshotStoreFiles();
    return result;
  };

  const configFile = (name: string, config: unknown) => {
    const file = join(configs, `${name}.json`);
    writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
    return file;
  };

  beforeAll(async () => {
    [aws, vault, azure] = await Promise.all([startAwsEmulator(), startVaultEmulator(), startAzureKeyVaultEmulator({ clientSecret: AZURE_SECRET })]);
    mkdirSync(configs, { recursive: true });
    writeFileSync(join(dir.path, 'passphrase'), `${PASSPHRASE}\n`, { mode: 0o600 });
    const rotated = aws.addUser(['*'], 'rotated');
    credentials = [aws.credentials.secretAccessKey, rotated.secretAccessKey, vault.credentials.token, vault.credentials.appRole.secretId, AZURE_SECRET].flatMap(formsOf);
    canaries = [...credentials, ...[PASSPHRASE, ...VALUES].flatMap(formsOf)];
    const awsConnection = { region: aws.region, endpoint: aws.endpoint, credentials: { ...aws.credentials } };
    configFile('aws-kms', { ...awsConnection, keyArn: aws.keyArn });
    configFile('aws-kms-rotated', { ...awsConnection, credentials: rotated, keyArn: aws.keyArn });
    configFile('aws-sm', { ...awsConnection, namePrefix: 'canary/' });
    configFile('vault', vaultConfig(vault));
    configFile('vault-approle', vaultConfig(vault, 'approle'));
    configFile('azure', azureConfig(azure));
  });

  afterAll(async () => {
    await Promise.allSettled([aws?.close(), vault?.close(), azure?.close()]);
    dir.remove();
  });

  it('adds, tests, uses, rotates and removes managers through the CLI', async () => {
    expect((await cli(['init'])).code).toBe(0);
    for (const [name, kind, file] of [
      ['kms', 'aws-kms', 'aws-kms'],
      ['vault', 'vault', 'vault'],
      ['azure', 'azure-key-vault', 'azure'],
      ['awssm', 'aws-secrets-manager', 'aws-sm'],
    ] as const) {
      const added = await cli(['manager', 'add', '--name', name, '--kind', kind, '--config', join(configs, `${file}.json`)]);
      expect(added.code, added.stderr).toBe(0);
      const tested = await cli(['manager', 'test', name, '--json']);
      expect(tested.code, tested.stdout + tested.stderr).toBe(0);
      expect(JSON.parse(tested.stdout)).toMatchObject({ ok: true });
    }
    const values = VALUES.map((value, i) => [['kms', 'vault', 'azure', 'awssm'][i]!, value] as const);
    for (const [manager, value] of values) {
      const created = await cli(['secret', 'create', '--name', `in-${manager}`, '--manager', manager], value);
      expect(created.code, created.stderr).toBe(0);
      const revealed = await cli(['secret', 'reveal', `in-${manager}`]);
      expect(revealed.stdout).toBe(value);
    }
    const list = await cli(['manager', 'list', '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).map((item: { name: string }) => item.name)).toEqual(expect.arrayContaining(['kms', 'vault', 'azure', 'awssm']));

    // Rotation: new credentials for the same key and the same Vault.
    expect((await cli(['manager', 'update', 'kms', '--config', join(configs, 'aws-kms-rotated.json')])).code).toBe(0);
    expect((await cli(['manager', 'update', 'vault', '--config', join(configs, 'vault-approle.json')])).code).toBe(0);
    expect((await cli(['secret', 'reveal', 'in-kms'])).stdout).toBe(VALUES[0]);
    expect((await cli(['secret', 'reveal', 'in-vault'])).stdout).toBe(VALUES[1]);
    expect((await cli(['manager', 'test', 'vault'])).code).toBe(0);

    // A wrong credential fails with its typed message, without echoing it.
    configFile('azure-wrong', { ...azureConfig(azure), clientSecret: `${AZURE_SECRET}-but-wrong` });
    const refused = await cli(['manager', 'add', '--name', 'azure-wrong', '--kind', 'azure-key-vault', '--config', join(configs, 'azure-wrong.json')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--no-test');
    expect((await cli(['manager', 'add', '--name', 'azure-wrong', '--kind', 'azure-key-vault', '--no-test', '--config', join(configs, 'azure-wrong.json')])).code).toBe(0);
    const failed = await cli(['secret', 'create', '--name', 'never', '--manager', 'azure-wrong'], 'x-value-never');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/strongroom: /);

    expect((await cli(['export', '--out', join(dir.path, 'backup.srbackup'), '--export-passphrase-file', join(dir.path, 'passphrase')])).code).toBe(0);
    for (const manager of ['kms', 'vault', 'azure', 'awssm']) expect((await cli(['secret', 'delete', `in-${manager}`])).code).toBe(0);
    for (const manager of ['kms', 'vault', 'azure', 'awssm', 'azure-wrong']) expect((await cli(['manager', 'remove', manager])).code).toBe(0);
  }, 600_000); // some 30 CLI commands, each starting its own delegate and deriving the key

  it('main never saw a credential: not in its messages, the SQLite files, the logs or the output', () => {
    expect(traffic.length).toBeGreaterThan(100);
    const inTraffic = canaries.filter((canary) => traffic.some((message) => JSON.stringify(message).includes(canary)));
    expect(inTraffic).toEqual([]);
    snapshotStoreFiles();
    for (const snapshot of snapshots) expect(canaries.filter((canary) => snapshot.content.toString('latin1').includes(canary)), snapshot.file).toEqual([]);
    const logs = filesUnder(join(store, 'logs'));
    expect(logs.map((file) => file.split('/').pop())).toEqual(expect.arrayContaining(['main.log', 'delegate.log']));
    for (const file of logs) expect(canaries.filter((canary) => readFileSync(file, 'latin1').includes(canary)), file).toEqual([]);
    expect(credentials.filter((canary) => outputs.some((output) => output.includes(canary)))).toEqual([]);
    // The backup holds values (encrypted) but never a manager's configuration.
    const backup = readFileSync(join(dir.path, 'backup.srbackup'), 'latin1');
    expect(canaries.filter((canary) => backup.includes(canary))).toEqual([]);
  });
});
