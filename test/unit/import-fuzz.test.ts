/**
 * Fuzzing the .env and CSV import: random and mutated files never throw, every
 * problem names a line inside the file and never quotes a value, and a file
 * written from known secrets reads back as exactly those secrets.
 */
import { describe, expect, it } from 'vitest';
import { parseImportFile, type ImportParseResult } from '../../src-shared/import-formats.js';
import { FUZZ_SEED, FuzzRandom } from '../support/fuzz.js';

const CASES = Number(process.env.STRONGROOM_FUZZ_MESSAGES ?? 2_000);
/** Characters that mean something to one of the formats, weighted in beside arbitrary ones. */
const SYNTAX = ['"', "'", '`', '=', ',', '#', '\n', '\r\n', '\r', ' ', '\\', 'export ', ':', '\uFEFF', '""', '\t'];
const MARKER = 'Zq9xMARKER';

function randomText(random: FuzzRandom): string {
  let out = '';
  const parts = random.int(0, 60);
  for (let i = 0; i < parts; i++) {
    const kind = random.int(0, 3);
    if (kind === 0) out += random.pick(SYNTAX);
    else if (kind === 1) out += random.string(8);
    else if (kind === 2) out += `${random.pick(['A', 'b_1', 'x-y', 'bad.name', '__proto__', 'constructor', 'name', 'value'])}`;
    else out += MARKER;
  }
  return out;
}

function validFile(random: FuzzRandom, csv: boolean): { text: string; secrets: Map<string, string> } {
  const secrets = new Map<string, string>();
  const count = random.int(1, 12);
  for (let i = 0; i < count; i++) {
    // .env single quotes hold anything but a single quote and a line break; CSV quotes hold anything.
    const value = Array.from({ length: random.int(0, 20) }, () => random.pick(csv ? [...SYNTAX, 'a', 'Z', '9'] : ['"', '=', ',', '#', ' ', '\\', 'a', 'Z', '9', '`'])).join('');
    secrets.set(`S${i}_${random.int(0, 999)}`, value);
  }
  const blank = () => (random.bool(0.3) ? '\n' : '');
  const text = csv
    ? `name,value\n${[...secrets].map(([name, value]) => `${blank()}${name},"${value.replaceAll('"', '""')}"`).join('\n')}\n`
    : [...secrets].map(([name, value]) => `${blank()}${random.bool() ? 'export ' : ''}${name}='${value}'${random.bool() ? ' # note' : ''}`).join('\n');
  return { text, secrets };
}

function mutate(random: FuzzRandom, text: string): string {
  let out = text;
  for (let i = random.int(1, 4); i > 0; i--) {
    const at = random.int(0, out.length);
    const op = random.int(0, 2);
    if (op === 0) out = out.slice(0, at) + random.pick(SYNTAX) + out.slice(at);
    else if (op === 1) out = out.slice(0, at) + out.slice(at + random.int(1, 5));
    else out = out.slice(0, at) + MARKER + out.slice(at);
  }
  return out;
}

function expectWellFormed(fileName: string, text: string, parsed: ImportParseResult, label: string): void {
  const lineCount = text.split(/\r\n|\r|\n/).length;
  for (const problem of parsed.problems) {
    expect(Number.isInteger(problem.line), label).toBe(true);
    expect(problem.line, label).toBeGreaterThanOrEqual(1);
    expect(problem.line, label).toBeLessThanOrEqual(lineCount);
    expect(typeof problem.message, label).toBe('string');
    // A problem may name a secret, never show a value: MARKER only ever reaches a message as part of a name.
    if (problem.message.includes(MARKER)) expect(problem.message, label).toMatch(/^"[^"]*" (is not a valid secret name|appears more than once)/);
  }
  for (const item of parsed.items) {
    expect(item.name, label).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
    expect(typeof item.value, label).toBe('string');
  }
  expect(new Set(parsed.items.map((item) => item.name.toLowerCase())).size, `${label} ${fileName}`).toBe(parsed.items.length);
}

describe(`import fuzz (seed ${FUZZ_SEED}, ${CASES} cases per format)`, () => {
  for (const fileName of ['fuzz.env', 'fuzz.csv']) {
    it(`${fileName}: random and mutated files never throw, and problems name lines in the file`, () => {
      const random = new FuzzRandom(FUZZ_SEED);
      for (let i = 0; i < CASES; i++) {
        const text = i % 2 === 0 ? randomText(random) : mutate(random, validFile(random, fileName.endsWith('.csv')).text);
        const label = `seed ${FUZZ_SEED} case ${i}: ${JSON.stringify(text)}`;
        let parsed: ImportParseResult | undefined;
        expect(() => (parsed = parseImportFile(fileName, text)), label).not.toThrow();
        expectWellFormed(fileName, text, parsed!, label);
      }
    });

    it(`${fileName}: a file written from known secrets reads back exactly`, () => {
      const random = new FuzzRandom(FUZZ_SEED + 1);
      for (let i = 0; i < CASES / 4; i++) {
        const { text, secrets } = validFile(random, fileName.endsWith('.csv'));
        const parsed = parseImportFile(fileName, text);
        const label = `seed ${FUZZ_SEED + 1} case ${i}: ${JSON.stringify(text)}`;
        expect(parsed.problems, label).toEqual([]);
        expect(new Map(parsed.items.map((item) => [item.name, item.value])), label).toEqual(secrets);
      }
    });
  }
});
