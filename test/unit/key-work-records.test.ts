/**
 * What a store file says about key work with no key (key-work-records.ts),
 * on a real store file made by the product's own schema.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from 'better-sqlite3';
import { recordOutcome, recordedKeyWork, type RecordedOutcome } from '../../src-main/core/migration/key-work-records.js';
import { openDatabase } from '../../src-main/core/store/database.js';
import { tempDir } from '../support/core-harness.js';

describe('key work recorded in the store', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database;
  const rotation: RecordedOutcome = { work: 'keyring.rotate', managerId: null, managerName: null, state: 'finished', resumed: false, message: 'Rotated the master key to version 2.', at: '2026-12-03T22:00:00.000Z' };

  beforeEach(() => {
    dir = tempDir();
    db = openDatabase(dir.path);
    db.prepare("INSERT INTO managers (id, name, kind, created_at) VALUES ('kms1', 'aws', 'aws-kms', '2026-12-03T21:00:00.000Z')").run();
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it('an interrupted rotation waits for an unlock; a finished outcome before it is not how it ended, a failed one is', () => {
    expect(recordedKeyWork(db)).toEqual([]);
    recordOutcome(db, rotation);
    expect(recordedKeyWork(db)).toEqual([{ ...rotation, progress: null }]);

    db.prepare("INSERT INTO meta (key, value) VALUES ('keyring.rotation', '{\"version\":3}')").run();
    expect(recordedKeyWork(db)).toEqual([
      expect.objectContaining({ state: 'waiting', at: null, message: expect.stringMatching(/^A master key rotation to version 3 was interrupted and will finish at the next unlock/) }),
    ]);
    const failed: RecordedOutcome = { ...rotation, state: 'failed', resumed: true, message: 'Could not finish the interrupted master key rotation: KMS unreachable.' };
    recordOutcome(db, failed);
    expect(recordedKeyWork(db)).toEqual([{ ...failed, progress: null }]);
  });

  it('re-wraps come after the rotation, by manager; a removed manager’s outcome is dropped', () => {
    db.prepare("INSERT INTO meta (key, value) VALUES ('kms.rewrap.kms1', '{\"keyVersion\":\"v2\",\"startedAt\":\"2026-12-03T23:00:00.000Z\"}')").run();
    recordOutcome(db, rotation);
    recordOutcome(db, { ...rotation, work: 'managers.rewrap', managerId: 'gone', managerName: 'gone', message: 'Re-wrapped the keys of "gone".' });
    expect(recordedKeyWork(db)).toEqual([
      { ...rotation, progress: null },
      expect.objectContaining({ work: 'managers.rewrap', managerId: 'kms1', managerName: 'aws', state: 'waiting', at: '2026-12-03T23:00:00.000Z' }),
    ]);
  });
});
