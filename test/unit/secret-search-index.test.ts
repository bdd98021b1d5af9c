/**
 * The in-memory search index against the SQL it replaces (listBySql, the
 * instr() scan): random stores, random queries, filters and sorts, random
 * writes in between, and both must return the same total and the same page
 * in the same order. Seeded, so a failure names the seed that reproduces it.
 * The list's search (secret-list-search.ts) builds the index in slices: its
 * answers are checked the same way between slices, with writes between them.
 */
import { randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { secretTypes, type SecretType } from '../../src-shared/contract.js';
import { openDatabase } from '../../src-main/core/store/database.js';
import { DATABASE_FILE } from '../../src-main/core/paths.js';
import { listBySql, type ListQuery } from '../../src-main/core/services/secret-list-query.js';
import { SecretSearchIndex } from '../../src-main/core/services/secret-search-index.js';
import { SecretListSearch } from '../../src-main/core/services/secret-list-search.js';
import { tempDir } from '../support/core-harness.js';
import { join } from 'node:path';

/** mulberry32: small, seedable, good enough to pick test data. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (below: number) => Math.floor(next() * below);
  const pick = <T,>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}

type Random = ReturnType<typeof random>;

// Few letters, so substrings repeat and queries hit; upper case, the LIKE wildcards, and non-ASCII that lower() does not fold.
const ALPHABET = ['a', 'b', 'd', 'B', 'D', 'p', 'r', 'o', '-', '_', '%', '1', '2', 'É', 'é', 'ß', '😀', '\uE000'];
const WORDS = ['db', 'prod', 'eu', 'Billing', 'ssh', 'key', 'DB-PROD'];
const MANAGERS = ['local', 'vault-a', 'aws-b'];
const SORTS: ListQuery['sort'][] = ['name', 'type', 'updated', 'created'];

function randomName(rng: Random): string {
  const parts = Array.from({ length: 1 + rng.int(3) }, () =>
    rng.next() < 0.5 ? rng.pick(WORDS) : Array.from({ length: 1 + rng.int(4) }, () => rng.pick(ALPHABET)).join(''),
  );
  return parts.join(rng.pick(['-', '_', '']));
}

/** Few distinct timestamps, so ties (a batch shares one) are common. */
const randomTime = (rng: Random) => `2026-0${1 + rng.int(3)}-0${1 + rng.int(3)}T00:00:00.000Z`;

function randomQuery(rng: Random, names: string[]): string {
  const roll = rng.next();
  if (roll < 0.1) return '';
  if (roll < 0.2) return ` ${rng.pick(WORDS)} `;
  if (roll < 0.3) return Array.from({ length: 1 + rng.int(4) }, () => rng.pick(ALPHABET)).join('');
  const name = names.length ? rng.pick(names) : 'x';
  const from = rng.int(name.length);
  const piece = name.slice(from, from + 1 + rng.int(6));
  return rng.next() < 0.5 ? piece.toUpperCase() : piece;
}

describe('secret search index', () => {
  const open: BetterSqlite3.Database[] = [];
  const dirs: ReturnType<typeof tempDir>[] = [];
  afterEach(() => {
    open.splice(0).forEach((db) => db.close());
    dirs.splice(0).forEach((dir) => dir.remove());
  });

  function store() {
    const folder = tempDir();
    dirs.push(folder);
    const dir = folder.path;
    const db = openDatabase(dir);
    open.push(db);
    const apps = ['app-1', 'app-2'];
    for (const app of apps) db.prepare("INSERT INTO applications (id, name, created_at) VALUES (?, ?, 'now')").run(app, app);
    const envs = [
      ['env-1', 'app-1', 'production'],
      ['env-2', 'app-1', 'non-production'],
      ['env-3', 'app-2', 'production'],
    ];
    for (const [id, app, type] of envs) db.prepare("INSERT INTO environments (id, application_id, name, type, created_at) VALUES (?, ?, ?, ?, 'now')").run(id, app, id, type);
    return { dir, db, apps, envs: envs.map(([id]) => id!) };
  }

  function insert(db: BetterSqlite3.Database, rng: Random, apps: string[], envs: string[], at = randomTime(rng)): boolean {
    const id = randomUUID();
    try {
      db.prepare(
        "INSERT INTO secrets (id, name, description, type, manager_id, current_version, created_at, updated_at, metadata) VALUES (?, ?, NULL, ?, ?, 1, ?, ?, '{}')",
      ).run(id, randomName(rng), rng.pick(secretTypes), rng.pick(MANAGERS), at, rng.next() < 0.5 ? at : randomTime(rng));
    } catch (error) {
      if (String(error).includes('UNIQUE')) return false;
      throw error;
    }
    if (rng.next() < 0.3) {
      const app = rng.next() < 0.2 ? null : rng.pick(apps);
      const env = app && rng.next() < 0.5 ? rng.pick(envs) : null;
      const envType = app && !env && rng.next() < 0.3 ? rng.pick(['production', 'non-production']) : null;
      db.prepare("INSERT INTO scope_entries (owner_kind, owner_id, application_id, environment_id, environment_type) VALUES ('secret', ?, ?, ?, ?)").run(
        id,
        env ? 'app-1' : app,
        env,
        envType,
      );
    }
    return true;
  }

  function randomRequest(rng: Random, db: BetterSqlite3.Database, apps: string[], envs: string[]): ListQuery {
    const names = db.prepare('SELECT name FROM secrets').pluck().all() as string[];
    return {
      query: randomQuery(rng, names),
      ...(rng.next() < 0.2 ? { types: Array.from({ length: 1 + rng.int(3) }, () => rng.pick(secretTypes)) as SecretType[] } : {}),
      ...(rng.next() < 0.15 ? { managerId: rng.pick(MANAGERS) } : {}),
      ...(rng.next() < 0.15 ? { applicationId: rng.pick(apps) } : {}),
      ...(rng.next() < 0.1 ? { environmentId: rng.pick(envs) } : {}),
      sort: rng.pick(SORTS),
      direction: rng.pick(['asc', 'desc'] as const),
      limit: 1 + rng.int(30),
      offset: rng.next() < 0.7 ? 0 : rng.int(60),
    };
  }

  function compare(db: BetterSqlite3.Database, index: SecretSearchIndex, request: ListQuery, seed: number) {
    expect(index.page(request), `seed ${seed}: ${JSON.stringify(request)}`).toEqual(listBySql(db, request));
  }

  /** The list's search with its slices run by hand: `slice()` runs the next one, if a build is under way. */
  function steppedSearch(db: BetterSqlite3.Database) {
    const pending: (() => void)[] = [];
    const search = new SecretListSearch(
      db,
      (error) => {
        throw error;
      },
      (slice) => pending.push(slice),
      0,
    );
    const slice = () => {
      pending.shift()?.();
      return pending.length > 0;
    };
    const finish = () => {
      while (slice());
    };
    return { search, slice, finish, building: () => pending.length > 0 };
  }

  function compareSearch(db: BetterSqlite3.Database, search: SecretListSearch, request: ListQuery, seed: number) {
    const { total, rowids } = search.page(request);
    expect({ total, rowids }, `seed ${seed}: ${JSON.stringify(request)}`).toEqual(listBySql(db, request));
  }

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`answers like the SQL scan on random data, through random writes (seed ${seed})`, () => {
      const rng = random(seed);
      const { db, apps, envs } = store();
      for (let i = 0; i < 300; i++) insert(db, rng, apps, envs);
      const index = SecretSearchIndex.build(db);
      for (let round = 0; round < 40; round++) {
        for (let q = 0; q < 10; q++) compare(db, index, randomRequest(rng, db, apps, envs), seed);
        // A few writes of every kind, some in a transaction that rolls back.
        const writes = () => {
          for (let w = 0; w < 1 + rng.int(5); w++) {
            const rowid = db.prepare('SELECT rowid FROM secrets ORDER BY random() LIMIT 1').pluck().get() as number | undefined;
            const kind = rng.int(6);
            if (kind === 0 || rowid === undefined) insert(db, rng, apps, envs);
            else if (kind === 1) db.prepare('DELETE FROM secrets WHERE rowid = ?').run(rowid);
            else if (kind === 2) {
              try {
                db.prepare('UPDATE secrets SET name = ? WHERE rowid = ?').run(randomName(rng), rowid);
              } catch (error) {
                if (!String(error).includes('UNIQUE')) throw error;
              }
            } else if (kind === 3) db.prepare('UPDATE secrets SET updated_at = ?, manager_id = ? WHERE rowid = ?').run(randomTime(rng), rng.pick(MANAGERS), rowid);
            else if (kind === 4) db.prepare("DELETE FROM scope_entries WHERE owner_id = (SELECT id FROM secrets WHERE rowid = ?)").run(rowid);
            else db.prepare("UPDATE environments SET type = CASE type WHEN 'production' THEN 'non-production' ELSE 'production' END WHERE id = ?").run(rng.pick(envs));
          }
        };
        if (rng.next() < 0.2) {
          try {
            db.transaction(() => {
              writes();
              throw new Error('roll back');
            })();
          } catch (error) {
            if ((error as Error).message !== 'roll back') throw error;
          }
        } else writes();
        // Now and then a batch sharing one timestamp, as createMany writes it.
        if (rng.next() < 0.1) {
          const at = randomTime(rng);
          db.transaction(() => Array.from({ length: 20 }, () => insert(db, rng, apps, envs, at)))();
        }
      }
    });
  }

  it('picks pages by position buckets in a larger store (4,000 secrets), in both directions and at offsets', () => {
    const rng = random(11);
    const { db, apps, envs } = store();
    db.transaction(() => {
      for (let i = 0; i < 4000; i++) insert(db, rng, apps, envs);
    })();
    const index = SecretSearchIndex.build(db);
    for (let i = 0; i < 150; i++) compare(db, index, { ...randomRequest(rng, db, apps, envs), offset: rng.int(300) }, 11);
  });

  it('sees a commit made by another connection (another Strongroom process)', () => {
    const rng = random(99);
    const { dir, db, apps, envs } = store();
    for (let i = 0; i < 50; i++) insert(db, rng, apps, envs);
    const { search, finish } = steppedSearch(db);
    finish();
    const request: ListQuery = { query: '', sort: 'name', direction: 'asc', limit: 500, offset: 0 };
    const before = search.page(request);
    expect(before.indexing).toBe(false);
    const other = new BetterSqlite3(join(dir, DATABASE_FILE));
    open.push(other);
    other
      .prepare("INSERT INTO secrets (id, name, description, type, manager_id, current_version, created_at, updated_at) VALUES (?, 'zz-from-elsewhere', NULL, 'text', 'local', 1, 'now', 'now')")
      .run(randomUUID());
    // The index is stale: SQL answers while it is built again.
    const after = search.page(request);
    expect(after).toMatchObject({ total: before.total + 1, indexing: true });
    finish();
    expect(search.page({ ...request, query: 'ELSEWHERE' })).toMatchObject({ total: 1, indexing: false });
    compareSearch(db, search, { ...request, query: 'ELSEWHERE' }, 99);
  });

  it('rebuilds after a bulk write larger than a quarter of the store, and still agrees', () => {
    const rng = random(7);
    const { db, apps, envs } = store();
    for (let i = 0; i < 40; i++) insert(db, rng, apps, envs);
    const { search, finish } = steppedSearch(db);
    finish();
    db.transaction(() => {
      for (let i = 0; i < 100; i++) insert(db, rng, apps, envs);
    })();
    compareSearch(db, search, randomRequest(rng, db, apps, envs), 7);
    finish();
    for (let i = 0; i < 30; i++) compareSearch(db, search, randomRequest(rng, db, apps, envs), 7);
    expect(search.page({ query: '', sort: 'name', direction: 'asc', limit: 1, offset: 0 }).indexing).toBe(false);
  });

  it('answers like SQL while it builds, with writes and queries between its slices, and is current once built', () => {
    const rng = random(23);
    const { db, apps, envs } = store();
    db.transaction(() => {
      for (let i = 0; i < 5000; i++) insert(db, rng, apps, envs);
    })();
    const { search, slice, building } = steppedSearch(db);
    let slices = 0;
    while (building()) {
      for (let q = 0; q < 3; q++) compareSearch(db, search, randomRequest(rng, db, apps, envs), 23);
      // Writes of every kind between slices: inserts, renames, deletes, scope changes.
      for (let w = 0; w < 1 + rng.int(4); w++) {
        const rowid = db.prepare('SELECT rowid FROM secrets ORDER BY random() LIMIT 1').pluck().get() as number;
        const kind = rng.int(4);
        if (kind === 0) insert(db, rng, apps, envs);
        else if (kind === 1) db.prepare('DELETE FROM secrets WHERE rowid = ?').run(rowid);
        else if (kind === 2) {
          try {
            db.prepare('UPDATE secrets SET name = ?, updated_at = ? WHERE rowid = ?').run(randomName(rng), randomTime(rng), rowid);
          } catch (error) {
            if (!String(error).includes('UNIQUE')) throw error;
          }
        } else db.prepare('DELETE FROM scope_entries WHERE owner_id = (SELECT id FROM secrets WHERE rowid = ?)').run(rowid);
      }
      slice();
      slices++;
    }
    // Spread over many slices, then answering from the index, with every write made meanwhile applied.
    expect(slices).toBeGreaterThan(10);
    for (let q = 0; q < 60; q++) {
      const request = randomRequest(rng, db, apps, envs);
      expect(search.page(request).indexing, JSON.stringify(request)).toBe(false);
      compareSearch(db, search, request, 23);
    }
  });

  it('stops a build under way when closed, and closes its reading connection', () => {
    const rng = random(5);
    const { db, apps, envs } = store();
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) insert(db, rng, apps, envs);
    })();
    const { search, slice } = steppedSearch(db);
    slice();
    // Its snapshot holds the checkpoint back from a frame written after it.
    const checkpoint = () => db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    insert(db, rng, apps, envs);
    expect(checkpoint()[0]!.checkpointed).toBeLessThan(checkpoint()[0]!.log);
    search.close();
    expect(slice()).toBe(false);
    const [after] = checkpoint();
    expect(after!.checkpointed).toBe(after!.log);
    // And the store answers and writes as before.
    insert(db, rng, apps, envs);
    compareSearch(db, search, { query: 'db', sort: 'name', direction: 'asc', limit: 20, offset: 0 }, 5);
  });
});
