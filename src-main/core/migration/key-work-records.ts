/**
 * What the store file itself says about key work, read without any key so a
 * locked store (and `strongroom status` with no session) can tell it: the
 * journal rows of work still under way (meta `keyring.rotation`, and
 * `kms.rewrap.<manager>` per re-wrap), and the outcome the last run recorded
 * (meta `keywork.outcome.<work>[.<manager>]`). Outcomes hold names, counts,
 * key version ids and error messages main already logs: never a value.
 * Only type imports besides the statement cache, so the CLI's start stays small.
 */
import type { Database } from 'better-sqlite3';
import type { KeyWork, KeyWorkKind } from '../../../src-shared/key-work-contract.js';
import { prepared } from '../store/prepared.js';

/** One piece of key work: the rotation, or the re-wrap of one manager. */
export interface KeyWorkTarget {
  work: KeyWorkKind;
  managerId: string | null;
}

/** An ended run as recorded: `waiting` when it stopped because the store locked. */
export type RecordedOutcome = Pick<KeyWork, 'work' | 'managerId' | 'managerName' | 'resumed' | 'message' | 'at'> & { state: 'finished' | 'failed' | 'waiting' };

const OUTCOME_PREFIX = 'keywork.outcome.';
const outcomeKey = (target: KeyWorkTarget) => `${OUTCOME_PREFIX}${target.managerId === null ? target.work : `${target.work}.${target.managerId}`}`;
export const sameTarget = (a: KeyWorkTarget, b: KeyWorkTarget) => a.work === b.work && a.managerId === b.managerId;

export function recordOutcome(db: Database, outcome: RecordedOutcome): void {
  prepared(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(outcomeKey(outcome), JSON.stringify(outcome));
}

type PendingKeyWork = KeyWorkTarget & Pick<KeyWork, 'managerName' | 'message' | 'at'>;

const untilUnlock = 'will finish at the next unlock (in the app, or a session: strongroom unlock)';

/** Work whose journal row is still set: interrupted, or running now in some process. */
export function pendingKeyWork(db: Database): PendingKeyWork[] {
  const pending: PendingKeyWork[] = [];
  const rotation = prepared(db, "SELECT value FROM meta WHERE key = 'keyring.rotation'").get() as { value: string } | undefined;
  if (rotation) {
    const { version } = JSON.parse(rotation.value) as { version: number };
    pending.push({ work: 'keyring.rotate', managerId: null, managerName: null, at: null, message: `A master key rotation to version ${version} was interrupted and ${untilUnlock}.` });
  }
  const rewraps = prepared(db, "SELECT m.id, m.name, meta.value FROM meta JOIN managers m ON meta.key = 'kms.rewrap.' || m.id ORDER BY m.name").all() as { id: string; name: string; value: string }[];
  for (const { id, name, value } of rewraps) {
    const { startedAt } = JSON.parse(value) as { startedAt?: string };
    pending.push({ work: 'managers.rewrap', managerId: id, managerName: name, at: startedAt ?? null, message: `A re-wrap of the keys of "${name}" was interrupted and ${untilUnlock}.` });
  }
  return pending;
}

/**
 * Key work as the store file records it: each interrupted run as `waiting` (or as its last attempt ended, when
 * that attempt failed or was stopped by a lock), then the last outcome of each finished one. The rotation first,
 * then re-wraps by manager name.
 */
export function recordedKeyWork(db: Database): KeyWork[] {
  const outcomes = (prepared(db, "SELECT value FROM meta WHERE key LIKE 'keywork.outcome.%' ORDER BY key").all() as { value: string }[]).map(
    (row) => JSON.parse(row.value) as RecordedOutcome,
  );
  const pending = pendingKeyWork(db);
  const items: KeyWork[] = pending.map((work) => {
    const last = outcomes.find((outcome) => sameTarget(outcome, work));
    // A recorded `finished` predates this interruption; a failure or a lock is how its last attempt ended.
    if (last && last.state !== 'finished') return { ...last, managerName: work.managerName, progress: null };
    return { ...work, state: 'waiting', resumed: false, progress: null };
  });
  // A removed manager's last re-wrap is no one's concern any more.
  const managers = new Set((prepared(db, 'SELECT id FROM managers').all() as { id: string }[]).map((row) => row.id));
  for (const outcome of outcomes) {
    if (outcome.managerId !== null && !managers.has(outcome.managerId)) continue;
    if (!pending.some((work) => sameTarget(work, outcome))) items.push({ ...outcome, progress: null });
  }
  return items.sort((a, b) => Number(a.work !== 'keyring.rotate') - Number(b.work !== 'keyring.rotate') || (a.managerName ?? '').localeCompare(b.managerName ?? ''));
}
