/**
 * Reading text secrets from `.env` and CSV files. Runs in the renderer's import
 * dialog and in the CLI, so a file means the same thing in both; values are
 * returned to the caller, which seals them, and nothing here sends anything.
 *
 * The values are read by maintained parsers: dotenv's own `parse` (so a value
 * means what it means to dotenv) and csv-parse. This file only splits a .env
 * file into entries so each can be numbered, and turns what the parsers
 * refuse into problems naming the line. A problem never quotes a value.
 */
import dotenv from 'dotenv';
// The browser build carries its own Buffer, so the same parser runs in the renderer and in Node.
import { CsvError, parse as parseCsvRecords } from 'csv-parse/browser/esm/sync';

export interface ImportedSecret {
  name: string;
  value: string;
  description?: string;
}

export interface ImportProblem {
  /** The 1-based line in the file the problem starts on. */
  line: number;
  message: string;
}

export interface ImportParseResult {
  items: ImportedSecret[];
  /** What could not be read, and where; an import with problems should not start. */
  problems: ImportProblem[];
}

const NAME = /^[A-Za-z0-9_-]{1,128}$/;

/** Checks names and repeats in file order, so every problem carries the line it is on. */
function collect(entries: { line: number; item: ImportedSecret }[], problems: ImportProblem[]): ImportParseResult {
  const items: ImportedSecret[] = [];
  const firstLine = new Map<string, number>();
  for (const { line, item } of entries) {
    if (!NAME.test(item.name)) {
      problems.push({ line, message: `"${item.name}" is not a valid secret name (letters, digits, - and _)` });
      continue;
    }
    const key = item.name.toLowerCase();
    const first = firstLine.get(key);
    if (first !== undefined) {
      problems.push({ line, message: `"${item.name}" appears more than once (first on line ${first})` });
      continue;
    }
    firstLine.set(key, line);
    items.push(item);
  }
  problems.sort((a, b) => a.line - b.line);
  return { items, problems };
}

/** The quote a .env value opens with, if it starts with one: such a value may run over several lines. */
const OPENING_QUOTE = /^\s*(?:export\s+)?[\w.-]+\s*(?:=|:\s)\s*(["'`])/;

export function parseDotenv(text: string): ImportParseResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const entries: { line: number; item: ImportedSecret }[] = [];
  const problems: ImportProblem[] = [];
  let at = 0;
  while (at < lines.length) {
    const first = lines[at]!.trim();
    const line = at + 1;
    if (first === '' || first.startsWith('#')) {
      at++;
      continue;
    }
    const quote = OPENING_QUOTE.exec(lines[at]!)?.[1];
    // The entry is the shortest run of lines dotenv reads as one closed value.
    let end = at;
    let parsed = dotenv.parse(lines[at]!);
    while (quote !== undefined && isOpen(parsed, quote) && end + 1 < lines.length) {
      end++;
      parsed = dotenv.parse(lines.slice(at, end + 1).join('\n'));
    }
    const names = Object.keys(parsed);
    if (names.length === 0) {
      problems.push({ line, message: 'Expected NAME=value' });
      at++;
    } else if (quote !== undefined && (names.length > 1 || isOpen(parsed, quote))) {
      problems.push({ line, message: `The value opens a ${quote} quote that is never closed` });
      at++;
    } else {
      entries.push({ line, item: { name: names[0]!, value: parsed[names[0]!]! } });
      at = end + 1;
    }
  }
  return collect(entries, problems);
}

/** dotenv keeps the opening quote of a value whose closing quote it has not seen. */
function isOpen(parsed: Record<string, string>, quote: string): boolean {
  const values = Object.values(parsed);
  return values.length === 1 && values[0]!.startsWith(quote);
}

/** What each csv-parse refusal means to someone editing the file (its own messages quote field values). */
const CSV_ERRORS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'A quoted field opens here and is never closed',
  INVALID_OPENING_QUOTE: 'A quote inside an unquoted field (quote the whole field and double any quote in it)',
  CSV_INVALID_CLOSING_QUOTE: 'Text follows a closing quote (double a quote inside a quoted field)',
};

/** CSV with a header naming `name` and `value` columns, and optionally `description`. */
export function parseCsv(text: string): ImportParseResult {
  // csv-parse reports positions in UTF-8 bytes and counts lines its own way inside quoted
  // fields, so lines are counted here from its byte positions, as the .env parser counts them.
  const bytes = new TextEncoder().encode(text);
  const lines = lineStarts(bytes);
  // How many bytes had been read when each record ended: the next record starts after them.
  const recordEnds: number[] = [];
  let records: string[][];
  try {
    records = parseCsvRecords(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (record: string[], context) => {
        recordEnds.push(context.bytes);
        return record;
      },
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const message = CSV_ERRORS[error.code] ?? `This line is not valid CSV (${error.code})`;
    // An unclosed quote is reported where the record holding it starts, not at the end of the file.
    const at = error.code === 'CSV_QUOTE_NOT_CLOSED' ? skipBlankLines(bytes, Number(error.bytes_records) || 0) : Number(error.bytes) || 0;
    return { items: [], problems: [{ line: lineAt(lines, at), message }] };
  }
  const rows = records.map((cells, index) => ({ cells, line: lineAt(lines, skipBlankLines(bytes, recordEnds[index - 1] ?? 0)) }));
  const filled = rows.filter((row) => row.cells.some((cell) => cell.trim() !== ''));
  const [header, ...body] = filled;
  const columns = (header?.cells ?? []).map((cell) => cell.trim().toLowerCase());
  const nameAt = columns.indexOf('name');
  const valueAt = columns.indexOf('value');
  const descriptionAt = columns.indexOf('description');
  if (nameAt < 0 || valueAt < 0) {
    return { items: [], problems: [{ line: header?.line ?? 1, message: 'The first row must name the columns, including "name" and "value"' }] };
  }
  const entries = body.map(({ cells, line }) => {
    const description = descriptionAt >= 0 ? cells[descriptionAt]?.trim() : undefined;
    return { line, item: { name: (cells[nameAt] ?? '').trim(), value: cells[valueAt] ?? '', ...(description ? { description } : {}) } };
  });
  return collect(entries, []);
}

const CR = 0x0d;
const LF = 0x0a;

/** The byte offset each line starts at; CRLF, CR and LF each end a line. */
function lineStarts(bytes: Uint8Array): number[] {
  const starts = [0];
  for (let at = 0; at < bytes.length; at++) {
    if (bytes[at] === CR && bytes[at + 1] === LF) at++;
    if (bytes[at] === CR || bytes[at] === LF) starts.push(at + 1);
  }
  return starts;
}

/** The 1-based line holding a byte offset. */
function lineAt(starts: number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle]! <= offset) low = middle;
    else high = middle - 1;
  }
  return low + 1;
}

/** csv-parse skips blank lines before a record: its first line is the first one with something on it. */
function skipBlankLines(bytes: Uint8Array, offset: number): number {
  let at = offset;
  while (bytes[at] === CR || bytes[at] === LF) at++;
  return at;
}

/** Picks the parser by file name; anything not .csv is read as .env. */
export function parseImportFile(fileName: string, text: string): ImportParseResult {
  return fileName.toLowerCase().endsWith('.csv') ? parseCsv(text) : parseDotenv(text);
}
