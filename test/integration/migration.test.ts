/**
 * Migrations between managers through the real core and delegate, against
 * the emulators: each class of pair (built-in → KMS, KMS → secret store,
 * store → store, store → built-in, a reference), values compared byte for
 * byte afterwards (a file included), every preview failure reason from a real
 * case, throttling that slows the run without failing items, the report and
 * the audit trail.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AppCore } from '../../src-main/core/app-core.js';
import { sealBindings, sealValues, type ChannelRequest, type MigrationRun, type SecretSummary } from '../../src-shared/contract.js';
import { startAwsEmulator, type AwsEmulator } from '../emulators/aws-emulator.js';
import { managerConfig as azureConfig, startAzureKeyVaultEmulator, type AzureKeyVaultEmulator } from '../emulators/azure-key-vault-emulator.js';
import { managerConfig as vaultConfig, startVaultEmulator, type VaultEmulator } from '../emulators/vault-emulator.js';
import { call, callError, createVault, startCore, tempDir } from '../support/core-harness.js';
import { addManager, createIn, delegateKey, revealVersion, updateIn } from './managers-harness.js';

const hex = () => randomBytes(3).toString('hex');

let dir: ReturnType<typeof tempDir>;
let core: AppCore;
let aws: AwsEmulator;
let azure: AzureKeyVaultEmulator;
let vault: VaultEmulator;
const ids: Record<'kms' | 'vault' | 'azure' | 'awssm' | 'vaultReadOnly' | 'vaultScoped' | 'vaultKv1', string> = {
  vaultKv1: '',
  kms: '',
  vault: '',
  azure: '',
  awssm: '',
  vaultReadOnly: '',
  vaultScoped: '',
};

function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new BetterSqlite3(join(dir.path, 'store', 'strongroom.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

const awsSmConfig = (prefix: string) => ({ region: aws.region, endpoint: aws.endpoint, credentials: { ...aws.credentials }, namePrefix: prefix });

beforeAll(async () => {
  dir = tempDir();
  [aws, azure, vault] = await Promise.all([startAwsEmulator(), startAzureKeyVaultEmulator(), startVaultEmulator()]);
  core = await startCore(join(dir.path, 'store'));
  await createVault(core);
  ids.kms = (await addManager(core, 'kms', 'aws-kms', { region: aws.region, endpoint: aws.endpoint, credentials: { ...aws.credentials }, keyArn: aws.keyArn })).id;
  ids.vault = (await addManager(core, 'vault', 'vault', vaultConfig(vault))).id;
  ids.azure = (await addManager(core, 'azure', 'azure-key-vault', azureConfig(azure))).id;
  ids.awssm = (await addManager(core, 'awssm', 'aws-secrets-manager', awsSmConfig('strongroom/'))).id;
  // Their base paths lie outside the emulator token's policy, so their connection tests would refuse them.
  ids.vaultReadOnly = (await addManager(core, 'vault-ro', 'vault', { ...vaultConfig(vault), basePath: 'readonly' }, true, true)).id;
  ids.vaultScoped = (await addManager(core, 'vault-scoped', 'vault', { ...vaultConfig(vault), basePath: 'scoped' }, false, true)).id;
  ids.vaultKv1 = (await addManager(core, 'vault-kv1', 'vault', { ...vaultConfig(vault), engine: { mount: 'kv', version: 1 } })).id;
});

afterAll(async () => {
  await Promise.allSettled([core?.close()]);
  await Promise.allSettled([aws?.close(), azure?.close(), vault?.close()]);
  dir?.remove();
});

async function createFile(name: string, content: Buffer, managerId?: string): Promise<SecretSummary> {
  const sealedValue = await sealValues(await delegateKey(core), sealBindings.secretCreate([name]), [JSON.stringify({ contentBase64: content.toString('base64') })]);
  return call(core, 'secrets.create', { name, type: 'file', metadata: { fileName: `${name}.bin`, size: content.length }, sealedValue, ...(managerId ? { managerId } : {}) });
}

/** Starts a run and waits until it stops. */
async function migrate(request: ChannelRequest<'migration.start'>): Promise<MigrationRun> {
  let run = await call(core, 'migration.start', request);
  while (run.state === 'running' && !run.interrupted) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    run = await call(core, 'migration.status', { runId: run.id });
  }
  return run;
}

async function revealNow(id: string): Promise<string> {
  return revealVersion(core, id);
}

/** Makes `count` text secrets in a manager, each value distinct and binary-looking. */
async function seed(prefix: string, count: number, managerId?: string): Promise<{ secret: SecretSummary; value: string }[]> {
  const out: { secret: SecretSummary; value: string }[] = [];
  for (let i = 0; i < count; i++) {
    const value = `${prefix}-${i}-${randomBytes(24).toString('base64')}\u00e9\u2603`;
    out.push({ secret: await createIn(core, `${prefix}-${i}`, value, managerId), value });
  }
  return out;
}

describe('each class of pair, values compared byte for byte afterwards', () => {
  it('built-in → AWS KMS: the current version moves, history stays readable, a file included', async () => {
    const texts = await seed(`b2k-${hex()}`, 3);
    const updated = await updateIn(core, texts[0]!.secret.id, 'second value of the first');
    expect(updated.version).toBe(2);
    const content = randomBytes(4096);
    const file = await createFile(`b2k-file-${hex()}`, content);
    const run = await migrate({ sourceManagerId: 'local', targetManagerId: ids.kms, secretIds: [...texts.map((t) => t.secret.id), file.id] });
    expect(run).toMatchObject({ state: 'finished', total: 4, done: 4, failed: 0 });
    expect(await revealNow(texts[0]!.secret.id)).toBe('second value of the first');
    expect(await revealVersion(core, texts[0]!.secret.id, 1)).toBe(texts[0]!.value);
    for (const { secret, value } of texts.slice(1)) expect(await revealNow(secret.id)).toBe(value);
    const filePayload = JSON.parse(await revealNow(file.id)) as { contentBase64: string };
    expect(Buffer.from(filePayload.contentBase64, 'base64').equals(content)).toBe(true);
    // The moved versions are KMS envelopes now; the history version is re-encrypted here, addressed to the new manager.
    const rows = query<{ version: number; intermediate_key_id: string | null; manager_id: string }>(
      'SELECT v.version, v.intermediate_key_id, s.manager_id FROM secret_versions v JOIN secrets s ON s.id = v.secret_id WHERE s.id = ? ORDER BY v.version',
      texts[0]!.secret.id,
    );
    expect(rows).toEqual([
      { version: 1, intermediate_key_id: null, manager_id: ids.kms },
      { version: 2, intermediate_key_id: expect.any(String), manager_id: ids.kms },
    ]);
  });

  it('AWS KMS → Vault with every version, in order', async () => {
    const [item] = await seed(`k2v-${hex()}`, 1, ids.kms);
    await updateIn(core, item!.secret.id, 'v2 of k2v');
    await updateIn(core, item!.secret.id, 'v3 of k2v');
    const run = await migrate({ sourceManagerId: ids.kms, targetManagerId: ids.vault, secretIds: [item!.secret.id], allVersions: true });
    expect(run).toMatchObject({ state: 'finished', done: 1, failed: 0 });
    expect([await revealVersion(core, item!.secret.id, 1), await revealVersion(core, item!.secret.id, 2), await revealNow(item!.secret.id)]).toEqual([
      item!.value,
      'v2 of k2v',
      'v3 of k2v',
    ]);
    // Every version lives in Vault now, as successive KV versions.
    const remote = query<{ remote_version: string }>('SELECT remote_version FROM secret_versions WHERE secret_id = ? ORDER BY version', item!.secret.id);
    expect(remote.map((row) => Number(row.remote_version))).toEqual([1, 2, 3]);
  });

  it('Vault → AWS Secrets Manager, deleting the source copy after the switch', async () => {
    const items = await seed(`v2a-${hex()}`, 3, ids.vault);
    const run = await migrate({ sourceManagerId: ids.vault, targetManagerId: ids.awssm, secretIds: items.map((i) => i.secret.id), deleteSource: true });
    expect(run).toMatchObject({ state: 'finished', done: 3, failed: 0 });
    const client = new SecretsManagerClient({ region: aws.region, endpoint: aws.endpoint, credentials: { ...aws.credentials } });
    try {
      for (const { secret, value } of items) {
        expect(await revealNow(secret.id)).toBe(value);
        const direct = await client.send(new GetSecretValueCommand({ SecretId: `strongroom/${secret.name}` }));
        expect(direct.SecretString).toBe(value);
        const gone = await fetch(`${vault.endpoint}/v1/secret/data/strongroom/${secret.name}`, { headers: { 'X-Vault-Token': vault.credentials.rootToken } });
        expect(gone.status).toBe(404);
      }
    } finally {
      client.destroy();
    }
    const report = await call(core, 'migration.report', { runId: run.id });
    expect(report.items.map((item) => item.state)).toEqual(['source_removed', 'source_removed', 'source_removed']);
  });

  it('Azure → Vault', async () => {
    const items = await seed(`a2v-${hex()}`, 2, ids.azure);
    const run = await migrate({ sourceManagerId: ids.azure, targetManagerId: ids.vault, secretIds: items.map((i) => i.secret.id) });
    expect(run).toMatchObject({ state: 'finished', done: 2, failed: 0 });
    for (const { secret, value } of items) expect(await revealNow(secret.id)).toBe(value);
    // Without --delete-source the source copy stays, owned by the run's journal.
    const refs = query<{ source_refs: string }>("SELECT source_refs FROM migration_items WHERE run_id = ? AND state = 'switched'", run.id);
    expect(refs.map((row) => JSON.parse(row.source_refs) as string[]).flat().sort()).toEqual(items.map((i) => i.secret.name).sort());
  });

  it('AWS Secrets Manager → built-in, a file included', async () => {
    const [text] = await seed(`a2b-${hex()}`, 1, ids.awssm);
    const content = randomBytes(2000);
    const file = await createFile(`a2b-file-${hex()}`, content, ids.awssm);
    const run = await migrate({ sourceManagerId: ids.awssm, targetManagerId: 'local', secretIds: [text!.secret.id, file.id] });
    expect(run).toMatchObject({ state: 'finished', done: 2, failed: 0 });
    expect(await revealNow(text!.secret.id)).toBe(text!.value);
    expect(Buffer.from((JSON.parse(await revealNow(file.id)) as { contentBase64: string }).contentBase64, 'base64').equals(content)).toBe(true);
    expect(query('SELECT manager_id, remote_name FROM secrets WHERE id = ?', file.id)).toEqual([{ manager_id: 'local', remote_name: null }]);
  });

  it('a reference: its remote value is copied in and it stops being a reference; the referenced secret is never deleted', async () => {
    const path = `strongroom/shared/db-${hex()}`;
    const value = `referenced-${hex()}`;
    const seeded = await fetch(`${vault.endpoint}/v1/secret/data/${path}`, {
      method: 'POST',
      headers: { 'X-Vault-Token': vault.credentials.rootToken, 'Content-Type': 'application/json' },
      body: JSON.stringify({ data: { password: value } }),
    });
    expect(seeded.ok).toBe(true);
    const reference = await call(core, 'secrets.createReference', { name: `ref-${hex()}`, managerId: ids.vault, reference: `${path}#password` });
    const preview = await call(core, 'migration.preview', { sourceManagerId: ids.vault, targetManagerId: 'local', secretIds: [reference.id] });
    expect(preview.items[0]).toMatchObject({ outcome: 'move', isReference: true });
    const run = await migrate({ sourceManagerId: ids.vault, targetManagerId: 'local', secretIds: [reference.id], deleteSource: true });
    expect(run).toMatchObject({ state: 'finished', done: 1, failed: 0 });
    expect(await revealNow(reference.id)).toBe(value);
    expect((await call(core, 'secrets.get', { id: reference.id })).reference).toBeNull();
    const still = await fetch(`${vault.endpoint}/v1/secret/data/${path}`, { headers: { 'X-Vault-Token': vault.credentials.rootToken } });
    expect(((await still.json()) as { data: { data: { password: string } } }).data.data.password).toBe(value);
  });
});

describe('keeping references (keepReferences)', () => {
  async function seedVaultReference(): Promise<{ path: string; value: string; reference: SecretSummary }> {
    const path = `strongroom/shared/kept-${hex()}`;
    const value = `referenced-${hex()}`;
    const seeded = await fetch(`${vault.endpoint}/v1/secret/data/${path}`, {
      method: 'POST',
      headers: { 'X-Vault-Token': vault.credentials.rootToken, 'Content-Type': 'application/json' },
      body: JSON.stringify({ data: { password: value } }),
    });
    expect(seeded.ok).toBe(true);
    const reference = await call(core, 'secrets.createReference', { name: `kept-ref-${hex()}`, managerId: ids.vault, reference: `${path}#password` });
    return { path, value, reference };
  }

  it('a reference into a Vault the target also addresses stays a reference: the run re-points its manager and writes nothing remote', async () => {
    // Same kind, same url, namespace and KV engine (the identity fields); another base path for what it writes.
    const sameVault = await addManager(core, `vault-team-${hex()}`, 'vault', { ...vaultConfig(vault), basePath: 'strongroom/team' });
    const { path, value, reference } = await seedVaultReference();
    const copied = await createIn(core, `kept-copy-${hex()}`, 'copied value', ids.vault);

    const asked = await call(core, 'migration.preview', { sourceManagerId: ids.vault, targetManagerId: sameVault.id, secretIds: [reference.id], keepReferences: false });
    expect(asked.items[0]!.reference).toMatchObject({ kept: false });
    expect(asked.items[0]!.reference!.why).toContain('could stay a reference');

    const preview = await call(core, 'migration.preview', { sourceManagerId: ids.vault, targetManagerId: sameVault.id, secretIds: [reference.id, copied.id], keepReferences: true });
    const byId = new Map(preview.items.map((item) => [item.secretId, item]));
    expect(byId.get(reference.id)).toMatchObject({ outcome: 'move', targetName: null, isReference: true, reference: { kept: true } });
    expect(byId.get(reference.id)!.reference!.why).toMatch(/^Stays a reference \(target reaches the same remote\): .*the same url, namespace, engine/);
    expect(byId.get(copied.id)).toMatchObject({ outcome: 'move', reference: null });

    const writesBefore = vault.calls['kv-write'] ?? 0;
    const deletesBefore = vault.calls['kv-delete'] ?? 0;
    const run = await migrate({ sourceManagerId: ids.vault, targetManagerId: sameVault.id, secretIds: [reference.id], keepReferences: true, deleteSource: true });
    expect(run).toMatchObject({ state: 'finished', done: 1, failed: 0 });
    // No remote write, and the referenced secret is never deleted, even with deleteSource.
    expect(vault.calls['kv-write'] ?? 0).toBe(writesBefore);
    expect(vault.calls['kv-delete'] ?? 0).toBe(deletesBefore);
    const after = await call(core, 'secrets.get', { id: reference.id });
    expect(after).toMatchObject({ managerId: sameVault.id, reference: `${path}#password` });
    expect(await revealNow(reference.id)).toBe(value);
    expect(query('SELECT keeps_reference, state, detail FROM migration_items WHERE run_id = ?', run.id)).toEqual([
      { keeps_reference: 1, state: 'source_removed', detail: 'no copy outside this store' },
    ]);
    const audit = await call(core, 'audit.list', { limit: 500 });
    const moved = audit.items.find((entry) => entry.action === 'secret.migrate' && entry.target === reference.name);
    expect(moved?.detail).toContain(`still a reference to ${path}#password`);
    const still = await fetch(`${vault.endpoint}/v1/secret/data/${path}`, { headers: { 'X-Vault-Token': vault.credentials.rootToken } });
    expect(((await still.json()) as { data: { data: { password: string } } }).data.data.password).toBe(value);
  });

  it('a reference the target cannot reach (another kind of store) is copied in, and the preview says why', async () => {
    const { value, reference } = await seedVaultReference();
    const preview = await call(core, 'migration.preview', { sourceManagerId: ids.vault, targetManagerId: ids.awssm, secretIds: [reference.id], keepReferences: true });
    expect(preview.items[0]).toMatchObject({ outcome: 'move', isReference: true, reference: { kept: false } });
    expect(preview.items[0]!.reference!.why).toMatch(/cannot reach the same remote: "awssm" \(AWS Secrets Manager\) is another kind of store than the reference's \(HashiCorp Vault\)\..*copied in/);
    const run = await migrate({ sourceManagerId: ids.vault, targetManagerId: ids.awssm, secretIds: [reference.id], keepReferences: true });
    expect(run).toMatchObject({ state: 'finished', done: 1, failed: 0 });
    expect(await call(core, 'secrets.get', { id: reference.id })).toMatchObject({ managerId: ids.awssm, reference: null });
    expect(await revealNow(reference.id)).toBe(value);
    expect(query('SELECT keeps_reference FROM migration_items WHERE run_id = ?', run.id)).toEqual([{ keeps_reference: 0 }]);
  });

  it('a reference whose target credentials cannot read it is copied in: the target is asked before it is kept', async () => {
    // Same identity, but a token the emulator refuses: the target cannot read what the reference names. Read-only,
    // so the copy it falls back to is refused before any probe of its names (which that token could not make either).
    const blind = await addManager(core, `vault-blind-${hex()}`, 'vault', { ...vaultConfig(vault), auth: { method: 'token', token: 'not-a-token' } }, true, true);
    const { reference } = await seedVaultReference();
    const preview = await call(core, 'migration.preview', { sourceManagerId: ids.vault, targetManagerId: blind.id, secretIds: [reference.id], keepReferences: true });
    expect(preview.items[0]).toMatchObject({ outcome: 'fail', reason: 'target-read-only', reference: { kept: false } });
    expect(preview.items[0]!.reference!.why).toMatch(/could not read .*PROVIDER_AUTH_FAILED|could not read .*token/);
  });
});

describe('preview: every reason, from a real case, before anything changes', () => {
  it('classifies move, rename, and each failure; nothing is written', async () => {
    const tag = hex();
    const fits = await createIn(core, `fits-${tag}`, 'fits');
    const underscored = await createIn(core, `with_underscore_${tag}`, 'renamed in azure');
    const oversized = await createIn(core, `big-${tag}`, 'x'.repeat(30_000));
    const clashA = await createIn(core, `clash_${tag}`, 'a');
    const clashB = await createIn(core, `clash-${tag}`, 'b');
    const taken = await createIn(core, `taken-${tag}`, 'mine');
    azure.seedSecret(`taken-${tag}`, 'an admin wrote this outside Strongroom');
    const edited = await createIn(core, `edited-${tag}`, 'edited');
    const writesBefore = azure.calls.setSecret ?? 0;

    const preview = await call(core, 'migration.preview', {
      sourceManagerId: 'local',
      targetManagerId: ids.azure,
      secretIds: [fits.id, underscored.id, oversized.id, clashA.id, clashB.id, taken.id, edited.id],
      renames: { [edited.id]: 'has/slash' },
    });
    const byId = new Map(preview.items.map((item) => [item.secretId, item]));
    expect(byId.get(fits.id)).toMatchObject({ outcome: 'move', targetName: `fits-${tag}` });
    expect(byId.get(underscored.id)).toMatchObject({ outcome: 'rename', targetName: `with-underscore-${tag}` });
    expect(byId.get(oversized.id)).toMatchObject({ outcome: 'fail', reason: 'too-large', sizeBytes: 30_000 });
    expect(byId.get(clashA.id)).toMatchObject({ outcome: 'fail', reason: 'name-clash' });
    expect(byId.get(clashB.id)).toMatchObject({ outcome: 'fail', reason: 'name-clash' });
    expect(byId.get(taken.id)).toMatchObject({ outcome: 'fail', reason: 'name-taken' });
    expect(byId.get(edited.id)).toMatchObject({ outcome: 'fail', reason: 'name-invalid', targetName: 'has/slash' });
    expect(preview.counts).toEqual({ move: 1, rename: 1, fail: 5 });
    // A preview changes nothing, here or there.
    expect((await call(core, 'secrets.get', { id: fits.id })).managerId).toBe('local');
    expect(azure.calls.setSecret ?? 0).toBe(writesBefore);
  });

  it('a read-only target, a scope that does not fit, versions the target cannot keep', async () => {
    const tag = hex();
    const plain = await createIn(core, `plain-${tag}`, 'plain');
    const versioned = await createIn(core, `versioned-${tag}`, 'one');
    await updateIn(core, versioned.id, 'two');
    const readOnly = await call(core, 'migration.preview', { sourceManagerId: 'local', targetManagerId: ids.vaultReadOnly, secretIds: [plain.id] });
    expect(readOnly.items[0]).toMatchObject({ outcome: 'fail', reason: 'target-read-only' });

    const app = await call(core, 'apps.create', { name: `billing-${tag}` });
    const env = await call(core, 'envs.create', { applicationId: app.id, name: 'prod', type: 'production' });
    await call(core, 'managers.setScope', { id: ids.vaultScoped, scope: { scoped: true, scopeToAccount: false, entries: [{ applicationId: app.id, environmentId: env.id, environmentType: null }] } });
    const scoped = await call(core, 'migration.preview', { sourceManagerId: 'local', targetManagerId: ids.vaultScoped, secretIds: [plain.id] });
    expect(scoped.items[0]).toMatchObject({ outcome: 'fail', reason: 'scope-outside-target' });

    // Vault KV v1 keeps one value per path (its kind's keepsVersions, from the engine in its configuration).
    const versions = await call(core, 'migration.preview', { sourceManagerId: 'local', targetManagerId: ids.vaultKv1, secretIds: [versioned.id], allVersions: true });
    expect(versions.items[0]).toMatchObject({ outcome: 'fail', reason: 'versions-not-kept', versions: 2 });
    // The current version alone moves.
    const current = await call(core, 'migration.preview', { sourceManagerId: 'local', targetManagerId: ids.vaultKv1, secretIds: [versioned.id] });
    expect(current.items[0]).toMatchObject({ outcome: 'move' });
  });

  it('AWS Secrets Manager keeps versions: every version moves there, in order, each readable by its version id', async () => {
    const tag = hex();
    const versioned = await createIn(core, `awsv-${tag}`, 'first of awsv');
    await updateIn(core, versioned.id, 'second of awsv');
    const preview = await call(core, 'migration.preview', { sourceManagerId: 'local', targetManagerId: ids.awssm, secretIds: [versioned.id], allVersions: true });
    expect(preview.items[0]).toMatchObject({ outcome: 'move', versions: 2 });
    const run = await migrate({ sourceManagerId: 'local', targetManagerId: ids.awssm, secretIds: [versioned.id], allVersions: true });
    expect(run).toMatchObject({ state: 'finished', done: 1, failed: 0 });
    expect([await revealVersion(core, versioned.id, 1), await revealNow(versioned.id)]).toEqual(['first of awsv', 'second of awsv']);
    const remote = query<{ remote_version: string | null }>('SELECT remote_version FROM secret_versions WHERE secret_id = ? ORDER BY version', versioned.id);
    expect(remote.every((row) => row.remote_version !== null)).toBe(true);
    expect(new Set(remote.map((row) => row.remote_version)).size).toBe(2);
  });

  it('a run records refused items as failed with their reason, moves the rest, and exits with failures in the report', async () => {
    const tag = hex();
    const ok = await createIn(core, `run-ok_${tag}`, 'moves renamed');
    const big = await createIn(core, `run-big-${tag}`, 'y'.repeat(26_000));
    const run = await migrate({ sourceManagerId: 'local', targetManagerId: ids.azure, secretIds: [ok.id, big.id] });
    expect(run).toMatchObject({ state: 'finished', total: 2, done: 1, failed: 1 });
    const report = await call(core, 'migration.report', { runId: run.id });
    expect(report.items.find((item) => item.secretId === ok.id)).toMatchObject({ outcome: 'renamed', targetName: `run-ok-${tag}` });
    expect(report.items.find((item) => item.secretId === big.id)).toMatchObject({ outcome: 'failed', reason: 'too-large' });
    expect(await revealNow(ok.id)).toBe('moves renamed');
    expect(await revealNow(big.id)).toBe('y'.repeat(26_000));
    // Every move is in the audit trail, sealed.
    const audit = await call(core, 'audit.list', { limit: 500 });
    const moved = audit.items.find((entry) => entry.action === 'secret.migrate' && entry.target === ok.name);
    expect(moved?.detail).toContain(`as "run-ok-${tag}"`);
    expect(moved?.sealed).toBe(true);
    expect((await call(core, 'audit.verify', {})).intact).toBe(true);
  });

  it('a name taken after the preview: the run probes it right before its create, fails it as name-taken and writes nothing there', async () => {
    const tag = hex();
    const free = await createIn(core, `probe-free-${tag}`, 'moves');
    const taken = await createIn(core, `probe-taken-${tag}`, 'mine');
    const request = { sourceManagerId: 'local', targetManagerId: ids.awssm, secretIds: [free.id, taken.id] };
    expect((await call(core, 'migration.preview', request)).counts).toEqual({ move: 2, rename: 0, fail: 0 });
    const admin = new SecretsManagerClient({ region: aws.region, endpoint: aws.endpoint, credentials: { ...aws.credentials } });
    try {
      await admin.send(new CreateSecretCommand({ Name: `strongroom/probe-taken-${tag}`, SecretString: 'an admin wrote this after the preview' }));
      const creates = aws.calls.count('secretsmanager:CreateSecret');
      const run = await migrate(request);
      expect(run).toMatchObject({ state: 'finished', total: 2, done: 1, failed: 1 });
      const report = await call(core, 'migration.report', { runId: run.id });
      expect(report.items.find((item) => item.secretId === taken.id)).toMatchObject({ outcome: 'failed', reason: 'name-taken' });
      // The probe found the name taken: only the free name's create reached the store.
      expect(aws.calls.count('secretsmanager:CreateSecret') - creates).toBe(1);
      const there = await admin.send(new DescribeSecretCommand({ SecretId: `strongroom/probe-taken-${tag}` }));
      expect(Object.keys(there.VersionIdsToStages ?? {})).toHaveLength(1);
      expect((await admin.send(new GetSecretValueCommand({ SecretId: `strongroom/probe-taken-${tag}` }))).SecretString).toBe('an admin wrote this after the preview');
    } finally {
      admin.destroy();
    }
    expect((await call(core, 'secrets.get', { id: taken.id })).managerId).toBe('local');
    expect(await revealNow(taken.id)).toBe('mine');
    expect(await revealNow(free.id)).toBe('moves');
    // The pending create journaled ahead for the taken name owns nothing and is gone.
    expect(query('SELECT state FROM remote_writes WHERE secret_id = ?', taken.id)).toEqual([]);
  });

  it('selects by the list filter, together with named secrets', async () => {
    const tag = hex();
    const matching = await seed(`flt${tag}-match`, 3);
    const other = await seed(`flt${tag}-other`, 2);
    const preview = await call(core, 'migration.preview', { sourceManagerId: 'local', targetManagerId: ids.vault, filter: { query: `flt${tag}-match` } });
    expect(preview.items.map((item) => item.secretId).sort()).toEqual(matching.map((item) => item.secret.id).sort());
    const both = await call(core, 'migration.preview', {
      sourceManagerId: 'local',
      targetManagerId: ids.vault,
      filter: { query: `flt${tag}-match`, types: ['text'] },
      secretIds: [other[0]!.secret.id],
    });
    expect(both.items.map((item) => item.secretId).sort()).toEqual([...matching, other[0]!].map((item) => item.secret.id).sort());
    const none = await call(core, 'migration.preview', { sourceManagerId: 'local', targetManagerId: ids.vault, filter: { query: `flt${tag}-match`, types: ['file'] } });
    expect(none.items).toEqual([]);
  });

  it('refuses the same manager as source and target, and an unknown secret', async () => {
    expect((await callError(core, 'migration.preview', { sourceManagerId: 'local', targetManagerId: 'local' })).code).toBe('INVALID_REQUEST');
    expect((await callError(core, 'migration.preview', { sourceManagerId: 'local', targetManagerId: ids.vault, names: ['no-such-secret'] })).code).toBe('NOT_FOUND');
  });
});

describe('concurrency C: provider requests in flight at once per manager', () => {
  it('a run with C = 2 never has more than 2 requests in flight at its target, and fills both slots', async () => {
    const secrets = await seed(`conc-${hex()}`, 12);
    aws.setFaults({ latencyMs: 25 });
    aws.calls.resetMostInFlight();
    try {
      const run = await migrate({ sourceManagerId: 'local', targetManagerId: ids.awssm, secretIds: secrets.map((s) => s.secret.id), concurrency: 2 });
      expect(run).toMatchObject({ state: 'finished', total: 12, done: 12, failed: 0 });
    } finally {
      aws.setFaults({});
    }
    // Main works on 4 secrets at once (each a probe, a write and a read back here), the delegate lets 2 calls through.
    expect(aws.calls.mostInFlight('secretsmanager')).toBe(2);
    for (const { secret, value } of secrets) expect(await revealNow(secret.id)).toBe(value);
  });
});

describe('throttling slows the run down; no item fails', () => {
  it("each manager's migration rate: its kind's published quota, a stored setting that replaces it", async () => {
    const rates = await call(core, 'migration.rates', {});
    expect(rates.items.find((item) => item.managerId === ids.awssm)).toMatchObject({ published: { readsPerSecond: 10_000, writesPerSecond: 50 }, ratePerSecond: null });
    expect(rates.items.find((item) => item.managerId === ids.vault)).toMatchObject({ published: null, ratePerSecond: null });
    const stored = await call(core, 'migration.setRate', { managerId: ids.awssm, ratePerSecond: 20 });
    expect(stored.items.find((item) => item.managerId === ids.awssm)).toMatchObject({ ratePerSecond: 20 });
    // A run under the stored rate still moves everything.
    const items = await seed(`rated-${hex()}`, 3);
    const run = await migrate({ sourceManagerId: 'local', targetManagerId: ids.awssm, secretIds: items.map((item) => item.secret.id) });
    expect(run).toMatchObject({ state: 'finished', done: 3, failed: 0 });
    for (const { secret, value } of items) expect(await revealNow(secret.id)).toBe(value);
    const cleared = await call(core, 'migration.setRate', { managerId: ids.awssm, ratePerSecond: null });
    expect(cleared.items.find((item) => item.managerId === ids.awssm)).toMatchObject({ ratePerSecond: null });
    expect((await callError(core, 'migration.setRate', { managerId: ids.awssm, ratePerSecond: -1 })).code).toBe('INVALID_REQUEST');
  });

  it('every 3rd request to the target throttled', async () => {
    const items = await seed(`thr-${hex()}`, 24);
    aws.setFaults({ throttle: { every: 3 }, operations: ['secretsmanager:CreateSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'] });
    try {
      const run = await migrate({ sourceManagerId: 'local', targetManagerId: ids.awssm, secretIds: items.map((i) => i.secret.id), concurrency: 8 });
      expect(run).toMatchObject({ state: 'finished', done: 24, failed: 0 });
    } finally {
      aws.setFaults({});
    }
    for (const { secret, value } of items) expect(await revealNow(secret.id)).toBe(value);
  });

  it('a burst of throttling longer than the provider retries: the bucket slows and the items go through', async () => {
    const items = await seed(`burst-${hex()}`, 10);
    aws.setFaults({ throttle: { next: 12 }, operations: ['secretsmanager:CreateSecret'] });
    try {
      const run = await migrate({ sourceManagerId: 'local', targetManagerId: ids.awssm, secretIds: items.map((i) => i.secret.id), concurrency: 4 });
      expect(run).toMatchObject({ state: 'finished', done: 10, failed: 0 });
    } finally {
      aws.setFaults({});
    }
    for (const { secret, value } of items) expect(await revealNow(secret.id)).toBe(value);
  });
});

describe('safety', () => {
  it('an update that lands during the run moves with the secret', async () => {
    const [item] = await seed(`upd-${hex()}`, 1);
    const started = call(core, 'migration.start', { sourceManagerId: 'local', targetManagerId: ids.vault, secretIds: [item!.secret.id] });
    await updateIn(core, item!.secret.id, 'updated while moving').catch(() => undefined);
    let run = await started;
    while (run.state === 'running' && !run.interrupted) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      run = await call(core, 'migration.status', { runId: run.id });
    }
    expect(run).toMatchObject({ state: 'finished', failed: 0 });
    const summary = await call(core, 'secrets.get', { id: item!.secret.id });
    // Either the update landed before the copy (and moved with it), or it was refused and the value is unchanged: never lost silently.
    const value = await revealNow(item!.secret.id);
    expect(summary.managerId).toBe(ids.vault);
    expect([item!.value, 'updated while moving']).toContain(value);
    if (summary.version === 2) expect(value).toBe('updated while moving');
  });

  it('a secret in an unfinished run cannot be planned by a second one', async () => {
    const [item] = await seed(`busy-${hex()}`, 1);
    const db = new BetterSqlite3(join(dir.path, 'store', 'strongroom.db'));
    try {
      db.prepare(
        "INSERT INTO migration_runs (id, source_manager_id, target_manager_id, all_versions, delete_source, concurrency, state, actor, created_at, updated_at) VALUES ('00000000-0000-4000-8000-000000000001', 'local', ?, 0, 0, 1, 'paused', 'test', 'now', 'now')",
      ).run(ids.vault);
      db.prepare(
        "INSERT INTO migration_items (run_id, seq, secret_id, secret_name, state, updated_at) VALUES ('00000000-0000-4000-8000-000000000001', 0, ?, ?, 'planned', 'now')",
      ).run(item!.secret.id, item!.secret.name);
    } finally {
      db.close();
    }
    const preview = await call(core, 'migration.preview', { sourceManagerId: 'local', targetManagerId: ids.vault, secretIds: [item!.secret.id] });
    expect(preview.items[0]).toMatchObject({ outcome: 'fail', reason: 'in-another-run' });
    const cancelled = await call(core, 'migration.cancel', { runId: '00000000-0000-4000-8000-000000000001' });
    expect(cancelled).toMatchObject({ state: 'cancelled', cancelled: 1 });
    expect(await revealNow(item!.secret.id)).toBe(item!.value);
  });
});
