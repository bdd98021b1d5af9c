/**
 * A store whose keyring was written under KDF parameters below today's
 * defaults (the defaults rose since) gets them raised at the next unlock:
 * every such version is re-wrapped under the defaults in one transaction,
 * audited, and the same master keys open every secret afterwards.
 */
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KDF, deriveKek } from '../../src-delegate/keyring.js';
import { open, seal } from '../../src-delegate/aead.js';
import type { KdfParams } from '../../src-shared/delegate-protocol.js';
import { PASSPHRASE, call, createSecret, createVault, requireBuild, reveal, sealedUnlock, startCore, tempDir } from '../support/core-harness.js';

/** The parameters an older Strongroom might have used: the lowest the protocol accepts. */
const LOWER: Omit<KdfParams, 'salt'> = { algorithm: 'scrypt', N: 2 ** 14, r: 8, p: 1 };
const keyringAad = (version: number) => Buffer.from(`strongroom/keyring/v1\0${version}`, 'utf8');

let dir: ReturnType<typeof tempDir>;
const storeDir = () => join(dir.path, 'store');

beforeAll(() => {
  requireBuild();
  dir = tempDir();
});

afterAll(() => dir?.remove());

type KeyringRow = { version: number; kdf: string; wrapped_key: string };

/** Re-wraps every keyring version under LOWER, as a store written before the defaults rose would hold it. */
async function lowerKdf(): Promise<void> {
  const db = new BetterSqlite3(join(storeDir(), 'strongroom.db'));
  try {
    const rows = db.prepare('SELECT version, kdf, wrapped_key FROM keyring').all() as KeyringRow[];
    for (const row of rows) {
      const kek = await deriveKek(PASSPHRASE, JSON.parse(row.kdf) as KdfParams);
      const master = open(kek, Buffer.from(row.wrapped_key, 'base64'), keyringAad(row.version));
      const lower: KdfParams = { ...LOWER, salt: randomBytes(16).toString('base64') };
      const lowerKek = await deriveKek(PASSPHRASE, lower);
      db.prepare('UPDATE keyring SET kdf = ?, wrapped_key = ? WHERE version = ?').run(
        JSON.stringify(lower),
        seal(lowerKek, master, keyringAad(row.version)).toString('base64'),
        row.version,
      );
    }
  } finally {
    db.close();
  }
}

function keyringRows(): KeyringRow[] {
  const db = new BetterSqlite3(join(storeDir(), 'strongroom.db'), { readonly: true });
  try {
    return db.prepare('SELECT version, kdf, wrapped_key FROM keyring ORDER BY version').all() as KeyringRow[];
  } finally {
    db.close();
  }
}

describe('KDF parameters below the defaults', () => {
  it('are raised at the next unlock, audited, and every secret still reveals', async () => {
    const first = await startCore(storeDir());
    let secretId = '';
    try {
      await createVault(first);
      secretId = (await createSecret(first, 'kdf-secret', 'value before the raise')).id;
    } finally {
      await first.close();
    }
    await lowerKdf();
    const lowered = keyringRows();
    expect(lowered.length).toBeGreaterThan(0);
    for (const row of lowered) expect(JSON.parse(row.kdf)).toMatchObject({ N: LOWER.N });

    const next = await startCore(storeDir());
    try {
      await call(next, 'vault.unlock', await sealedUnlock(next));
      const raised = keyringRows();
      for (const [i, row] of raised.entries()) {
        expect(JSON.parse(row.kdf)).toMatchObject({ algorithm: 'scrypt', N: DEFAULT_KDF.N, r: DEFAULT_KDF.r, p: DEFAULT_KDF.p });
        expect(row.wrapped_key).not.toBe(lowered[i]!.wrapped_key);
      }
      const entries = (await call(next, 'audit.list', { action: 'keyring.kdf', limit: 10 })).items;
      expect(entries).toHaveLength(1);
      expect(entries[0]!.detail).toBe(`keyring version(s) ${lowered.map((row) => row.version).join(', ')} re-wrapped: scrypt N=${LOWER.N} r=8 p=1 -> N=${DEFAULT_KDF.N} r=${DEFAULT_KDF.r} p=${DEFAULT_KDF.p}`);
      expect(await reveal(next, secretId)).toBe('value before the raise');
      expect((await call(next, 'audit.verify', {})).intact).toBe(true);
    } finally {
      await next.close();
    }

    // Raised once: the next unlock opens under the new parameters and changes nothing.
    const third = await startCore(storeDir());
    try {
      const before = keyringRows();
      await call(third, 'vault.unlock', await sealedUnlock(third));
      expect(keyringRows()).toEqual(before);
      expect((await call(third, 'audit.list', { action: 'keyring.kdf', limit: 10 })).total).toBe(1);
      expect(await reveal(third, secretId)).toBe('value before the raise');
    } finally {
      await third.close();
    }
  }, 240_000);
});
