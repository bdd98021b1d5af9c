import { describe, expect, it } from 'vitest';
import { parseCsv, parseDotenv, parseImportFile } from '../../src-shared/import-formats.js';

describe('.env import', () => {
  it('reads names and values the way shells and dotenv do', () => {
    const text = [
      '# comment',
      'export DB_PASSWORD=hunter2',
      'API_KEY = "quoted \\"value\\"\\nsecond line"',
      "SINGLE='no $expansion \\n here'",
      'INLINE=value # trailing comment',
      'EMPTY=',
      '',
    ].join('\n');
    expect(parseDotenv(text)).toEqual({
      items: [
        { name: 'DB_PASSWORD', value: 'hunter2' },
        { name: 'API_KEY', value: 'quoted "value"\nsecond line' },
        { name: 'SINGLE', value: 'no $expansion \\n here' },
        { name: 'INLINE', value: 'value' },
        { name: 'EMPTY', value: '' },
      ],
      problems: [],
    });
  });

  it('reports lines it cannot read, with their numbers', () => {
    expect(parseDotenv('GOOD=1\nnot a line\nbad.name=2').problems).toEqual([
      { line: 2, message: 'Expected NAME=value' },
      { line: 3, message: '"bad.name" is not a valid secret name (letters, digits, - and _)' },
    ]);
  });
});

describe('CSV import', () => {
  it('reads a header, quoted fields, doubled quotes and embedded newlines', () => {
    const text = 'Name,Value,Description\r\ndb,"a,b",Main DB\r\ncert,"line1\nline2 ""quoted""",\r\n';
    expect(parseCsv(text)).toEqual({
      items: [
        { name: 'db', value: 'a,b', description: 'Main DB' },
        { name: 'cert', value: 'line1\nline2 "quoted"' },
      ],
      problems: [],
    });
  });

  it('needs name and value columns', () => {
    expect(parseCsv('key,secret\na,b').problems[0]?.message).toContain('"name" and "value"');
  });
});

describe('parseImportFile', () => {
  it('picks the parser by extension and reports duplicate names', () => {
    expect(parseImportFile('secrets.CSV', 'name,value\na,1\nA,2').problems).toEqual([{ line: 0, message: '"A" appears more than once' }]);
    expect(parseImportFile('prod.env', 'a=1').items).toEqual([{ name: 'a', value: '1' }]);
  });
});
