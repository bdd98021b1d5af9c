/**
 * Key work in `strongroom status` (docs/migration.md): what the serving
 * session's core says (`keys.status`: running with its progress, the last
 * outcome), or with no session, what the store file itself records, which
 * needs no key: a rotation or re-wrap interrupted and waiting for the next
 * unlock, and the last outcome recorded.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { KeyWork } from '../../src-shared/key-work-contract.js';
import { recordedKeyWork } from '../core/migration/key-work-records.js';
import { DATABASE_FILE } from '../core/paths.js';
import type { SessionClient } from '../core/session/session-client.js';
import { sessionKeyWorkSchema } from '../core/session/session-protocol.js';

/** What the store file records; empty when there is no store yet. Read-only: a locked store's file is never written by a status. */
export function storedKeyWork(dataDir: string): KeyWork[] {
  const file = join(dataDir, DATABASE_FILE);
  if (!existsSync(file)) return [];
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    return recordedKeyWork(db);
  } finally {
    db.close();
  }
}

/** What the session's core keeps, running work included; what the store records when its reply says nothing usable. */
export async function sessionKeyWork(session: SessionClient, dataDir: string): Promise<KeyWork[]> {
  const reply = await session.handle('keys.status', {});
  const parsed = reply.ok ? sessionKeyWorkSchema.safeParse(reply.value) : null;
  return parsed?.success ? parsed.data.items : storedKeyWork(dataDir);
}

const stateWords: Record<KeyWork['state'], string> = {
  running: 'running',
  finished: 'finished',
  failed: 'failed',
  waiting: 'waiting for an unlock',
};

/** One line per piece of key work: "Key work (running, 1,000 of 5,000 keys): Rotating the master key…". */
export function keyWorkLines(items: KeyWork[]): string[] {
  return items.map((item) => {
    const progress = item.state === 'running' && item.progress ? `, ${item.progress.done.toLocaleString('en')} of ${item.progress.total.toLocaleString('en')} keys` : '';
    const when = item.at && item.state !== 'running' ? ` (${item.at})` : '';
    return `Key work (${stateWords[item.state]}${progress}): ${item.message}${when}`;
  });
}
