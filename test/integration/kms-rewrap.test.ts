/**
 * KMS key rotation through the real core and delegate, against the emulators:
 * the key is rotated through the provider's own API, health counts the secrets
 * under each key version, `managers.rewrap` moves every wrapped intermediate
 * key onto the current version (so the old one can be disabled and every
 * secret still reveals), and a re-wrap interrupted by kill -9 of the delegate
 * continues where it stopped.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core.js';
import type { AppEvent, ManagerSummary } from '../../src-shared/contract.js';
import { startAwsEmulator, type AwsEmulator } from '../emulators/aws-emulator.js';
import { startGcpKmsEmulator, type GcpKmsEmulator } from '../emulators/gcp-kms-emulator.js';
import { rotateAwsKey, rotateGcpKey } from '../fixtures/kms-rotation.js';
import { call, callError, createVault, DelegateKiller, queryStore, sealedUnlock, startCore, tempDir } from '../support/core-harness.js';
import { addManager, createIn, createManyIn, lockAndUnlock, revealMany } from './managers-harness.js';

let dir: ReturnType<typeof tempDir>;
let core: AppCore;
let aws: AwsEmulator;
let gcp: GcpKmsEmulator;
const killer = new DelegateKiller(() => core);
const progress: Extract<AppEvent, { type: 'managers.rewrapProgress' }>[] = [];

const query = <T>(sql: string, ...params: unknown[]): T[] => queryStore<T>(join(dir.path, 'store'), sql, ...params);

const versionsOf = (managerId: string) =>
  query<{ kms_key_version: string; n: number }>('SELECT kms_key_version, COUNT(*) AS n FROM intermediate_keys WHERE manager_id = ? GROUP BY kms_key_version ORDER BY n DESC', managerId);

async function managerById(id: string): Promise<ManagerSummary> {
  return (await call(core, 'managers.list', {})).items.find((item) => item.id === id)!;
}

async function everyValueReveals(values: Map<string, string>): Promise<void> {
  const ids = [...values.keys()];
  for (let start = 0; start < ids.length; start += 500) {
    const batch = ids.slice(start, start + 500);
    const revealed = await revealMany(core, batch);
    batch.forEach((id, i) => expect(revealed[i]).toBe(values.get(id)));
  }
}

beforeAll(async () => {
  dir = tempDir();
  [aws, gcp] = await Promise.all([startAwsEmulator(), startGcpKmsEmulator()]);
  core = await startCore(join(dir.path, 'store'), {
    // These tests resume by asking again; key-work-resume.test.ts covers the resume after an unlock.
    resumeKeyWork: false,
    onDelegateTraffic: killer.onDelegateTraffic,
  });
  core.onEvent((event) => {
    if (event.type === 'managers.rewrapProgress') progress.push(event);
  });
  await createVault(core);
});

afterAll(async () => {
  await Promise.allSettled([core?.close()]);
  await Promise.allSettled([aws?.close(), gcp?.close()]);
  dir?.remove();
});

describe('Cloud KMS key rotation', () => {
  const values = new Map<string, string>();
  let managerId: string;
  let first: string;

  it('counts the secrets under each key version in health', async () => {
    const manager = await addManager(core, 'gcp', 'gcp-kms', {
      projectId: gcp.projectId,
      location: gcp.location,
      keyRing: gcp.keyRing,
      keyName: gcp.keyName,
      endpoint: gcp.endpoint,
      serviceAccount: gcp.serviceAccount,
    });
    managerId = manager.id;
    for (let i = 0; i < 12; i++) values.set((await createIn(core, `gcp-rot-${i}`, `gcp value ${i} é`, managerId)).id, `gcp value ${i} é`);
    first = `${gcp.keyResourceName}/cryptoKeyVersions/1`;
    expect((await managerById(managerId)).health.keyVersions).toEqual([{ keyVersion: first, intermediateKeys: 1, secrets: 12, current: true }]);
  });

  it('after a rotation, shows the old version still needed; re-wrap moves every key to the new one', async () => {
    const second = await rotateGcpKey(gcp);
    // The connection test sees new wraps use the new version: the old one is in use but no longer current.
    await call(core, 'managers.test', { id: managerId });
    expect((await managerById(managerId)).health.keyVersions).toEqual([{ keyVersion: first, intermediateKeys: 1, secrets: 12, current: false }]);

    progress.length = 0;
    const report = await call(core, 'managers.rewrap', { id: managerId });
    expect(report).toMatchObject({ keyVersion: second, rewrapped: 1, resumed: false, keyVersions: [{ keyVersion: second, intermediateKeys: 1, secrets: 12, current: true }] });
    expect(progress.filter((event) => event.managerId === managerId).at(-1)).toMatchObject({ done: 1, total: 1 });
    expect(versionsOf(managerId)).toEqual([{ kms_key_version: second, n: 1 }]);

    // The old version can go: with it disabled, a fresh session still reveals everything.
    gcp.setVersionState(first, 'DISABLED');
    await lockAndUnlock(core);
    await everyValueReveals(values);
    const audit = await call(core, 'audit.list', { limit: 10, offset: 0, action: 'manager.rewrap' });
    expect(audit.items.map((entry) => entry.detail)).toContain(`1 intermediate key(s) re-wrapped under ${second}`);
  });

  it('has nothing to do when every key is under the current version', async () => {
    expect(await call(core, 'managers.rewrap', { id: managerId })).toMatchObject({ rewrapped: 0, resumed: false });
  });

  it('refuses a manager without a rotating KMS key', async () => {
    expect((await callError(core, 'managers.rewrap', { id: 'local' })).code).toBe('INVALID_REQUEST');
  });
});

describe('AWS KMS key rotation, interrupted', () => {
  const values = new Map<string, string>();
  let managerId: string;

  it('continues after kill -9 of the delegate between two re-wrapped keys, and every secret reveals throughout', async () => {
    const manager = await addManager(core, 'aws', 'aws-kms', { region: aws.region, endpoint: aws.endpoint, credentials: { ...aws.credentials }, keyArn: aws.keyArn });
    managerId = manager.id;
    // An intermediate key seals at most 1,000 data keys: 1,010 secrets make two, so the re-wrap takes two steps.
    for (const start of [0, 500, 1000]) {
      const batch = Array.from({ length: start === 1000 ? 10 : 500 }, (_, i) => ({ name: `aws-rot-${start + i}`, value: `aws value ${start + i}` }));
      (await createManyIn(core, batch, managerId)).forEach((secret, i) => values.set(secret.id, batch[i]!.value));
    }
    const [before] = versionsOf(managerId);
    expect(before).toMatchObject({ n: 2 });
    expect((await managerById(managerId)).health.keyVersions).toEqual([{ keyVersion: before!.kms_key_version, intermediateKeys: 2, secrets: 1010, current: true }]);

    const current = await rotateAwsKey(aws);
    expect(current).not.toBe(before!.kms_key_version);

    // The first key is re-wrapped and committed; the delegate dies as the second is sent.
    killer.killOn('manager.rewrap', 1);
    const error = await callError(core, 'managers.rewrap', { id: managerId });
    expect(['DELEGATE_UNAVAILABLE', 'LOCKED']).toContain(error.code);
    expect(versionsOf(managerId)).toEqual(expect.arrayContaining([{ kms_key_version: current, n: 1 }, { kms_key_version: before!.kms_key_version, n: 1 }]));

    await call(core, 'vault.unlock', await sealedUnlock(core));
    await everyValueReveals(values);
    const listed = (await managerById(managerId)).health.keyVersions;
    expect(listed.map((use) => [use.keyVersion, use.intermediateKeys])).toEqual(
      expect.arrayContaining([
        [current, 1],
        [before!.kms_key_version, 1],
      ]),
    );
    expect(listed.reduce((sum, use) => sum + use.secrets, 0)).toBe(1010);

    const report = await call(core, 'managers.rewrap', { id: managerId });
    expect(report).toMatchObject({ keyVersion: current, rewrapped: 1, resumed: true, keyVersions: [{ keyVersion: current, intermediateKeys: 2, secrets: 1010, current: true }] });
    await lockAndUnlock(core);
    await everyValueReveals(values);
    expect((await call(core, 'audit.verify', {})).intact).toBe(true);
  }, 300_000); // 1,010 secrets and 1,010 reveals twice, on a loaded machine
});
