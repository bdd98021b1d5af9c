import type { StoreCheck } from '../../../src-shared/contract.js';
import { formatDateTime, plural } from '../../lib/format.js';

/** What the store check found, as one sentence for Settings; null before the first check ran. */
export function storeCheckSummary(check: StoreCheck | null): string {
  if (!check) return 'Not checked yet: the check runs at unlock once a week.';
  const when = formatDateTime(check.at);
  return check.ok ? `Checked ${when}: no problems found.` : `Checked ${when}: SQLite found ${plural(check.problems.length, 'problem')}.`;
}

/** What an admin does about a damaged store file; the same advice the CLI's `store check` gives. */
export const restoreAdvice =
  'Restore the store from a backup: export what still reads, then import a backup into an empty store (Settings, Restore backup, or strongroom import --from BACKUP).';
