/**
 * The secret stores as managers, through the real core and delegate against
 * their emulators: HashiCorp Vault, Azure Key Vault and AWS Secrets Manager.
 * For each: add with a sealed configuration, test the connection, keep a
 * secret's versions remotely (create, reveal, update, rollback, delete), point
 * a reference at an existing remote secret (deleting the reference leaves it),
 * and the typed error of wrong credentials. Then the rules that hold across
 * managers: the default manager, read-only managers, removal while in use.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AppCore } from '../../src-main/core/app-core.js';
import { ProviderError, type SecretStore } from '../../src-delegate/providers/provider.js';
import * as awsSecretsManager from '../../src-delegate/providers/aws-secrets-manager.js';
import * as azureKeyVault from '../../src-delegate/providers/azure-key-vault.js';
import * as vaultProvider from '../../src-delegate/providers/vault.js';
import { startAwsEmulator, type AwsEmulator } from '../emulators/aws-emulator.js';
import { managerConfig as azureConfig, startAzureKeyVaultEmulator, type AzureKeyVaultEmulator } from '../emulators/azure-key-vault-emulator.js';
import { managerConfig as vaultConfig, startVaultEmulator, type VaultEmulator } from '../emulators/vault-emulator.js';
import { call, callError, createSecret, createVault, reveal, startCore, tempDir } from '../support/core-harness.js';
import { createSealRecipient, sealBindings, sealValues } from '../../src-shared/contract.js';
import { addManager, addManagerRequest, createIn, createInRequest, delegateKey, lockAndUnlock, revealVersion, sealConfig, updateIn, type ExternalKind } from './managers-harness.js';

const hex = () => randomBytes(3).toString('hex');

interface StoreSpec {
  kind: ExternalKind;
  config(): Record<string, unknown>;
  /** The same configuration with a wrong secret. */
  wrongConfig(): Record<string, unknown>;
  /** The secret field of the configuration, which must never come back. */
  secretOf(config: Record<string, unknown>): string;
  /** A secret an admin created in the store outside Strongroom. */
  seedReference(): Promise<{ reference: string; value: string }>;
  /** Reads the store directly, outside Strongroom. */
  direct(): SecretStore;
  /** How a secret Strongroom wrote is found in the store. */
  referenceFor(name: string): string;
  /** Writes a value where Strongroom would write `name`, with the emulator's own API, outside Strongroom (a new secret or a new version). */
  writeOutside(name: string, value: string): Promise<void>;
  invalidName?: string;
}

let dir: ReturnType<typeof tempDir>;
let core: AppCore;
let vault: VaultEmulator;
let azure: AzureKeyVaultEmulator;
let aws: AwsEmulator;
const opened: { close?: () => void }[] = [];

beforeAll(async () => {
  dir = tempDir();
  [vault, azure, aws] = await Promise.all([startVaultEmulator(), startAzureKeyVaultEmulator(), startAwsEmulator()]);
  core = await startCore(join(dir.path, 'store'));
  await createVault(core);
});

afterAll(async () => {
  for (const store of opened) store.close?.();
  // Every emulator is stopped by its handle, whatever happened before.
  await Promise.allSettled([core?.close()]);
  await Promise.allSettled([vault?.close(), azure?.close(), aws?.close()]);
  dir?.remove();
});

const specs: StoreSpec[] = [
  {
    kind: 'vault',
    config: () => vaultConfig(vault),
    wrongConfig: () => ({ ...vaultConfig(vault), auth: { method: 'token', token: 'hvs.not-a-valid-token' } }),
    secretOf: (config) => (config.auth as { token: string }).token,
    seedReference: async () => {
      const value = `seeded-${hex()}`;
      const path = `strongroom/shared/db-${hex()}`;
      const response = await fetch(`${vault.endpoint}/v1/secret/data/${path}`, {
        method: 'POST',
        headers: { 'X-Vault-Token': vault.credentials.rootToken, 'Content-Type': 'application/json' },
        body: JSON.stringify({ data: { password: value, user: 'app' } }),
      });
      expect(response.ok).toBe(true);
      return { reference: `${path}#password`, value };
    },
    direct: () => {
      const store = vaultProvider.create(vaultConfig(vault));
      opened.push(store);
      return store;
    },
    referenceFor: (name) => `strongroom/${name}#value`,
    writeOutside: async (name, value) => {
      const response = await fetch(`${vault.endpoint}/v1/secret/data/strongroom/${name}`, {
        method: 'POST',
        headers: { 'X-Vault-Token': vault.credentials.rootToken, 'Content-Type': 'application/json' },
        body: JSON.stringify({ data: { value } }),
      });
      expect(response.ok).toBe(true);
    },
  },
  {
    kind: 'azure-key-vault',
    config: () => azureConfig(azure),
    wrongConfig: () => ({ ...azureConfig(azure), clientSecret: 'not-the-client-secret' }),
    secretOf: (config) => config.clientSecret as string,
    seedReference: async () => {
      const name = `seeded-${hex()}`;
      const value = `seeded by an admin ${hex()}`;
      const version = azure.seedSecret(name, value);
      return { reference: `${name}/${version}`, value };
    },
    direct: () => {
      const store = azureKeyVault.create(azureConfig(azure));
      opened.push(store);
      return store;
    },
    referenceFor: (name) => name,
    writeOutside: async (name, value) => {
      azure.seedSecret(name, value);
    },
    invalidName: 'has_underscore',
  },
  {
    kind: 'aws-secrets-manager',
    config: () => ({ region: aws.region, endpoint: aws.endpoint, credentials: aws.credentials, namePrefix: 'strongroom/' }),
    wrongConfig: () => ({
      region: aws.region,
      endpoint: aws.endpoint,
      credentials: { ...aws.credentials, secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYWRONGKEY' },
      namePrefix: 'strongroom/',
    }),
    secretOf: (config) => (config.credentials as { secretAccessKey: string }).secretAccessKey,
    seedReference: async () => {
      // A copy: the SDK marks the credentials object it is given.
      const client = new SecretsManagerClient({ region: aws.region, endpoint: aws.endpoint, credentials: { ...aws.credentials } });
      const name = `team/app-db-${hex()}`;
      const value = `seeded-${hex()}`;
      await client.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ username: 'app', password: value }) }));
      client.destroy();
      return { reference: `${name}#password`, value };
    },
    direct: () => awsSecretsManager.create({ region: aws.region, endpoint: aws.endpoint, credentials: aws.credentials, namePrefix: 'strongroom/' }),
    referenceFor: (name) => `strongroom/${name}`,
    writeOutside: async (name, value) => {
      const client = new SecretsManagerClient({ region: aws.region, endpoint: aws.endpoint, credentials: { ...aws.credentials } });
      try {
        await client.send(new CreateSecretCommand({ Name: `strongroom/${name}`, SecretString: value }));
      } catch (error) {
        if ((error as { name?: string }).name !== 'ResourceExistsException') throw error;
        await client.send(new PutSecretValueCommand({ SecretId: `strongroom/${name}`, SecretString: value }));
      } finally {
        client.destroy();
      }
    },
  },
];

describe.each(specs)('$kind as a manager', (spec) => {
  let managerId: string;
  const label = spec.kind.replace(/[^a-z]/g, '');

  it('is added with a sealed configuration: main keeps only the non-secret fields', async () => {
    const config = spec.config();
    const manager = await addManager(core, `${spec.kind} store`, spec.kind, config);
    managerId = manager.id;
    expect(manager).toMatchObject({ kind: spec.kind, role: 'secret-store', isDefault: false, readOnly: false, secretCount: 0 });
    // Main tested the connection before storing it: that test is its first health.
    expect(manager.health).toMatchObject({ ok: true });
    expect(manager.health.lastCheckAt).not.toBeNull();
    expect(JSON.stringify(manager.publicConfig)).not.toContain(spec.secretOf(config));
    // What main stored: ciphertext, and the same public fields.
    const db = new BetterSqlite3(join(dir.path, 'store', 'strongroom.db'), { readonly: true });
    try {
      const row = db.prepare('SELECT config_ciphertext, public_config FROM managers WHERE id = ?').get(managerId) as { config_ciphertext: string; public_config: string };
      expect(row.config_ciphertext.length).toBeGreaterThan(100);
      expect(row.public_config).not.toContain(spec.secretOf(config));
      expect(Buffer.from(row.config_ciphertext, 'base64').toString('latin1')).not.toContain(spec.secretOf(config));
    } finally {
      db.close();
    }
  });

  it('tests the connection read-only and records the result as health', async () => {
    const { result, manager } = await call(core, 'managers.test', { id: managerId });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect(result.checks.length).toBeGreaterThan(0);
    expect(manager.health.ok).toBe(true);
    expect(manager.health.lastCheckAt).not.toBeNull();
    expect(manager.health.summary).toMatch(/passed/);
    const listed = (await call(core, 'managers.list', {})).items.find((item) => item.id === managerId)!;
    expect(listed.health.ok).toBe(true);
  });

  it('keeps a secret remotely: create, reveal, update, versions, rollback, reveal an old version', async () => {
    const name = `${label}-db-${hex()}`;
    const created = await createIn(core, name, 'first value', managerId);
    expect(created.managerId).toBe(managerId);
    expect(created.reference).toBeNull();
    expect(await reveal(core, created.id)).toBe('first value');
    // The value lives in the store, not here.
    expect((await spec.direct().readReference(spec.referenceFor(name))).value).toBe('first value');
    const db = new BetterSqlite3(join(dir.path, 'store', 'strongroom.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT ciphertext, wrapped_key, remote_reference, remote_version FROM secret_versions WHERE secret_id = ?').get(created.id)).toMatchObject({
        ciphertext: '',
        wrapped_key: '',
        remote_reference: expect.any(String),
        remote_version: expect.any(String),
      });
    } finally {
      db.close();
    }

    const updated = await updateIn(core, created.id, 'second value');
    expect(updated.version).toBe(2);
    expect(await reveal(core, created.id)).toBe('second value');
    expect(await revealVersion(core, created.id, 1)).toBe('first value');
    const { items } = await call(core, 'secrets.versions', { id: created.id });
    expect(items.map((item) => item.version)).toEqual([2, 1]);
    expect(items.every((item) => typeof item.remoteVersionId === 'string')).toBe(true);
    expect(new Set(items.map((item) => item.remoteVersionId)).size).toBe(2);

    const rolled = await call(core, 'secrets.rollback', { id: created.id, toVersion: 1 });
    expect(rolled.version).toBe(3);
    expect(await reveal(core, created.id)).toBe('first value');
    expect((await spec.direct().readReference(spec.referenceFor(name))).value).toBe('first value');

    // Deleting a secret Strongroom wrote deletes it in the store (its soft delete, where there is one:
    // AWS answers that the secret is scheduled for deletion).
    await call(core, 'secrets.delete', { id: created.id });
    const gone = await spec.direct().readReference(spec.referenceFor(name)).then(
      () => null,
      (error: unknown) => error,
    );
    expect(gone).toBeInstanceOf(ProviderError);
    expect((gone as ProviderError).code).toBe(spec.kind === 'aws-secrets-manager' ? 'CONFLICT' : 'NOT_FOUND');
  });

  it('refuses to create over a remote secret it did not write, naming it and pointing to --reference and --adopt', async () => {
    const name = `${label}-taken-${hex()}`;
    await spec.writeOutside(name, 'the admin value');
    const refused = await callError(core, 'secrets.create', await createInRequest(core, name, 'would overwrite it', managerId));
    expect(refused.code).toBe('REMOTE_EXISTS');
    expect(refused.message).toContain(name);
    expect(refused.message).toContain('--reference');
    expect(refused.message).toContain('--adopt');
    expect((await call(core, 'secrets.list', { query: name })).total).toBe(0);
    expect((await spec.direct().readReference(spec.referenceFor(name))).value).toBe('the admin value');
  });

  it('adopts a remote secret only when asked, and deleting it leaves what Strongroom did not write', async () => {
    const name = `${label}-adopted-${hex()}`;
    await spec.writeOutside(name, 'the admin value');
    const adopted = await call(core, 'secrets.create', { ...(await createInRequest(core, name, 'adopted value', managerId)), adopt: true });
    expect(await reveal(core, adopted.id)).toBe('adopted value');
    const updated = await updateIn(core, adopted.id, 'updated value');
    expect(updated.version).toBe(2);
    await call(core, 'secrets.delete', { id: adopted.id });
    // The remote secret is still there: Strongroom did not create it.
    expect(await spec.direct().exists(name)).toBe(true);
    if (spec.kind === 'vault') {
      // KV v2 deletes versions: Strongroom's two went, the admin's first version stays readable.
      expect((await spec.direct().get(spec.referenceFor(name), '1')).value).toBe('the admin value');
      await expect(spec.direct().get(spec.referenceFor(name), '3')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } else {
      expect((await spec.direct().readReference(spec.referenceFor(name))).value).toBe('updated value');
    }
    const audit = await call(core, 'audit.list', { limit: 5 });
    expect(audit.items[0]).toMatchObject({ action: 'secret.delete', target: name });
    expect(audit.items[0]!.detail).toMatch(spec.kind === 'vault' ? /did not write; destroyed version\(s\) 2, 3/ : /adopted it rather than creating it/);
  });

  it('keeps a secret it created when someone else wrote a version on top, and leaves everything with keepRemote', async () => {
    const name = `${label}-shared-${hex()}`;
    const created = await createIn(core, name, 'written by Strongroom', managerId);
    await spec.writeOutside(name, 'written by an admin');
    await call(core, 'secrets.delete', { id: created.id });
    expect((await spec.direct().readReference(spec.referenceFor(name))).value).toBe('written by an admin');

    const kept = await createIn(core, `${label}-kept-${hex()}`, 'kept remotely', managerId);
    await call(core, 'secrets.delete', { id: kept.id, keepRemote: true });
    expect((await call(core, 'secrets.list', { query: kept.name })).total).toBe(0);
    expect((await spec.direct().readReference(spec.referenceFor(kept.name))).value).toBe('kept remotely');
  });

  it('a batch that fails part way leaves nothing behind: what it wrote is deleted again', async () => {
    const names = [0, 1, 2].map((i) => `${label}-batch-${hex()}-${i}`);
    await spec.writeOutside(names[2]!, 'already there');
    const error = await callError(core, 'secrets.createMany', {
      items: names.map((name) => ({ name })),
      sealedValues: await sealValues(await delegateKey(core), sealBindings.secretCreate(names), ['a', 'b', 'c']),
      managerId,
    });
    expect(error.code).toBe('REMOTE_EXISTS');
    expect(error.message).toContain(names[2]);
    // Deleted again (AWS and Azure: soft-deleted, so no longer readable).
    for (const name of names.slice(0, 2)) await expect(spec.direct().readReference(spec.referenceFor(name))).rejects.toBeInstanceOf(ProviderError);
    for (const name of names.slice(0, 2)) expect((await call(core, 'secrets.list', { query: name })).total).toBe(0);
    expect((await spec.direct().readReference(spec.referenceFor(names[2]!))).value).toBe('already there');
    const db = new BetterSqlite3(join(dir.path, 'store', 'strongroom.db'), { readonly: true });
    try {
      expect(db.prepare("SELECT COUNT(*) AS n FROM remote_writes WHERE state = 'pending'").get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it('creates a reference to an existing remote secret, reads it, and leaves it when the reference is deleted', async () => {
    const seeded = await spec.seedReference();
    const created = await call(core, 'secrets.createReference', { name: `${label}-ref-${hex()}`, managerId, reference: seeded.reference, description: 'owned by the platform team' });
    expect(created.reference).toBe(seeded.reference);
    expect(await reveal(core, created.id)).toBe(seeded.value);
    // The value was never stored here.
    const db = new BetterSqlite3(join(dir.path, 'store', 'strongroom.db'), { readonly: true });
    try {
      const row = db.prepare('SELECT ciphertext, remote_reference, remote_version FROM secret_versions WHERE secret_id = ?').get(created.id);
      expect(row).toEqual({ ciphertext: '', remote_reference: seeded.reference, remote_version: null });
    } finally {
      db.close();
    }
    // A reference's value and versions live in the store.
    expect((await callError(core, 'secrets.update', { id: created.id, sealedValue: (await createInRequest(core, 'x', 'v')).sealedValue })).code).toBe('INVALID_REQUEST');
    expect((await callError(core, 'secrets.rollback', { id: created.id, toVersion: 1 })).code).toBe('INVALID_REQUEST');

    await call(core, 'secrets.delete', { id: created.id });
    expect((await spec.direct().readReference(seeded.reference)).value).toBe(seeded.value);
  });

  it('checks a reference by reading it: a missing one is refused with a typed error', async () => {
    const missing = spec.kind === 'vault' ? 'strongroom/nothing-here#value' : spec.kind === 'azure-key-vault' ? 'nothing-here' : 'nothing/here';
    const error = await callError(core, 'secrets.createReference', { name: `${label}-missing-${hex()}`, managerId, reference: missing });
    expect(error.code).toBe('PROVIDER_NOT_FOUND');
    expect((await call(core, 'secrets.list', { query: `${label}-missing` })).total).toBe(0);
  });

  if (spec.invalidName) {
    it("refuses a name the store's rules do not allow, before anything is written", async () => {
      const error = await callError(core, 'secrets.create', await createInRequest(core, spec.invalidName!, 'value', managerId));
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toMatch(/cannot be stored/);
    });
  }

  it('refuses to add wrong credentials, storing nothing, unless told to skip the test', async () => {
    const before = (await call(core, 'managers.list', {})).items.length;
    const refused = await callError(core, 'managers.add', await addManagerRequest(core, `${spec.kind} refused`, spec.kind, spec.wrongConfig()));
    expect(refused.code).toBe('PROVIDER_AUTH_FAILED');
    expect(refused.message).toContain(`"${spec.kind} refused" was not added: its connection test failed at`);
    expect(refused.message).not.toContain(spec.secretOf(spec.wrongConfig()));
    expect((await call(core, 'managers.list', {})).items.length).toBe(before);
    const untested = await addManager(core, `${spec.kind} refused`, spec.kind, spec.wrongConfig(), false, true);
    expect(untested.health).toMatchObject({ lastCheckAt: null, ok: null });
    await call(core, 'managers.remove', { id: untested.id });
  });

  it('turns wrong credentials into a typed error, and a failed test into its health', async () => {
    const wrong = await addManager(core, `${spec.kind} wrong`, spec.kind, spec.wrongConfig(), false, true);
    const { result, manager } = await call(core, 'managers.test', { id: wrong.id });
    expect(result.ok).toBe(false);
    expect(result.facts.errorCode).toBe('AUTH_FAILED');
    expect(manager.health).toMatchObject({ ok: false });
    const error = await callError(core, 'secrets.create', await createInRequest(core, `${label}-denied-${hex()}`, 'value', wrong.id));
    expect(error.code).toBe('PROVIDER_AUTH_FAILED');
    expect(error.message).not.toContain(spec.secretOf(spec.wrongConfig()));
    await call(core, 'managers.remove', { id: wrong.id });
  });

  it('refuses removal while it holds secrets, saying how many', async () => {
    const one = await createIn(core, `${label}-keep-${hex()}`, 'kept', managerId);
    const seeded = await spec.seedReference();
    const ref = await call(core, 'secrets.createReference', { name: `${label}-keepref-${hex()}`, managerId, reference: seeded.reference });
    const error = await callError(core, 'managers.remove', { id: managerId });
    expect(error.code).toBe('MANAGER_IN_USE');
    expect(error.message).toMatch(/2 secrets/);
    await call(core, 'secrets.delete', { id: one.id });
    await call(core, 'secrets.delete', { id: ref.id });
    await call(core, 'managers.remove', { id: managerId });
    expect((await call(core, 'managers.list', {})).items.some((item) => item.id === managerId)).toBe(false);
    expect((await callError(core, 'managers.test', { id: managerId })).code).toBe('NOT_FOUND');
  });
});

describe('rules across managers', () => {
  it('changing the default manager affects only new secrets', async () => {
    const store = await addManager(core, 'Vault default', 'vault', vaultConfig(vault));
    const before = await createSecret(core, `before-${hex()}`, 'in the built-in store');
    expect(before.managerId).toBe('local');
    const made = await call(core, 'managers.setDefault', { id: store.id });
    expect(made.isDefault).toBe(true);
    const list = (await call(core, 'managers.list', {})).items;
    expect(list.filter((item) => item.isDefault).map((item) => item.id)).toEqual([store.id]);
    const after = await createSecret(core, `after-${hex()}`, 'in Vault');
    expect(after.managerId).toBe(store.id);
    expect((await call(core, 'secrets.get', { id: before.id })).managerId).toBe('local');
    expect(await reveal(core, before.id)).toBe('in the built-in store');
    expect(await reveal(core, after.id)).toBe('in Vault');
    // The default cannot be removed, and cannot become read-only.
    expect((await callError(core, 'managers.update', { id: store.id, readOnly: true })).code).toBe('READ_ONLY');
    await call(core, 'managers.setDefault', { id: 'local' });
    await call(core, 'secrets.delete', { id: after.id });
    await call(core, 'managers.remove', { id: store.id });
  });

  it('read-only Vault: never the default, no new inline secrets, references still work', async () => {
    const readOnly = await addManager(core, 'Vault read-only', 'vault', { ...vaultConfig(vault), readOnly: true });
    expect(readOnly.readOnly).toBe(true);
    expect((await callError(core, 'managers.setDefault', { id: readOnly.id })).code).toBe('READ_ONLY');
    const refused = await callError(core, 'secrets.create', await createInRequest(core, `ro-${hex()}`, 'value', readOnly.id));
    expect(refused.code).toBe('READ_ONLY');
    const seeded = await specs[0]!.seedReference();
    const ref = await call(core, 'secrets.createReference', { name: `ro-ref-${hex()}`, managerId: readOnly.id, reference: seeded.reference });
    expect(await reveal(core, ref.id)).toBe(seeded.value);
    const { result } = await call(core, 'managers.test', { id: readOnly.id });
    expect(result.ok).toBe(true);
    await call(core, 'secrets.delete', { id: ref.id });

    // The flag set by the user works the same way, for any store.
    const flagged = await addManager(core, 'Vault flagged', 'vault', vaultConfig(vault), true);
    expect(flagged.readOnly).toBe(true);
    expect((await callError(core, 'secrets.create', await createInRequest(core, `ro2-${hex()}`, 'value', flagged.id))).code).toBe('READ_ONLY');
    // Made writable, it takes secrets; made read-only again, those stay readable, and their update is refused.
    await call(core, 'managers.update', { id: flagged.id, readOnly: false });
    const inline = await createIn(core, `was-writable-${hex()}`, 'written', flagged.id);
    await call(core, 'managers.update', { id: flagged.id, readOnly: true });
    expect(await reveal(core, inline.id)).toBe('written');
    expect((await callError(core, 'secrets.update', { id: inline.id, sealedValue: (await createInRequest(core, 'x', 'v')).sealedValue })).code).toBe('READ_ONLY');
    // Deleting it here leaves the remote value: a read-only manager is never written to.
    await call(core, 'secrets.delete', { id: inline.id });
    await call(core, 'managers.remove', { id: flagged.id });
    await call(core, 'managers.remove', { id: readOnly.id });
  });

  it('Vault KV v1 keeps no versions: one version is shown, older reads and rollback are refused', async () => {
    const manager = await addManager(core, 'Vault KV v1', 'vault', { ...vaultConfig(vault), engine: { mount: 'kv', version: 1 } });
    const secret = await createIn(core, `kv1-${hex()}`, 'first value', manager.id);
    expect((await updateIn(core, secret.id, 'second value')).version).toBe(2);
    const { items } = await call(core, 'secrets.versions', { id: secret.id });
    expect(items.map((item) => item.version)).toEqual([2]);
    const recipient = await createSealRecipient();
    const oldRead = await callError(core, 'secrets.reveal', { id: secret.id, version: 1, recipientPublicKey: recipient.publicKey, purpose: 'reveal' });
    expect(oldRead.code).toBe('INVALID_REQUEST');
    expect(oldRead.message).toMatch(/keeps no versions/);
    const rollback = await callError(core, 'secrets.rollback', { id: secret.id, toVersion: 1 });
    expect(rollback.code).toBe('INVALID_REQUEST');
    expect(rollback.message).toMatch(/keeps no versions/);
    expect(await reveal(core, secret.id)).toBe('second value');
    expect(await revealVersion(core, secret.id, 2)).toBe('second value');
    await call(core, 'secrets.delete', { id: secret.id });
    await call(core, 'managers.remove', { id: manager.id });
  });

  it('references need a secret store', async () => {
    const error = await callError(core, 'secrets.createReference', { name: `local-ref-${hex()}`, managerId: 'local', reference: 'x#y' });
    expect(error.code).toBe('INVALID_REQUEST');
  });

  it('validates a configuration in the delegate, naming the fields without echoing values', async () => {
    const config = { ...vaultConfig(vault), engine: { mount: 'secret', version: 3 }, unexpected: 'field' };
    const error = await callError(core, 'managers.add', await addManagerRequest(core, 'bad vault', 'vault', config));
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.issues?.map((issue) => issue.path)).toEqual(expect.arrayContaining(['config.engine.version']));
    expect(JSON.stringify(error)).not.toContain(vault.credentials.token);
    // A configuration sealed for another name does not open.
    const sealed = await sealConfig(core, 'some other name', vaultConfig(vault));
    expect((await callError(core, 'managers.add', { name: 'mismatch', kind: 'vault', sealedConfig: sealed })).code).toBe('SEAL_INVALID');
    // Names are unique.
    const first = await addManager(core, 'Twice', 'vault', vaultConfig(vault));
    expect((await callError(core, 'managers.add', await addManagerRequest(core, 'twice', 'vault', vaultConfig(vault)))).code).toBe('NAME_TAKEN');
    await call(core, 'managers.remove', { id: first.id });
    expect((await callError(core, 'managers.remove', { id: 'local' })).code).toBe('INVALID_REQUEST');
  });

  it('updates credentials, but not where existing secrets live', async () => {
    const manager = await addManager(core, 'Vault rotate', 'vault', vaultConfig(vault));
    const secret = await createIn(core, `rotate-${hex()}`, 'kept across rotation', manager.id);
    // New credentials (AppRole instead of the token), same Vault, same mount.
    const updated = await call(core, 'managers.update', { id: manager.id, name: 'Vault rotated', sealedConfig: await sealConfig(core, 'Vault rotated', vaultConfig(vault, 'approle')) });
    expect(updated.name).toBe('Vault rotated');
    expect(updated.health.lastCheckAt).toBeNull();
    expect(await reveal(core, secret.id)).toBe('kept across rotation');
    const { result } = await call(core, 'managers.test', { id: manager.id });
    expect(result.ok).toBe(true);
    expect(result.facts.appRole).toBeDefined();
    // An edit that leaves the secret id out keeps the stored one.
    const { secretId: _kept, ...withoutSecret } = vaultConfig(vault, 'approle').auth as { method: 'approle'; roleId: string; secretId: string };
    const edited = await call(core, 'managers.update', {
      id: manager.id,
      sealedConfig: await sealConfig(core, 'Vault rotated', { ...vaultConfig(vault, 'approle'), auth: withoutSecret, renewalIntervalSeconds: 600 }),
    });
    expect(edited.publicConfig.renewalIntervalSeconds).toBe(600);
    expect(await reveal(core, secret.id)).toBe('kept across rotation');
    expect((await call(core, 'managers.test', { id: manager.id })).result.ok).toBe(true);
    // Another mount would strand the secret.
    const moved = await callError(core, 'managers.update', {
      id: manager.id,
      sealedConfig: await sealConfig(core, 'Vault rotated', { ...vaultConfig(vault), engine: { mount: 'kv', version: 1 } }),
    });
    expect(moved.code).toBe('INVALID_REQUEST');
    expect(moved.issues?.map((issue) => issue.path)).toEqual(['config.engine']);
    await call(core, 'secrets.delete', { id: secret.id });
    await call(core, 'managers.remove', { id: manager.id });
  });

  it('shows the Vault token renewal loop in health; locking closes the provider and drops its AppRole token', async () => {
    const manager = await addManager(core, 'Vault renewal', 'vault', vaultConfig(vault, 'approle'));
    // Added, it is open at once: its renewal loop runs while the store is unlocked.
    let listed = (await call(core, 'managers.list', {})).items.find((item) => item.id === manager.id)!;
    expect(listed.health.renewal).toMatchObject({ state: 'idle', consecutiveFailures: 0 });
    const secret = await createIn(core, `renewal-${hex()}`, 'behind approle', manager.id);
    const { result } = await call(core, 'managers.test', { id: manager.id });
    expect(result.facts.appRole).toBeDefined();
    listed = (await call(core, 'managers.list', {})).items.find((item) => item.id === manager.id)!;
    expect(listed.health.ok).toBe(true);
    expect(['idle', 'active', 'not-needed']).toContain(listed.health.renewal!.state);

    const logins = vault.calls.login ?? 0;
    expect(await reveal(core, secret.id)).toBe('behind approle');
    expect(vault.calls.login ?? 0).toBe(logins);
    await lockAndUnlock(core);
    // Reopened after the unlock with a fresh loop, and without the old token: the next use logs in again.
    listed = (await call(core, 'managers.list', {})).items.find((item) => item.id === manager.id)!;
    expect(listed.health.renewal).toMatchObject({ state: 'idle', consecutiveFailures: 0, lastRenewedAt: null });
    expect(await reveal(core, secret.id)).toBe('behind approle');
    expect(vault.calls.login ?? 0).toBe(logins + 1);
    await call(core, 'secrets.delete', { id: secret.id });
    await call(core, 'managers.remove', { id: manager.id });
  });

  it('fetches the lists a form can offer: Vault KV mounts and Azure vaults', async () => {
    const key = (await call(core, 'app.status', {})).delegatePublicKey!;
    const { sealValues, sealBindings } = await import('../../src-shared/contract.js');
    const vaultOptions = await call(core, 'managers.fetchOptions', {
      kind: 'vault',
      sealedConfig: await sealValues(key, sealBindings.managerConfig(''), [JSON.stringify({ url: vault.endpoint, auth: { method: 'token', token: vault.credentials.token } })]),
    });
    expect(vaultOptions.kind).toBe('vault');
    if (vaultOptions.kind !== 'vault') throw new Error('unreachable');
    expect(vaultOptions.mounts.filter((mount) => mount.type === 'kv').map((mount) => [mount.path, mount.version])).toEqual(
      expect.arrayContaining([
        ['kv', 1],
        ['secret', 2],
      ]),
    );
    const azureOptions = await call(core, 'managers.fetchOptions', {
      kind: 'azure-key-vault',
      sealedConfig: await sealValues(key, sealBindings.managerConfig(''), [JSON.stringify(azureConfig(azure))]),
    });
    expect(azureOptions).toEqual({ kind: 'azure-key-vault', vaults: [{ name: azure.credentials.vaultName, resourceGroup: 'strongroom-rg', location: 'westeurope' }] });
    const wrong = await callError(core, 'managers.fetchOptions', {
      kind: 'vault',
      sealedConfig: await sealValues(key, sealBindings.managerConfig(''), [JSON.stringify({ url: vault.endpoint, auth: { method: 'token', token: 'hvs.wrong-token' } })]),
    });
    expect(wrong.code).toBe('PROVIDER_AUTH_FAILED');
  });

  it('types network, TLS and throttling failures', async () => {
    const { createServer } = await import('node:net');
    // A port that was free a moment ago and is closed now: nothing listens there.
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const nowhere = { ...vaultConfig(vault), url: `http://127.0.0.1:${closedPort}` };
    expect((await callError(core, 'managers.add', await addManagerRequest(core, 'Vault nowhere', 'vault', nowhere))).code).toBe('PROVIDER_UNREACHABLE');
    const unreachable = await addManager(core, 'Vault nowhere', 'vault', nowhere, false, true);
    expect((await callError(core, 'secrets.create', await createInRequest(core, `nowhere-${hex()}`, 'v', unreachable.id))).code).toBe('PROVIDER_UNREACHABLE');
    const { result } = await call(core, 'managers.test', { id: unreachable.id });
    expect(result.facts.errorCode).toBe('UNREACHABLE');
    await call(core, 'managers.remove', { id: unreachable.id });

    // The emulator's certificate comes from a private CA: without caCertificate it is not trusted.
    const { caCertificate: _ca, ...untrusting } = azureConfig(azure);
    expect((await callError(core, 'managers.add', await addManagerRequest(core, 'Azure untrusted', 'azure-key-vault', untrusting))).code).toBe('PROVIDER_TLS_UNTRUSTED');
    const tls = await addManager(core, 'Azure untrusted', 'azure-key-vault', untrusting, false, true);
    const tlsError = await callError(core, 'secrets.create', await createInRequest(core, `tls-${hex()}`, 'v', tls.id));
    expect(tlsError.code).toBe('PROVIDER_TLS_UNTRUSTED');
    expect(tlsError.message).toMatch(/not trusted/);
    await call(core, 'managers.remove', { id: tls.id });

    // More 429s than the bounded retries absorb.
    const throttled = await addManager(core, 'Vault busy', 'vault', vaultConfig(vault));
    vault.setFaults({ throttle: { count: 50, retryAfterSeconds: 0, path: /secret\/data/ } });
    try {
      expect((await callError(core, 'secrets.create', await createInRequest(core, `busy-${hex()}`, 'v', throttled.id))).code).toBe('PROVIDER_THROTTLED');
    } finally {
      vault.setFaults({});
    }
    const recovered = await createIn(core, `busy-${hex()}`, 'after the burst', throttled.id);
    expect(await reveal(core, recovered.id)).toBe('after the burst');
    await call(core, 'secrets.delete', { id: recovered.id });
    await call(core, 'managers.remove', { id: throttled.id });
  });

  it('names the missing permission when the store refuses', async () => {
    const policyToken = vault.createToken({ policies: ['strongroom-read'] });
    vault.setPolicy('strongroom-read', { 'secret/data/strongroom/*': ['read'] });
    const narrow = { ...vaultConfig(vault), auth: { method: 'token', token: policyToken } };
    // The connection test finds the missing capabilities before anything is stored.
    const refused = await callError(core, 'managers.add', await addManagerRequest(core, 'Vault narrow', 'vault', narrow));
    expect(refused.code).toBe('PROVIDER_PERMISSION_DENIED');
    expect(refused.message).toMatch(/Missing capabilities: .*create/);
    const manager = await addManager(core, 'Vault narrow', 'vault', narrow, false, true);
    const error = await callError(core, 'secrets.create', await createInRequest(core, `narrow-${hex()}`, 'value', manager.id));
    expect(error.code).toBe('PROVIDER_PERMISSION_DENIED');
    expect(error.permission).toMatch(/secret\/data\/strongroom/);
    const { result } = await call(core, 'managers.test', { id: manager.id });
    expect(result.ok).toBe(false);
    expect(String(result.facts.missingCapabilities)).toMatch(/create/);
    await call(core, 'managers.remove', { id: manager.id });
  });
});
