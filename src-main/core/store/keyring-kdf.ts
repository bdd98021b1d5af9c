/**
 * The keyring's KDF parameters, read before the core has loaded, so a CLI
 * command can have its delegate start the key derivation while the core
 * loads (EarlyDelegate.prepareUnlock). Read-only and best effort: anything
 * unexpected yields nothing here, and the core's own read of the keyring
 * (vault-service.ts) is the one that reports it.
 */
import { join } from 'node:path';
import { DATABASE_FILE } from '../paths.js';
import { MAX_PREPARED_KDFS, preparedKdfSchema, type PreparedKdf } from '../../../src-shared/delegate-start-protocol.js';

/** The oldest versions first, as an unlock derives them. */
export async function readKeyringKdf(dataDir: string): Promise<PreparedKdf[]> {
  try {
    // Loaded here, not at the CLI's start: a command served by a session never opens the store.
    const { default: BetterSqlite3 } = await import('better-sqlite3');
    const db = new BetterSqlite3(join(dataDir, DATABASE_FILE), { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare('SELECT kdf FROM keyring ORDER BY version LIMIT ?').all(MAX_PREPARED_KDFS) as { kdf: string }[];
      const kdfs: PreparedKdf[] = [];
      for (const row of rows) {
        const kdf = preparedKdfSchema.safeParse(JSON.parse(row.kdf));
        if (!kdf.success) return [];
        kdfs.push(kdf.data);
      }
      return kdfs;
    } finally {
      db.close();
    }
  } catch {
    return [];
  }
}
