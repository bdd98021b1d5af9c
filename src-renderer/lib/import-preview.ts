/**
 * Importing text secrets from a .env or CSV file: what the preview shows
 * before anything is written (each row, the file's problems, the names that
 * clash with the store), and the batches the import is sent in.
 */
import type { ImportParseResult, ImportedSecret } from '../../src-shared/contract.js';

/** secrets.createMany takes at most this many values in one sealed batch. */
export const IMPORT_BATCH = 1000;
/** secrets.checkNames takes at most this many names per call. */
export const CHECK_NAMES_CHUNK = 10_000;

export interface PreviewRow {
  name: string;
  description: string;
  /** The value's length only: the preview never shows values. */
  valueChars: number;
  status: 'new' | 'taken';
}

export interface ImportPreview {
  rows: PreviewRow[];
  problems: string[];
  taken: string[];
  /** Nothing is written unless the whole file can go in. */
  canImport: boolean;
  /** Why the import cannot start, when it cannot. */
  blocker: string | null;
}

export function buildPreview(parsed: ImportParseResult, taken: string[]): ImportPreview {
  const takenSet = new Set(taken.map((name) => name.toLowerCase()));
  const rows = parsed.items.map((item) => ({
    name: item.name,
    description: item.description ?? '',
    valueChars: item.value.length,
    status: takenSet.has(item.name.toLowerCase()) ? ('taken' as const) : ('new' as const),
  }));
  const problems = parsed.problems.map((problem) => (problem.line > 0 ? `Line ${problem.line}: ${problem.message}` : problem.message));
  let blocker: string | null = null;
  if (parsed.items.length === 0 && problems.length === 0) blocker = 'The file holds no secrets.';
  else if (problems.length > 0) blocker = 'Fix the problems in the file, then choose it again.';
  else if (taken.length > 0) {
    blocker = `${taken.length === 1 ? 'This name is' : `${taken.length} names are`} already in use: ${taken.slice(0, 20).join(', ')}${taken.length > 20 ? ', …' : ''}. Rename or remove ${taken.length === 1 ? 'it' : 'them'} in the file, then choose it again. Nothing was written.`;
  }
  return { rows, problems, taken, canImport: blocker === null, blocker };
}

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The import's batches, each sealed and sent on its own. */
export function importBatches(items: ImportedSecret[]): ImportedSecret[][] {
  return chunk(items, IMPORT_BATCH);
}

/** "Imported 1,200 of 2,500" for the progress bar. */
export function progressText(done: number, total: number): string {
  return `Imported ${done.toLocaleString('en')} of ${total.toLocaleString('en')}`;
}
