/**
 * Parsers for importing text secrets from `.env` and CSV files. Pure and
 * runtime-neutral: the renderer's import dialog and the CLI both use them
 * (through the contract), so a file means the same thing in both. Values are
 * returned to the caller, which seals them; nothing here sends anything.
 */
export interface ImportedSecret {
  name: string;
  value: string;
  description?: string;
}

export interface ImportParseResult {
  items: ImportedSecret[];
  /** Lines that could not be read, with why; an import with problems should not start. */
  problems: { line: number; message: string }[];
}

const NAME = /^[A-Za-z0-9_-]{1,128}$/;

function unquote(raw: string): string {
  const value = raw.trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(["\\nrt])/g, (_m, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
  }
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1);
  // An unquoted value ends at an inline comment.
  return value.replace(/\s+#.*$/, '');
}

export function parseDotenv(text: string): ImportParseResult {
  const result: ImportParseResult = { items: [], problems: [] };
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const match = /^(?:export\s+)?([^=\s]+)\s*=\s*(.*)$/.exec(line);
    if (!match) {
      result.problems.push({ line: index + 1, message: 'Expected NAME=value' });
      return;
    }
    const name = match[1]!;
    if (!NAME.test(name)) {
      result.problems.push({ line: index + 1, message: `"${name}" is not a valid secret name (letters, digits, - and _)` });
      return;
    }
    result.items.push({ name, value: unquote(match[2]!) });
  });
  return result;
}

/** Splits one CSV record, honouring double quotes and doubled quotes inside them (RFC 4180). */
function splitCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** CSV with a header naming `name` and `value` columns, and optionally `description`. */
export function parseCsv(text: string): ImportParseResult {
  const result: ImportParseResult = { items: [], problems: [] };
  const rows = splitCsv(text).filter((row) => row.some((cell) => cell.trim() !== ''));
  const header = (rows.shift() ?? []).map((cell) => cell.trim().toLowerCase());
  const nameAt = header.indexOf('name');
  const valueAt = header.indexOf('value');
  const descriptionAt = header.indexOf('description');
  if (nameAt < 0 || valueAt < 0) {
    result.problems.push({ line: 1, message: 'The first row must name the columns, including "name" and "value"' });
    return result;
  }
  rows.forEach((row, index) => {
    const name = (row[nameAt] ?? '').trim();
    if (!NAME.test(name)) {
      result.problems.push({ line: index + 2, message: `"${name}" is not a valid secret name (letters, digits, - and _)` });
      return;
    }
    const description = descriptionAt >= 0 ? row[descriptionAt]?.trim() : undefined;
    result.items.push({ name, value: row[valueAt] ?? '', ...(description ? { description } : {}) });
  });
  return result;
}

/** Picks the parser by file name; anything not .csv is read as .env. */
export function parseImportFile(fileName: string, text: string): ImportParseResult {
  const parsed = fileName.toLowerCase().endsWith('.csv') ? parseCsv(text) : parseDotenv(text);
  const seen = new Set<string>();
  for (const item of parsed.items) {
    const key = item.name.toLowerCase();
    if (seen.has(key)) parsed.problems.push({ line: 0, message: `"${item.name}" appears more than once` });
    seen.add(key);
  }
  return parsed;
}
