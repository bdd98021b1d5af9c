/**
 * Saving, renaming and deleting a saved search are audited in the
 * transaction that makes the change: each leaves one sealed entry, a refused
 * change leaves none, and a trail that refuses to record (its tail cut)
 * leaves the saved searches as they were. A real core, delegate and SQLite file.
 */
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core.js';
import { call, callError, createVault, startCore, tempDir } from '../support/core-harness.js';

let dir: ReturnType<typeof tempDir>;
let core: AppCore;

const searchEntries = async () =>
  (await call(core, 'audit.list', { limit: 500, offset: 0 })).items
    .filter((entry) => entry.action.startsWith('search.'))
    .map(({ action, target, outcome, detail, sealed }) => ({ action, target, outcome, detail, sealed }))
    .reverse();
const savedNames = async () => (await call(core, 'searches.list', {})).items.map((item) => item.name);

beforeAll(async () => {
  dir = tempDir();
  core = await startCore(join(dir.path, 'store'));
  await createVault(core);
}, 60_000);

afterAll(async () => {
  await core?.close();
  dir?.remove();
});

describe('saved searches in the audit trail', () => {
  it('save, replace, rename and delete each write one sealed entry; refused changes write none', async () => {
    const saved = await call(core, 'searches.save', { name: 'DB secrets', filter: { query: 'db-', types: ['text'] } });
    await call(core, 'searches.save', { name: 'db secrets', filter: { query: 'db' }, replace: true });
    expect((await callError(core, 'searches.save', { name: 'DB SECRETS', filter: {} })).code).toBe('NAME_TAKEN');
    const renamed = await call(core, 'searches.rename', { id: saved.id, name: 'Database secrets' });
    expect(renamed).toMatchObject({ id: saved.id, name: 'Database secrets', filter: { query: 'db', types: [] } });
    await call(core, 'searches.save', { name: 'Other', filter: {} });
    expect((await callError(core, 'searches.rename', { id: saved.id, name: 'OTHER' })).code).toBe('NAME_TAKEN');
    await call(core, 'searches.delete', { id: saved.id });
    expect((await callError(core, 'searches.delete', { id: saved.id })).code).toBe('NOT_FOUND');
    expect((await callError(core, 'searches.rename', { id: saved.id, name: 'Gone' })).code).toBe('NOT_FOUND');

    expect(await searchEntries()).toEqual([
      { action: 'search.save', target: 'DB secrets', outcome: 'success', detail: null, sealed: true },
      { action: 'search.save', target: 'db secrets', outcome: 'success', detail: 'replaced', sealed: true },
      { action: 'search.rename', target: 'Database secrets', outcome: 'success', detail: 'renamed from "db secrets"', sealed: true },
      { action: 'search.save', target: 'Other', outcome: 'success', detail: null, sealed: true },
      { action: 'search.delete', target: 'Database secrets', outcome: 'success', detail: null, sealed: true },
    ]);
    expect(await savedNames()).toEqual(['Other']);
    const verified = await call(core, 'audit.verify', {});
    expect(verified.intact).toBe(true);
  });

  it('a trail that refuses to record (its tail cut) leaves every saved search as it was', async () => {
    const other = (await call(core, 'searches.list', {})).items.find((item) => item.name === 'Other')!;
    const db = new BetterSqlite3(join(dir.path, 'store', 'strongroom.db'));
    try {
      const last = (db.prepare('SELECT MAX(seq) AS seq FROM audit_log').get() as { seq: number }).seq;
      db.prepare('DELETE FROM audit_log WHERE seq > ?').run(last - 2);
    } finally {
      db.close();
    }
    expect((await callError(core, 'searches.save', { name: 'New one', filter: {} })).code).toBe('AUDIT_BROKEN');
    expect((await callError(core, 'searches.save', { name: 'other', filter: { query: 'x' }, replace: true })).code).toBe('AUDIT_BROKEN');
    expect((await callError(core, 'searches.rename', { id: other.id, name: 'Renamed' })).code).toBe('AUDIT_BROKEN');
    expect((await callError(core, 'searches.delete', { id: other.id })).code).toBe('AUDIT_BROKEN');
    expect((await call(core, 'searches.list', {})).items).toEqual([other]);
  });
});
