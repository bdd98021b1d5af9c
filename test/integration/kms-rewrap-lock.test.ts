/**
 * A KMS re-wrap stops at the next key when the store locks (kms-rewrap.ts),
 * through the real core and delegate against the AWS emulator: the store is
 * locked the moment the delegate answers the first key's re-wrap, so that key
 * is committed, no further key is sent, the run is kept as waiting with its
 * journal row, and the unlock after finishes it by itself. Every secret
 * reveals afterwards.
 */
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core.js';
import type { AppEvent, IpcResult } from '../../src-shared/contract.js';
import { startAwsEmulator, type AwsEmulator } from '../emulators/aws-emulator.js';
import { rotateAwsKey } from '../fixtures/kms-rotation.js';
import { call, callError, createVault, sealedUnlock, startCore, tempDir } from '../support/core-harness.js';
import { addManager, createManyIn, revealMany } from './managers-harness.js';

type Resumed = Extract<AppEvent, { type: 'keys.resumed' }>;

describe('a KMS re-wrap the store locks during', () => {
  let dir: ReturnType<typeof tempDir>;
  let core: AppCore;
  let aws: AwsEmulator;
  let managerId: string;
  const values = new Map<string, string>();
  /** Set to arm the lock: the store locks as the delegate answers the first `manager.rewrap` sent after. */
  let lockOnAnswer = false;
  let rewrapRequestId: unknown = null;
  let locking: Promise<IpcResult<'vault.lock'>> | null = null;
  /** `manager.rewrap` requests sent after the lock began. */
  let sentAfterLock = 0;
  const announced: Resumed[] = [];

  const versionsOf = () => {
    const db = new BetterSqlite3(join(dir.path, 'store', 'strongroom.db'), { readonly: true, timeout: 5000 });
    try {
      return db.prepare('SELECT kms_key_version AS version, COUNT(*) AS n FROM intermediate_keys WHERE manager_id = ? GROUP BY kms_key_version ORDER BY version').all(managerId);
    } finally {
      db.close();
    }
  };
  const journalRow = () => {
    const db = new BetterSqlite3(join(dir.path, 'store', 'strongroom.db'), { readonly: true, timeout: 5000 });
    try {
      return db.prepare('SELECT key FROM meta WHERE key = ?').all(`kms.rewrap.${managerId}`);
    } finally {
      db.close();
    }
  };
  const rewrapStatus = async () => (await call(core, 'keys.status', {})).items.filter((item) => item.work === 'managers.rewrap' && item.managerId === managerId);

  beforeAll(async () => {
    dir = tempDir();
    aws = await startAwsEmulator();
    core = await startCore(join(dir.path, 'store'), {
      onDelegateTraffic: (direction, message) => {
        const envelope = message as { id?: unknown; request?: { op?: string } };
        if (direction === 'to-delegate' && envelope.request?.op === 'manager.rewrap') {
          if (locking) sentAfterLock++;
          if (lockOnAnswer) {
            lockOnAnswer = false;
            rewrapRequestId = envelope.id;
          }
        }
        // Locked as the answer arrives, before main commits it: the lock begins between two keys.
        if (direction === 'from-delegate' && rewrapRequestId !== null && envelope.id === rewrapRequestId) {
          rewrapRequestId = null;
          locking = core.handle('vault.lock', {}) as Promise<IpcResult<'vault.lock'>>;
        }
      },
    });
    core.onEvent((event) => {
      if (event.type === 'keys.resumed') announced.push(event);
    });
    await createVault(core);
    managerId = (await addManager(core, 'aws', 'aws-kms', { region: aws.region, endpoint: aws.endpoint, credentials: { ...aws.credentials }, keyArn: aws.keyArn })).id;
    // An intermediate key seals at most 1,000 data keys: 1,010 secrets make two, so the lock can land between them.
    for (const start of [0, 500, 1000]) {
      const batch = Array.from({ length: start === 1000 ? 10 : 500 }, (_, i) => ({ name: `aws-lock-${start + i}`, value: `aws value ${start + i} \u00e9` }));
      (await createManyIn(core, batch, managerId)).forEach((secret, i) => values.set(secret.id, batch[i]!.value));
    }
  }, 300_000);

  afterAll(async () => {
    await Promise.allSettled([core?.close()]);
    await Promise.allSettled([aws?.close()]);
    dir?.remove();
  });

  it('stops at the next key, waits with its journal row, and finishes by itself at the next unlock; every secret reveals', async () => {
    const [before] = versionsOf() as { version: string; n: number }[];
    expect(before).toMatchObject({ n: 2 });
    const current = await rotateAwsKey(aws);

    lockOnAnswer = true;
    expect((await callError(core, 'managers.rewrap', { id: managerId })).code).toBe('LOCKED');
    expect(locking, 'the lock began during the re-wrap').not.toBeNull();
    expect((await locking!).ok).toBe(true);
    // The answered key was committed; the other was never sent.
    expect(sentAfterLock).toBe(0);
    expect(versionsOf()).toEqual(
      [
        { version: current, n: 1 },
        { version: before!.version, n: 1 },
      ].sort((a, b) => a.version.localeCompare(b.version)),
    );
    expect(journalRow()).toHaveLength(1);
    expect(await rewrapStatus()).toEqual([
      expect.objectContaining({ state: 'waiting', managerName: 'aws', message: expect.stringMatching(/^The store locked while the re-wrap of "aws" ran; it will finish at the next unlock/) }),
    ]);

    announced.length = 0;
    const finished = new Promise<Resumed>((resolve) => {
      const stop = core.onEvent((event) => {
        if (event.type === 'keys.resumed' && event.work === 'managers.rewrap' && event.state !== 'started') {
          stop();
          resolve(event);
        }
      });
    });
    await call(core, 'vault.unlock', await sealedUnlock(core));
    expect(await finished).toMatchObject({ state: 'finished', managerId, message: `Finished the interrupted re-wrap of "aws": 1 wrapped key(s) now under ${current}.` });
    expect(announced.map((event) => event.state)).toEqual(['started', 'finished']);
    expect(versionsOf()).toEqual([{ version: current, n: 2 }]);
    expect(journalRow()).toEqual([]);
    expect(await rewrapStatus()).toEqual([expect.objectContaining({ state: 'finished', resumed: true })]);

    const ids = [...values.keys()];
    for (let start = 0; start < ids.length; start += 500) {
      const batch = ids.slice(start, start + 500);
      const revealed = await revealMany(core, batch);
      batch.forEach((id, i) => expect(revealed[i]).toBe(values.get(id)));
    }
    expect((await call(core, 'audit.verify', {})).intact).toBe(true);
  }, 300_000);
});
