/**
 * The KMS kinds as managers (AWS KMS, Google Cloud KMS), through the real core
 * and delegate against their emulators: envelope encryption with intermediate
 * keys, the KMS key version recorded per intermediate key, KMS call counts,
 * the caches cleared on lock, typed errors, tampering, and backups that
 * decrypt through KMS.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core.js';
import { sealBindings, sealValues } from '../../src-shared/contract.js';
import { startAwsEmulator, type AwsEmulator } from '../emulators/aws-emulator.js';
import { startGcpKmsEmulator, type GcpKmsEmulator } from '../emulators/gcp-kms-emulator.js';
import { managerConfig as vaultConfig, startVaultEmulator, type VaultEmulator } from '../emulators/vault-emulator.js';
import { call, callError, createSecret, createVault, queryStore, reveal, startCore, tempDir } from '../support/core-harness.js';
import { addManager, addManagerRequest, createIn, createInRequest, createManyIn, delegateKey, lockAndUnlock, revealMany, revealVersion, updateIn, type ExternalKind } from './managers-harness.js';

const hex = () => randomBytes(3).toString('hex');

let dir: ReturnType<typeof tempDir>;
let core: AppCore;
let aws: AwsEmulator;
let gcp: GcpKmsEmulator;
let vault: VaultEmulator;

const dbFile = () => join(dir.path, 'store', 'strongroom.db');
const query = <T>(sql: string, ...params: unknown[]): T[] => queryStore<T>(join(dir.path, 'store'), sql, ...params);
function write(sql: string, ...params: unknown[]): void {
  const db = new BetterSqlite3(dbFile());
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

const awsConfig = () => ({ region: aws.region, endpoint: aws.endpoint, credentials: { ...aws.credentials }, keyArn: aws.keyArn });
const gcpConfig = () => ({
  projectId: gcp.projectId,
  location: gcp.location,
  keyRing: gcp.keyRing,
  keyName: gcp.keyName,
  endpoint: gcp.endpoint,
  serviceAccount: gcp.serviceAccount,
});

beforeAll(async () => {
  dir = tempDir();
  [aws, gcp, vault] = await Promise.all([startAwsEmulator(), startGcpKmsEmulator(), startVaultEmulator()]);
  core = await startCore(join(dir.path, 'store'));
  await createVault(core);
});

afterAll(async () => {
  // Every emulator is stopped by its handle, whatever happened before.
  await Promise.allSettled([core?.close()]);
  await Promise.allSettled([aws?.close(), gcp?.close(), vault?.close()]);
  dir?.remove();
});

interface KmsSpec {
  kind: ExternalKind;
  config(): Record<string, unknown>;
  kmsCalls(operation?: 'encrypt' | 'decrypt'): number;
  /** What the intermediate key's record must name as the KMS key version. */
  keyVersion(): unknown;
  /** KMS calls one wrap of an intermediate key takes. */
  callsPerWrap: number;
}

const specs: KmsSpec[] = [
  {
    kind: 'aws-kms',
    config: awsConfig,
    kmsCalls: (operation) => aws.calls.count(operation === 'encrypt' ? 'kms:Encrypt' : operation === 'decrypt' ? 'kms:Decrypt' : 'kms:*'),
    // The key ARN and its current key material, which Decrypt names: Encrypt does not.
    keyVersion: () => expect.stringMatching(new RegExp(`^${aws.keyArn.replace(/[/.]/g, '\\$&')}#[0-9a-f]{64}$`)),
    callsPerWrap: 2,
  },
  {
    kind: 'gcp-kms',
    config: gcpConfig,
    kmsCalls: (operation) => gcp.calls.count(operation === 'encrypt' ? 'cloudkms:Encrypt' : operation === 'decrypt' ? 'cloudkms:Decrypt' : 'cloudkms:*'),
    keyVersion: () => `${gcp.keyResourceName}/cryptoKeyVersions/1`,
    callsPerWrap: 1,
  },
];

describe.each(specs)('$kind as a manager', (spec) => {
  let managerId: string;
  const label = spec.kind.replace(/[^a-z]/g, '');

  it('is added and tested read-only (describe the key, encrypt/decrypt probe)', async () => {
    const manager = await addManager(core, `${spec.kind} key`, spec.kind, spec.config());
    managerId = manager.id;
    expect(manager).toMatchObject({ kind: spec.kind, role: 'key-manager', readOnly: false });
    const { result, manager: tested } = await call(core, 'managers.test', { id: managerId });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect(result.facts.keyVersion).toBeTruthy();
    expect(tested.health).toMatchObject({ ok: true });
  });

  it('keeps ciphertext and wrapped keys locally: create, reveal, update, rollback, versions', async () => {
    const before = spec.kmsCalls();
    const created = await createIn(core, `${label}-db-${hex()}`, 'kms first', managerId);
    expect(created.managerId).toBe(managerId);
    expect(await reveal(core, created.id)).toBe('kms first');
    await updateIn(core, created.id, 'kms second');
    expect(await reveal(core, created.id)).toBe('kms second');
    expect(await revealVersion(core, created.id, 1)).toBe('kms first');
    const rolled = await call(core, 'secrets.rollback', { id: created.id, toVersion: 1 });
    expect(rolled.version).toBe(3);
    expect(await reveal(core, created.id)).toBe('kms first');
    expect((await call(core, 'secrets.versions', { id: created.id })).items.map((item) => [item.version, item.remoteVersionId])).toEqual([
      [3, null],
      [2, null],
      [1, null],
    ]);
    // One intermediate key served every version: one wrap in all, the first.
    expect(spec.kmsCalls() - before).toBe(spec.callsPerWrap);

    const rows = query<{ ciphertext: string; wrapped_key: string; intermediate_key_id: string }>(
      'SELECT ciphertext, wrapped_key, intermediate_key_id FROM secret_versions WHERE secret_id = ? ORDER BY version',
      created.id,
    );
    expect(rows).toHaveLength(3);
    // Every version has its own data key, each wrapped by the same intermediate key.
    expect(new Set(rows.map((row) => row.wrapped_key)).size).toBe(3);
    expect(new Set(rows.map((row) => row.intermediate_key_id)).size).toBe(1);
    expect(rows.every((row) => row.ciphertext.length > 0)).toBe(true);
    // The KMS key version is recorded for the intermediate key.
    const keys = query<{ kms_key_version: string; use_count: number; manager_id: string }>('SELECT kms_key_version, use_count, manager_id FROM intermediate_keys WHERE id = ?', rows[0]!.intermediate_key_id);
    expect(keys).toEqual([{ kms_key_version: spec.keyVersion(), use_count: 3, manager_id: managerId }]);
  });

  it('locking clears the provider and the intermediate-key cache; after unlocking, reveals still work', async () => {
    const created = await createIn(core, `${label}-lock-${hex()}`, 'survives a lock', managerId);
    await lockAndUnlock(core);
    const decrypts = spec.kmsCalls('decrypt');
    expect(await reveal(core, created.id)).toBe('survives a lock');
    // The intermediate key had to come back from KMS: the cache was empty.
    expect(spec.kmsCalls('decrypt') - decrypts).toBe(1);
    expect(await reveal(core, created.id)).toBe('survives a lock');
    expect(spec.kmsCalls('decrypt') - decrypts).toBe(1);
  });

  it('refuses references: a key manager keeps the values itself', async () => {
    expect((await callError(core, 'secrets.createReference', { name: `${label}-ref`, managerId, reference: 'a#b' })).code).toBe('INVALID_REQUEST');
  });

  it('detects a swapped data key or intermediate key as tampering', async () => {
    const [a, b] = await createManyIn(
      core,
      [
        { name: `${label}-a-${hex()}`, value: 'value a' },
        { name: `${label}-b-${hex()}`, value: 'value b' },
      ],
      managerId,
    );
    const [rowA] = query<{ wrapped_key: string }>('SELECT wrapped_key FROM secret_versions WHERE secret_id = ?', a!.id);
    write('UPDATE secret_versions SET wrapped_key = ? WHERE secret_id = ?', rowA!.wrapped_key, b!.id);
    expect((await callError(core, 'secrets.reveal', { id: b!.id, recipientPublicKey: await delegateKey(core), purpose: 'reveal' })).code).toBe('TAMPERED');
    expect(await reveal(core, a!.id)).toBe('value a');
    await call(core, 'secrets.delete', { id: b!.id });

    // An intermediate key's KMS-wrapped bytes moved under another id do not unwrap.
    const c = await createIn(core, `${label}-c-${hex()}`, 'value c', managerId);
    const [{ intermediate_key_id: id }] = query<{ intermediate_key_id: string }>('SELECT intermediate_key_id FROM secret_versions WHERE secret_id = ?', c.id) as [{ intermediate_key_id: string }];
    const [{ wrapped_key: original }] = query<{ wrapped_key: string }>('SELECT wrapped_key FROM intermediate_keys WHERE id = ?', id) as [{ wrapped_key: string }];
    const otherManager = await addManager(core, `${spec.kind} other`, spec.kind, spec.config());
    const other = await createIn(core, `${label}-other-${hex()}`, 'other', otherManager.id);
    const [{ intermediate_key_id: otherId }] = query<{ intermediate_key_id: string }>('SELECT intermediate_key_id FROM secret_versions WHERE secret_id = ?', other.id) as [
      { intermediate_key_id: string },
    ];
    const [{ wrapped_key: foreign }] = query<{ wrapped_key: string }>('SELECT wrapped_key FROM intermediate_keys WHERE id = ?', otherId) as [{ wrapped_key: string }];
    write('UPDATE intermediate_keys SET wrapped_key = ? WHERE id = ?', foreign, id);
    await lockAndUnlock(core);
    const error = await callError(core, 'secrets.reveal', { id: c.id, recipientPublicKey: await delegateKey(core), purpose: 'reveal' });
    expect(error.code).toBe('TAMPERED');
    write('UPDATE intermediate_keys SET wrapped_key = ? WHERE id = ?', original, id);
    expect(await reveal(core, c.id)).toBe('value c');
    await call(core, 'secrets.delete', { id: c.id });
    await call(core, 'secrets.delete', { id: other.id });
    await call(core, 'managers.remove', { id: otherManager.id });
  });
});

describe('KMS calls with intermediate keys', () => {
  it('1,000 reveals cost at least 10× fewer KMS calls than one per secret', async () => {
    const manager = await addManager(core, 'AWS KMS bulk', 'aws-kms', awsConfig());
    const before = aws.calls.count('kms:*');
    const created = [];
    for (let i = 0; i < 1000; i += 500) {
      created.push(...(await createManyIn(core, Array.from({ length: 500 }, (_, j) => ({ name: `bulk-${i + j}`, value: `bulk value ${i + j}` })), manager.id)));
    }
    const createCalls = aws.calls.count('kms:*') - before;
    // 1,000 data keys, one intermediate key (it wraps up to 1,000): one KMS call.
    expect(createCalls).toBeLessThanOrEqual(2);

    // A new session: nothing cached.
    await lockAndUnlock(core);
    const revealStart = aws.calls.count('kms:*');
    for (const secret of created) {
      expect(await reveal(core, secret.id)).toBe(`bulk value ${secret.name.slice('bulk-'.length)}`);
    }
    const revealCalls = aws.calls.count('kms:*') - revealStart;
    expect(revealCalls).toBeGreaterThan(0);
    expect(revealCalls * 10).toBeLessThanOrEqual(1000);

    // And in one batch after another lock.
    await lockAndUnlock(core);
    const batchStart = aws.calls.count('kms:*');
    const values = await revealMany(core, created.map((secret) => secret.id));
    expect(values[999]).toBe('bulk value 999');
    expect(aws.calls.count('kms:*') - batchStart).toBeLessThanOrEqual(2);
  }, 240_000); // 1,000 reveals, one request each, on a loaded machine
});

describe('KMS typed errors', () => {
  it('wrong credentials are PROVIDER_AUTH_FAILED, a missing permission names it', async () => {
    const wrongKey = { ...awsConfig(), credentials: { ...aws.credentials, secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYWRONGKEY' } };
    expect((await callError(core, 'managers.add', await addManagerRequest(core, 'AWS wrong key', 'aws-kms', wrongKey))).code).toBe('PROVIDER_AUTH_FAILED');
    const wrong = await addManager(core, 'AWS wrong key', 'aws-kms', wrongKey, false, true);
    const error = await callError(core, 'secrets.create', await createInRequest(core, `wrong-${hex()}`, 'v', wrong.id));
    expect(error.code).toBe('PROVIDER_AUTH_FAILED');
    const { result } = await call(core, 'managers.test', { id: wrong.id });
    expect(result).toMatchObject({ ok: false, facts: { errorCode: 'AUTH_FAILED' } });
    await call(core, 'managers.remove', { id: wrong.id });

    const gcpWrong = await addManager(core, 'GCP wrong token', 'gcp-kms', { ...gcpConfig(), serviceAccount: undefined, accessToken: 'ya29.not-a-token' }, false, true);
    expect((await callError(core, 'secrets.create', await createInRequest(core, `gwrong-${hex()}`, 'v', gcpWrong.id))).code).toBe('PROVIDER_AUTH_FAILED');
    await call(core, 'managers.remove', { id: gcpWrong.id });

    // Encrypt only: secrets can be made, but not read back once the cache is gone.
    const encryptOnly = aws.addUser(['kms:Encrypt']);
    const narrow = await addManager(core, 'AWS encrypt only', 'aws-kms', { ...awsConfig(), credentials: encryptOnly }, false, true);
    const secret = await createIn(core, `narrow-${hex()}`, 'write only', narrow.id);
    await lockAndUnlock(core);
    const denied = await callError(core, 'secrets.reveal', { id: secret.id, recipientPublicKey: await delegateKey(core), purpose: 'reveal' });
    expect(denied.code).toBe('PROVIDER_PERMISSION_DENIED');
    expect(denied.permission).toBe('kms:Decrypt');
    expect(denied.message).not.toContain(encryptOnly.secretAccessKey);
    await call(core, 'secrets.delete', { id: secret.id });
    await call(core, 'managers.remove', { id: narrow.id });
  });

  it('cannot change the key of a KMS manager that holds secrets', async () => {
    const manager = await addManager(core, 'AWS rekey', 'aws-kms', awsConfig());
    const secret = await createIn(core, `rekey-${hex()}`, 'v', manager.id);
    const otherKey = aws.createKey('another');
    const key = await delegateKey(core);
    const error = await callError(core, 'managers.update', {
      id: manager.id,
      sealedConfig: await sealValues(key, sealBindings.managerConfig('AWS rekey'), [JSON.stringify({ ...awsConfig(), keyArn: otherKey })]),
    });
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toMatch(/keyArn/);
    await call(core, 'secrets.delete', { id: secret.id });
    await call(core, 'managers.remove', { id: manager.id });
  });
});

describe('backups with external managers', () => {
  it('decrypt KMS secrets through KMS; keep only references for remote stores', async () => {
    const kms = await addManager(core, 'AWS KMS backup', 'aws-kms', awsConfig());
    const store = await addManager(core, 'Vault backup', 'vault', vaultConfig(vault));
    const inKms = await createIn(core, `backup-kms-${hex()}`, 'kms backed up', kms.id);
    const inVault = await createIn(core, `backup-vault-${hex()}`, 'stays in vault', store.id);
    const local = await createSecret(core, `backup-local-${hex()}`, 'local value');
    // A new session, so the export has to unwrap through KMS.
    await lockAndUnlock(core);
    const key = await delegateKey(core);
    const exported = await call(core, 'backup.export', { sealedPassphrase: await sealValues(key, sealBindings.backupExport(), ['backup passphrase 123']) });
    expect(exported.content).not.toContain('kms backed up');

    // Restored into a fresh store that has neither manager.
    const restoredCore = await startCore(join(dir.path, 'restored'));
    try {
      await createVault(restoredCore);
      const restoreKey = await delegateKey(restoredCore);
      const report = await call(restoredCore, 'backup.restore', {
        sealedPassphrase: await sealValues(restoreKey, sealBindings.backupRestore(), ['backup passphrase 123']),
        content: exported.content,
      });
      expect(report.movedToBuiltIn).toContain(inKms.name);
      expect(report.skipped.map((entry) => entry.name)).toContain(inVault.name);
      expect(report.skipped.find((entry) => entry.name === inVault.name)!.reason).toMatch(/secret store/);
      const { items } = await call(restoredCore, 'secrets.list', { query: 'backup-' });
      const restoredKms = items.find((item) => item.name === inKms.name)!;
      expect(restoredKms.managerId).toBe('local');
      expect(await reveal(restoredCore, restoredKms.id)).toBe('kms backed up');
      expect(await reveal(restoredCore, items.find((item) => item.name === local.name)!.id)).toBe('local value');
    } finally {
      await restoredCore.close();
    }
    for (const id of [inKms.id, inVault.id, local.id]) await call(core, 'secrets.delete', { id });
    await call(core, 'managers.remove', { id: kms.id });
    await call(core, 'managers.remove', { id: store.id });
  });
});
