/**
 * `strongroom manager ...` and `secret create --manager / --reference`, run
 * in-process against a Vault emulator: the commands, their output and exit
 * codes, and the errors a user sees.
 */
import BetterSqlite3 from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../support/cli-in-process.js';
import { RemoteWriteJournal } from '../../src-main/core/services/remote-writes.js';
import { managerConfig as vaultConfig, startVaultEmulator, type VaultEmulator } from '../emulators/vault-emulator.js';
import { generateKey } from '../fixtures/sshd.js';
import { DELEGATE_ENTRY, PASSPHRASE, tempDir } from '../support/core-harness.js';

// Every command starts a delegate and derives the master key: slow on a loaded machine, never timed.
describe('strongroom manager', { timeout: 300_000 }, () => {
  const dir = tempDir();
  const store = join(dir.path, 'store');
  const passphraseFile = join(dir.path, 'passphrase');
  let vault: VaultEmulator;

  const cli = (args: string[], input = '') => runCliInProcess(['--data-dir', store, '--passphrase-file', passphraseFile, ...args], { stdin: input, core: { delegateEntry: DELEGATE_ENTRY } });
  const file = (name: string, content: unknown) => {
    const path = join(dir.path, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content), { mode: 0o600 });
    return path;
  };

  beforeAll(async () => {
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    vault = await startVaultEmulator();
    expect((await cli(['init'])).code).toBe(0);
  });

  afterAll(async () => {
    await vault?.close();
    dir.remove();
  });

  it('adds, lists, tests and makes a manager the default', async () => {
    const added = await cli(['manager', 'add', '--name', 'Team Vault', '--kind', 'vault', '--config', file('vault.json', vaultConfig(vault))]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toMatch(/Added vault manager "Team Vault": \d+ checks passed/);

    const listed = await cli(['manager', 'list']);
    expect(listed.stdout).toMatch(/^Built-in store\tlocal\tdefault\t0 secret\(s\)\tok$/m);
    // The test that ran before adding it is its first health check.
    expect(listed.stdout).toMatch(/^Team Vault\tvault\t-\t0 secret\(s\)\tok at /m);

    const tested = await cli(['manager', 'test', 'team vault']);
    expect(tested.code).toBe(0);
    expect(tested.stderr).toContain('ok   token lookup');
    expect(tested.stderr).toContain('Connection test passed.');
    const json = JSON.parse((await cli(['manager', 'test', 'Team Vault', '--json'])).stdout);
    expect(json).toMatchObject({ manager: 'Team Vault', kind: 'vault', ok: true });
    expect(json.facts.tokenRenewable).toBe(true);

    expect((await cli(['manager', 'default', 'Team Vault'])).stderr).toContain('Existing secrets stay where they are.');
    expect((await cli(['secret', 'create', '--name', 'goes-to-vault'], 'vault value')).stderr).toContain('Created text secret "goes-to-vault"');
    expect((await cli(['secret', 'create', '--name', 'stays-local', '--manager', 'Built-in store'], 'local value')).stderr).toContain('in "Built-in store"');
    const secrets = JSON.parse((await cli(['secret', 'list', '--json'])).stdout) as { name: string; managerId: string }[];
    const managers = JSON.parse((await cli(['manager', 'list', '--json'])).stdout) as { id: string; name: string; isDefault: boolean; health: { ok: boolean } }[];
    const teamVault = managers.find((item) => item.name === 'Team Vault')!;
    expect(teamVault).toMatchObject({ isDefault: true, health: { ok: true } });
    expect(secrets.find((item) => item.name === 'goes-to-vault')!.managerId).toBe(teamVault.id);
    expect(secrets.find((item) => item.name === 'stays-local')!.managerId).toBe('local');
    expect((await cli(['secret', 'reveal', 'goes-to-vault'])).stdout).toBe('vault value');
  });

  it('tests a manager before adding it, refuses bad credentials and stores nothing, unless --no-test', async () => {
    const badToken = { ...vaultConfig(vault), auth: { method: 'token', token: 'hvs.not-a-token-vault-knows' } };
    const refused = await cli(['manager', 'add', '--name', 'Bad Vault', '--kind', 'vault', '--config', file('bad-token.json', badToken)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('"Bad Vault" was not added: its connection test failed at token lookup');
    expect(refused.stderr).toContain('--no-test');
    expect(refused.stderr).not.toContain('hvs.not-a-token-vault-knows');
    expect((await cli(['manager', 'list'])).stdout).not.toContain('Bad Vault');

    const missingCapability = await cli(['manager', 'add', '--name', 'Elsewhere', '--kind', 'vault', '--config', file('elsewhere.json', { ...vaultConfig(vault), basePath: 'not-granted' })]);
    expect(missingCapability.code).toBe(1);
    expect(missingCapability.stderr).toContain('Missing capabilities');

    const untested = await cli(['manager', 'add', '--name', 'Bad Vault', '--kind', 'vault', '--no-test', '--config', file('bad-token.json', badToken)]);
    expect(untested.code, untested.stderr).toBe(0);
    expect(untested.stderr).toContain('without testing it');
    expect((await cli(['manager', 'list'])).stdout).toMatch(/^Bad Vault\tvault\t-\t0 secret\(s\)\tnot tested$/m);
    expect((await cli(['manager', 'remove', 'Bad Vault'])).code).toBe(0);
  }, 120_000);

  it('binds a Vault-signed SSH secret to its Vault manager with --vault-manager, checking the engine and role at create', async () => {
    const key = await generateKey('ed25519');
    const keyFile = file('deploy-key', key.privateKey);
    const create = (name: string, manager: string, role: string) =>
      cli(['secret', 'create', '--name', name, '--type', 'ssh-vault-certificate', '--username', 'deploy', '--vault-manager', manager, '--mount', 'ssh-client-signer', '--role', role, '--key-file', keyFile, '--manager', 'Built-in store']);
    const created = await create('deploy-cert', 'team vault', 'strongroom');
    expect(created.code, created.stderr).toBe(0);
    const secrets = JSON.parse((await cli(['secret', 'list', '--json'])).stdout) as { name: string; metadata: Record<string, unknown> }[];
    const managers = JSON.parse((await cli(['manager', 'list', '--json'])).stdout) as { id: string; name: string }[];
    expect(secrets.find((item) => item.name === 'deploy-cert')!.metadata.vaultManagerId).toBe(managers.find((item) => item.name === 'Team Vault')!.id);

    const noRole = await create('deploy-norole', 'Team Vault', 'no-such-role');
    expect(noRole.code).toBe(1);
    expect(noRole.stderr).toContain('has no role "no-such-role"');
    const notVault = await create('deploy-local', 'Built-in store', 'strongroom');
    expect(notVault.code).toBe(1);
    expect(notVault.stderr).toContain('metadata.vaultManagerId: Choose a HashiCorp Vault manager');
    const missing = await cli(['secret', 'create', '--name', 'deploy-nomanager', '--type', 'ssh-vault-certificate', '--username', 'deploy', '--mount', 'ssh-client-signer', '--role', 'strongroom', '--key-file', keyFile]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--vault-manager');
    expect((await cli(['secret', 'delete', 'deploy-cert'])).code).toBe(0);
  }, 120_000);

  it('creates a reference, which reveals the remote value', async () => {
    const seeded = await fetch(`${vault.endpoint}/v1/secret/data/strongroom/shared/api`, {
      method: 'POST',
      headers: { 'X-Vault-Token': vault.credentials.rootToken, 'Content-Type': 'application/json' },
      body: JSON.stringify({ data: { key: 'remote api key' } }),
    });
    expect(seeded.ok).toBe(true);
    const created = await cli(['secret', 'create', '--name', 'api-key', '--reference', 'strongroom/shared/api#key', '--manager', 'Team Vault']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toContain('a reference to strongroom/shared/api#key');
    expect((await cli(['secret', 'reveal', 'api-key'])).stdout).toBe('remote api key');
    expect((await cli(['secret', 'create', '--name', 'no-manager', '--reference', 'x#y'])).code).toBe(2);
    const missing = await cli(['secret', 'create', '--name', 'missing-ref', '--reference', 'strongroom/none#key', '--manager', 'Team Vault']);
    expect(missing.code).toBe(1);
  });

  it('refuses to create over a remote secret it did not write, adopts it with --adopt, and deletes only its own versions', async () => {
    const seeded = await fetch(`${vault.endpoint}/v1/secret/data/strongroom/taken`, {
      method: 'POST',
      headers: { 'X-Vault-Token': vault.credentials.rootToken, 'Content-Type': 'application/json' },
      body: JSON.stringify({ data: { value: 'the admin value' } }),
    });
    expect(seeded.ok).toBe(true);
    const refused = await cli(['secret', 'create', '--name', 'taken', '--manager', 'Team Vault'], 'ours');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('secret/strongroom/taken already exists');
    expect(refused.stderr).toContain('--reference');
    expect(refused.stderr).toContain('--adopt');
    const adopted = await cli(['secret', 'create', '--name', 'taken', '--manager', 'Team Vault', '--adopt'], 'ours');
    expect(adopted.code, adopted.stderr).toBe(0);
    expect((await cli(['secret', 'reveal', 'taken'])).stdout).toBe('ours');
    expect((await cli(['secret', 'delete', 'taken'])).code).toBe(0);
    // Strongroom's version 2 is destroyed; the admin's version 1 is still there.
    const read = async (version: number) =>
      (await fetch(`${vault.endpoint}/v1/secret/data/strongroom/taken?version=${version}`, { headers: { 'X-Vault-Token': vault.credentials.rootToken } })).status;
    expect(await read(1)).toBe(200);
    expect(await read(2)).toBe(404);

    expect((await cli(['secret', 'create', '--name', 'left-remote', '--manager', 'Team Vault'], 'stays')).code).toBe(0);
    expect((await cli(['secret', 'delete', 'left-remote', '--keep-remote'])).stderr).toContain('its remote value was left in place');
    expect((await fetch(`${vault.endpoint}/v1/secret/data/strongroom/left-remote`, { headers: { 'X-Vault-Token': vault.credentials.rootToken } })).status).toBe(200);
  });

  it('lists the writes an interrupted batch left unconfirmed with manager orphans, so they can be checked and cleaned up', async () => {
    const none = await cli(['manager', 'orphans', 'Team Vault']);
    expect(none.code).toBe(0);
    expect(none.stderr).toContain('No unconfirmed writes');
    // What a kill between journaling a batch and confirming it leaves: a pending write with no secret.
    const db = new BetterSqlite3(join(store, 'strongroom.db'));
    try {
      const manager = db.prepare('SELECT id FROM managers WHERE name = ?').get('Team Vault') as { id: string };
      new RemoteWriteJournal(db).begin(manager.id, [{ secretId: 'never-stored', remoteName: 'half-written', mode: 'create' }]);
    } finally {
      db.close();
    }
    const listed = await cli(['manager', 'orphans', 'Team Vault']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^\d+\tTeam Vault\thalf-written\t\d{4}-/);
    expect(listed.stderr).toContain('1 unconfirmed write(s)');
    expect(listed.stderr).toContain('strongroom manager orphans forget ID');
    const json = JSON.parse((await cli(['manager', 'orphans', '--json'])).stdout) as unknown[];
    expect(json).toEqual([expect.objectContaining({ id: expect.any(Number), managerName: 'Team Vault', secretId: 'never-stored', remoteName: 'half-written' })]);
    expect((await cli(['manager', 'orphans', 'no-such-manager'])).code).toBe(1);
    // It stays listed until forgotten: the last test below forgets it before the manager can go.
  });

  it('lists Vault mounts for a form, and refuses what it cannot do', async () => {
    const options = await cli(['manager', 'options', '--kind', 'vault', '--config', file('conn.json', { url: vault.endpoint, auth: { method: 'token', token: vault.credentials.token } })]);
    expect(options.code, options.stderr).toBe(0);
    expect(options.stdout).toMatch(/^secret\tkv v2\t/m);

    const inUse = await cli(['manager', 'remove', 'Team Vault']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toMatch(/still holds 2 secrets/);
    expect((await cli(['manager', 'add', '--name', 'x', '--kind', 'nope', '--config', file('x.json', {})])).code).toBe(2);
    const notJson = await cli(['manager', 'add', '--name', 'x', '--kind', 'vault', '--config', file('bad.json', 'token: hvs.secret')]);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).not.toContain('hvs.secret');
    const invalid = await cli(['manager', 'add', '--name', 'x', '--kind', 'vault', '--config', file('invalid.json', { url: 'ftp://nowhere' })]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('config.url');
    expect((await cli(['manager', 'test', 'No Such'])).stderr).toContain('No secret manager named "No Such"');
  });

  it('updates credentials and the read-only flag, then removes an empty manager', async () => {
    expect((await cli(['manager', 'update', 'Team Vault', '--config', file('approle.json', vaultConfig(vault, 'approle'))])).code).toBe(0);
    expect((await cli(['secret', 'reveal', 'goes-to-vault'])).stdout).toBe('vault value');
    // The default cannot become read-only.
    expect((await cli(['manager', 'update', 'Team Vault', '--read-only'])).code).toBe(1);
    expect((await cli(['manager', 'default', 'Built-in store'])).code).toBe(0);
    expect((await cli(['manager', 'update', 'Team Vault', '--read-only', '--rename', 'Old Vault'])).code).toBe(0);
    expect((await cli(['manager', 'list'])).stdout).toMatch(/^Old Vault\tvault\tread-only\t2 secret\(s\)/m);
    for (const name of ['goes-to-vault', 'api-key']) expect((await cli(['secret', 'delete', name])).code).toBe(0);

    // The unconfirmed write listed above is the only record that a value may be left in the store: it holds the manager back.
    const held = await cli(['manager', 'remove', 'Old Vault']);
    expect(held.code).toBe(1);
    expect(held.stderr).toContain('"Old Vault" has 1 unconfirmed write ("half-written")');
    expect(held.stderr).toContain('strongroom manager orphans forget ID');
    const [orphan] = JSON.parse((await cli(['manager', 'orphans', 'Old Vault', '--json'])).stdout) as { id: number }[];
    expect((await cli(['manager', 'orphans', 'forget', 'half-written'])).code).toBe(2);
    expect((await cli(['manager', 'orphans', 'forget', String(orphan!.id + 1000)])).stderr).toContain(`No unconfirmed write ${orphan!.id + 1000}`);
    const forgot = await cli(['manager', 'orphans', 'forget', String(orphan!.id)]);
    expect(forgot.code, forgot.stderr).toBe(0);
    expect(forgot.stderr).toContain('Forgot the unconfirmed write of "half-written" in "Old Vault"');
    expect((await cli(['manager', 'orphans', 'Old Vault'])).stderr).toContain('No unconfirmed writes');
    const trail = new BetterSqlite3(join(store, 'strongroom.db'), { readonly: true });
    try {
      expect(trail.prepare("SELECT target, detail FROM audit_log WHERE action = 'manager.forgetWrite'").all()).toEqual([
        { target: 'Old Vault', detail: expect.stringContaining('"half-written"') },
      ]);
    } finally {
      trail.close();
    }
    expect((await cli(['audit', 'verify'])).code).toBe(0);
    expect((await cli(['manager', 'remove', 'Old Vault'])).code).toBe(0);
    expect((await cli(['manager', 'list'])).stdout).not.toContain('Old Vault');
  });

  it('documents the commands in --help', async () => {
    const help = await cli(['--help']);
    for (const line of ['manager add --name M --kind KIND --config FILE', 'manager test M [--json]', 'manager default M', 'manager remove M', 'manager orphans forget ID', '--reference REF --manager M']) {
      expect(help.stdout).toContain(line);
    }
  });
});
