/**
 * Master key rotation through the real core and delegate: a new keyring
 * version, every keyring-wrapped data key, every manager configuration and
 * the audit key re-wrapped under it, the old version dropped once nothing
 * names it; a wrong passphrase changes nothing; a rotation interrupted by
 * kill -9 of the delegate continues where it stopped.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core.js';
import { sealBindings, sealValues, type AppEvent } from '../../src-shared/contract.js';
import { startAwsEmulator, type AwsEmulator } from '../emulators/aws-emulator.js';
import { managerConfig as vaultConfig, startVaultEmulator, type VaultEmulator } from '../emulators/vault-emulator.js';
import { PASSPHRASE, call, callError, createVault, DelegateKiller, queryStore, sealedUnlock, startCore, tempDir } from '../support/core-harness.js';
import { addManager, createIn, createManyIn, delegateKey, lockAndUnlock, revealMany, revealVersion, updateIn } from './managers-harness.js';

let dir: ReturnType<typeof tempDir>;
let core: AppCore;
let aws: AwsEmulator;
let vault: VaultEmulator;
const killer = new DelegateKiller(() => core);
const values = new Map<string, string>();
const progress: Extract<AppEvent, { type: 'keyring.rotateProgress' }>[] = [];

const query = <T>(sql: string, ...params: unknown[]): T[] => queryStore<T>(join(dir.path, 'store'), sql, ...params);

const sealedRotate = async (passphrase = PASSPHRASE) => ({ sealedPassphrase: await sealValues(await delegateKey(core), sealBindings.keyringRotate(), [passphrase]) });

beforeAll(async () => {
  dir = tempDir();
  [aws, vault] = await Promise.all([startAwsEmulator(), startVaultEmulator()]);
  core = await startCore(join(dir.path, 'store'), {
    // These tests resume by asking again; key-work-resume.test.ts covers the resume after an unlock.
    resumeKeyWork: false,
    onDelegateTraffic: killer.onDelegateTraffic,
  });
  core.onEvent((event) => {
    if (event.type === 'keyring.rotateProgress') progress.push(event);
  });
  await createVault(core);
  const kms = await addManager(core, 'kms', 'aws-kms', { region: aws.region, endpoint: aws.endpoint, credentials: { ...aws.credentials }, keyArn: aws.keyArn });
  const store = await addManager(core, 'vault', 'vault', vaultConfig(vault));
  // More than one re-wrap batch (1,000), so an interruption can land between batches.
  for (const start of [0, 1000]) {
    const batch = Array.from({ length: start === 0 ? 1000 : 500 }, (_, i) => ({ name: `rot-${start + i}`, value: `value ${start + i} \u00e9` }));
    (await createManyIn(core, batch)).forEach((secret, i) => values.set(secret.id, batch[i]!.value));
  }
  const versioned = await createIn(core, 'rot-versioned', 'first');
  await updateIn(core, versioned.id, 'second');
  values.set(versioned.id, 'second');
  values.set((await createIn(core, 'rot-kms', 'in kms', kms.id)).id, 'in kms');
  values.set((await createIn(core, 'rot-vault', 'in vault', store.id)).id, 'in vault');
});

afterAll(async () => {
  await Promise.allSettled([core?.close()]);
  await Promise.allSettled([aws?.close(), vault?.close()]);
  dir?.remove();
});

async function everyValueReveals(): Promise<void> {
  const ids = [...values.keys()];
  for (let start = 0; start < ids.length; start += 500) {
    const batch = ids.slice(start, start + 500);
    const revealed = await revealMany(core, batch);
    batch.forEach((id, i) => expect(revealed[i]).toBe(values.get(id)));
  }
  const versioned = [...values.entries()].find(([, value]) => value === 'second')![0];
  expect(await revealVersion(core, versioned, 1)).toBe('first');
}

describe('keyring rotate', () => {
  it('refuses a wrong passphrase and changes nothing', async () => {
    const error = await callError(core, 'keyring.rotate', await sealedRotate('not the passphrase at all'));
    expect(error.code).toBe('WRONG_PASSPHRASE');
    expect(query('SELECT version FROM keyring')).toEqual([{ version: 1 }]);
  });

  it('re-wraps everything under version 2 and drops version 1', async () => {
    progress.length = 0;
    const report = await call(core, 'keyring.rotate', await sealedRotate());
    expect(report).toMatchObject({ version: 2, dataKeys: 1502, configs: 2, dropped: [1], resumed: false });
    // Progress from nothing to every data key and configuration, a step per committed batch, counting up.
    expect(progress[0]).toEqual({ type: 'keyring.rotateProgress', phase: 'data-keys', done: 0, total: 1504 });
    expect(progress.map((event) => event.done)).toEqual([0, 1000, 1502, 1504, 1504]);
    expect(progress.map((event) => event.phase)).toEqual(['data-keys', 'data-keys', 'data-keys', 'configs', 'done']);
    expect(query('SELECT version FROM keyring')).toEqual([{ version: 2 }]);
    expect(query('SELECT DISTINCT keyring_version FROM secret_versions')).toEqual([{ keyring_version: 2 }]);
    expect(query('SELECT DISTINCT config_keyring_version AS v FROM managers WHERE config_ciphertext IS NOT NULL')).toEqual([{ v: 2 }]);
    expect((JSON.parse(query<{ value: string }>("SELECT value FROM meta WHERE key = 'keyring.auditKey'")[0]!.value) as { keyringVersion: number }).keyringVersion).toBe(2);
    await everyValueReveals();
    // A fresh unlock opens only version 2: the configurations open the providers, the audit key verifies the trail.
    await lockAndUnlock(core);
    await everyValueReveals();
    expect((await call(core, 'audit.verify', {})).intact).toBe(true);
  });

  it('continues after kill -9 of the delegate in the middle of re-wrapping', async () => {
    // The first batch of data keys is re-wrapped; the delegate dies as the second is sent.
    killer.killOn('keyring.rewrap', 1);
    const error = await callError(core, 'keyring.rotate', await sealedRotate());
    expect(['DELEGATE_UNAVAILABLE', 'LOCKED']).toContain(error.code);
    expect(query('SELECT version FROM keyring ORDER BY version')).toEqual([{ version: 2 }, { version: 3 }]);
    expect(query('SELECT keyring_version AS v, COUNT(*) AS n FROM secret_versions GROUP BY keyring_version ORDER BY v')).toEqual([
      { v: 2, n: 504 },
      { v: 3, n: 1000 },
    ]);
    await call(core, 'vault.unlock', await sealedUnlock(core));
    await everyValueReveals();
    const report = await call(core, 'keyring.rotate', await sealedRotate());
    expect(report).toMatchObject({ version: 3, resumed: true, dropped: [2] });
    expect(query('SELECT version FROM keyring')).toEqual([{ version: 3 }]);
    await lockAndUnlock(core);
    await everyValueReveals();
    expect((await call(core, 'audit.verify', {})).intact).toBe(true);
  });
});
