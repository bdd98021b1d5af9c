import { describe, expect, it } from 'vitest';
import { parseCsv, parseDotenv, parseImportFile } from '../../src-shared/import-formats.js';

describe('.env import', () => {
  it('reads names and values the way dotenv does', () => {
    const text = [
      '# comment',
      'export DB_PASSWORD=hunter2',
      'API_KEY = "first line\\nsecond line"',
      "SINGLE='no $expansion \\n here'",
      'INLINE=value # trailing comment',
      'EMPTY=',
      '',
    ].join('\n');
    expect(parseDotenv(text)).toEqual({
      items: [
        { name: 'DB_PASSWORD', value: 'hunter2' },
        { name: 'API_KEY', value: 'first line\nsecond line' },
        { name: 'SINGLE', value: 'no $expansion \\n here' },
        { name: 'INLINE', value: 'value' },
        { name: 'EMPTY', value: '' },
      ],
      problems: [],
    });
  });

  it('drops the quotes of a quoted value followed by a comment', () => {
    expect(parseDotenv('A="q" # c\nB=\'s p\'   # note').items).toEqual([
      { name: 'A', value: 'q' },
      { name: 'B', value: 's p' },
    ]);
  });

  it('reads a quoted value over several lines and numbers the lines after it', () => {
    expect(parseDotenv('CERT="-----BEGIN-----\nabc\n-----END-----"\n\n\nbroken line\nOK=1')).toEqual({
      items: [
        { name: 'CERT', value: '-----BEGIN-----\nabc\n-----END-----' },
        { name: 'OK', value: '1' },
      ],
      problems: [{ line: 6, message: 'Expected NAME=value' }],
    });
  });

  it('reports an unclosed quote on its own line and reads on after it', () => {
    expect(parseDotenv('A=1\n\nB="never closed\nC=3\n')).toEqual({
      items: [
        { name: 'A', value: '1' },
        { name: 'C', value: '3' },
      ],
      problems: [{ line: 3, message: 'The value opens a " quote that is never closed' }],
    });
  });

  it('reports lines it cannot read, with their numbers after blank lines and CRLF', () => {
    expect(parseDotenv('GOOD=1\r\n\r\n\r\nnot a line\r\nbad.name=2\r\ngood=3').problems).toEqual([
      { line: 4, message: 'Expected NAME=value' },
      { line: 5, message: '"bad.name" is not a valid secret name (letters, digits, - and _)' },
      { line: 6, message: '"good" appears more than once (first on line 1)' },
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

  it('numbers rows by their first line, after blank lines and multi-line fields', () => {
    expect(parseCsv('name,value\n\n\nok,1\nmulti,"x\ny"\n\nbad name,2\nok,3').problems).toEqual([
      { line: 8, message: '"bad name" is not a valid secret name (letters, digits, - and _)' },
      { line: 9, message: '"ok" appears more than once (first on line 4)' },
    ]);
  });

  it('refuses an unterminated quote at the line it opens, without quoting the value', () => {
    const parsed = parseCsv('name,value\na,1\n\nb,"s3cret-unterminated\nc,2\nd,3\n');
    expect(parsed).toEqual({ items: [], problems: [{ line: 4, message: 'A quoted field opens here and is never closed' }] });
  });

  it('refuses stray quotes with the line, without quoting the value', () => {
    expect(parseCsv('name,value\na,1\nb,s3cret"x\n').problems).toEqual([
      { line: 3, message: 'A quote inside an unquoted field (quote the whole field and double any quote in it)' },
    ]);
    expect(JSON.stringify(parseCsv('name,value\nb,"s3cret"x\n'))).not.toContain('s3cret');
  });

  it('needs name and value columns', () => {
    expect(parseCsv('key,secret\na,b').problems[0]?.message).toContain('"name" and "value"');
  });
});

describe('parseImportFile', () => {
  it('picks the parser by extension and reports repeated names case-insensitively', () => {
    expect(parseImportFile('secrets.CSV', 'name,value\na,1\nA,2').problems).toEqual([{ line: 3, message: '"A" appears more than once (first on line 2)' }]);
    expect(parseImportFile('prod.env', 'a=1').items).toEqual([{ name: 'a', value: '1' }]);
  });
});
