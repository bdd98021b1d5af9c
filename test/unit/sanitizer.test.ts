import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MASK, Sanitizer } from '../../src-delegate/sanitizer.js';
import { DelegateLog } from '../../src-delegate/delegate-log.js';
import { DelegateService } from '../../src-delegate/delegate-service.js';
import { sealBindings, sealValues } from '../../src-shared/delegate-protocol.js';

/** Space, plus, slash, quotes, a backslash, and "é" precomposed (NFC): every encoder below changes something. */
const VALUE = 'p@ss wörd/"q"+\\é~!*';
const utf8 = Buffer.from(VALUE, 'utf8');
const hexEscape = (code: number) => `\\u${code.toString(16).padStart(4, '0')}`;

/** Each form built the way some other program would build it, not by the sanitizer's code. */
const forms: [string, string][] = [
  ['the exact value', VALUE],
  ['base64', utf8.toString('base64')],
  ['base64 without padding', utf8.toString('base64').replace(/=+$/, '')],
  ['URL-safe base64', utf8.toString('base64url')],
  ['encodeURIComponent (upper-case %XX)', encodeURIComponent(VALUE)],
  ['lower-case %xx', encodeURIComponent(VALUE).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())],
  ['form encoding (+ for space)', new URLSearchParams({ v: VALUE }).toString().slice(2)],
  ['form encoding, lower-case %xx', new URLSearchParams({ v: VALUE }).toString().slice(2).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())],
  ['encodeURIComponent with + for space', encodeURIComponent(VALUE).replace(/%20/g, '+')],
  ['encodeURI', encodeURI(VALUE)],
  ['JSON escaping', JSON.stringify(VALUE).slice(1, -1)],
  ['double JSON escaping (a JSON record inside a JSON string)', JSON.stringify(JSON.stringify(VALUE).slice(1, -1)).slice(1, -1)],
  ['JSON with non-ASCII as \\uxxxx', JSON.stringify(VALUE).slice(1, -1).replace(/[^\x20-\x7e]/g, (c) => hexEscape(c.charCodeAt(0)))],
  ['JSON with non-ASCII as \\uXXXX', JSON.stringify(VALUE).slice(1, -1).replace(/[^\x20-\x7e]/g, (c) => hexEscape(c.charCodeAt(0)).toUpperCase().replace('\\U', '\\u'))],
  ['every character as \\uxxxx', [...VALUE].map((c) => hexEscape(c.charCodeAt(0))).join('')],
  ['every character as \\uXXXX', [...VALUE].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`).join('')],
  ['hex, lower case', utf8.toString('hex')],
  ['hex, upper case', utf8.toString('hex').toUpperCase()],
  ['the NFD spelling', VALUE.normalize('NFD')],
  ['the NFD spelling, base64', Buffer.from(VALUE.normalize('NFD')).toString('base64')],
  ['the NFD spelling, %xx', encodeURIComponent(VALUE.normalize('NFD')).toLowerCase()],
];

describe('Sanitizer: every form of a value', () => {
  it.each(forms)('masks %s', (_name, form) => {
    const sanitizer = new Sanitizer();
    expect(sanitizer.track(VALUE)).toBe(true);
    expect(form).not.toBe('');
    expect(sanitizer.mask(`before ${form} after`)).toBe(`before ${MASK} after`);
  });

  it('masks the NFC spelling of a value handled in NFD', () => {
    const sanitizer = new Sanitizer();
    sanitizer.track(VALUE.normalize('NFD'));
    expect(sanitizer.mask(`x ${VALUE.normalize('NFC')} y`)).toBe(`x ${MASK} y`);
  });

  // The secret starts at byte 5, 3, 2 and 4 of the encoded string: 2, 0, 2 and 1 mod 3, so every alignment is covered.
  it.each([
    ['root:', 'standard'],
    ['ro:', 'standard'],
    ['r:', 'standard'],
    ['adm:', 'standard'],
    ['root:', 'url-safe'],
    ['adm:', 'url-safe'],
  ])('masks base64("%s" + secret) inside a longer string (%s alphabet)', (prefix, alphabet) => {
    const sanitizer = new Sanitizer();
    const secret = 's3cr3t-Pa55word';
    sanitizer.track(secret);
    const encoded = Buffer.from(prefix + secret).toString(alphabet === 'url-safe' ? 'base64url' : 'base64');
    const out = sanitizer.mask(`Authorization: Basic ${encoded}`);
    // What may stay in the clear: the characters that encode the prefix (and one that mixes it in), and the last partial group.
    const prefixChars = Math.ceil((Buffer.byteLength(prefix) * 8) / 6);
    const clearBefore = out.slice('Authorization: Basic '.length, out.indexOf(MASK));
    expect(out).toContain(MASK);
    expect(clearBefore.length).toBeLessThanOrEqual(prefixChars);
    expect(out.slice(out.indexOf(MASK) + MASK.length).length).toBeLessThanOrEqual(3);
  });

  it('covers the three byte alignments with the prefixes above', () => {
    expect(new Set(['root:', 'ro:', 'r:', 'adm:'].map((prefix) => prefix.length % 3))).toEqual(new Set([0, 1, 2]));
  });

  it('masks each line of a multi-line value', () => {
    const sanitizer = new Sanitizer();
    sanitizer.track('-----BEGIN KEY-----\nMIIEabcdefgh\n-----END KEY-----');
    expect(sanitizer.mask('parse error near MIIEabcdefgh')).toBe(`parse error near ${MASK}`);
  });

  it('masks overlapping values whole: a short match found first does not leave the rest of a longer one', () => {
    const sanitizer = new Sanitizer();
    sanitizer.track('abcdXY');
    sanitizer.track('cdXYsecret-tail');
    expect(sanitizer.mask('--abcdXYsecret-tail--')).toBe(`--${MASK}--`);
  });

  it('masks a value inside a JSON record logged as a JSON string', () => {
    const sanitizer = new Sanitizer();
    sanitizer.track(VALUE);
    expect(sanitizer.mask(JSON.stringify({ line: JSON.stringify({ error: VALUE }) }))).toBe(JSON.stringify({ line: JSON.stringify({ error: MASK }) }));
  });

  it('masks a JSON-escaped value with quotes and backslashes', () => {
    const sanitizer = new Sanitizer();
    const tricky = 'say "hi"\\now';
    sanitizer.track(tricky);
    expect(sanitizer.mask(JSON.stringify({ error: tricky }))).not.toContain('hi"');
  });

  it('does not mask values or lines under 4 characters, and says so', () => {
    const sanitizer = new Sanitizer();
    expect(sanitizer.track('abc')).toBe(false);
    expect(sanitizer.mask('abc def')).toBe('abc def');
    expect(sanitizer.track('a long first line\nok\nanother long line')).toBe(false);
    expect(sanitizer.mask('a long first line')).toBe(MASK);
    expect(sanitizer.track('a long first line\n\nanother long line')).toBe(true);
  });

  it('forgets everything on clear', () => {
    const sanitizer = new Sanitizer();
    sanitizer.track(VALUE);
    sanitizer.clear();
    expect(sanitizer.mask(VALUE)).toBe(VALUE);
  });

  it('masks every form of a value tracked again, and warns again about its short lines', () => {
    const sanitizer = new Sanitizer();
    sanitizer.track(VALUE);
    sanitizer.track('another value');
    expect(sanitizer.track(VALUE)).toBe(true);
    for (const [, form] of forms) expect(sanitizer.mask(`[${form}]`)).toBe(`[${MASK}]`);
    expect(sanitizer.track('a long first line\nok')).toBe(false);
    expect(sanitizer.track('a long first line\nok')).toBe(false);
  });

  it('encodes a value tracked again anew once its forms were pushed out by newer ones', () => {
    const sanitizer = new Sanitizer();
    sanitizer.track(VALUE);
    // A few large values of many lines each: the value's forms go while the value itself is still among the last tracked.
    for (let i = 0; i < 4; i++) sanitizer.track(Array.from({ length: 60_000 }, (_, line) => `file ${i} line ${line}`).join('\n'));
    expect(sanitizer.mask(VALUE)).toBe(VALUE);
    sanitizer.track(VALUE);
    for (const [, form] of forms) expect(sanitizer.mask(`[${form}]`)).toBe(`[${MASK}]`);
  });

  it('tracks a large file value as is and line by line', () => {
    const sanitizer = new Sanitizer();
    const file = `${'x'.repeat(70 * 1024)}\nfile-canary-line`;
    sanitizer.track(file);
    expect(sanitizer.mask('near file-canary-line')).toBe(`near ${MASK}`);
  });
});

describe('the delegate log', () => {
  it('never masks inside the record\'s keys and fixed fields', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strongroom-log-'));
    try {
      const sanitizer = new Sanitizer();
      for (const common of ['warn', 'level', 'message', 'delegate', 'process']) sanitizer.track(common);
      const log = new DelegateLog(dir, sanitizer);
      log.write('warn', 'the provider said warn', { detail: 'warn', nested: { list: ['a message here'] }, count: 3 });
      const record = JSON.parse(readFileSync(join(dir, 'delegate.log'), 'utf8')) as Record<string, unknown>;
      expect(Object.keys(record)).toEqual(['at', 'level', 'process', 'pid', 'message', 'detail', 'nested', 'count']);
      expect(record).toMatchObject({ level: 'warn', process: 'delegate', pid: process.pid, message: `the provider said ${MASK}`, detail: MASK, nested: { list: [`a ${MASK} here`] }, count: 3 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the delegate service', () => {
  it('keeps masking the master passphrase after vault.create', async () => {
    const sanitizer = new Sanitizer();
    const service = await DelegateService.create(sanitizer, new DelegateLog(null, sanitizer));
    const { publicKey } = (await service.handle({ op: 'hello' })) as { publicKey: string };
    const passphrase = 'the master passphrase, long';
    await service.handle({ op: 'keyring.create', sealed: await sealValues(publicKey, sealBindings.vaultCreate(), [passphrase]) });
    expect(sanitizer.mask(`echoed: ${passphrase}`)).toBe(`echoed: ${MASK}`);
    expect(sanitizer.mask(`echoed: ${Buffer.from(passphrase).toString('hex')}`)).toBe(`echoed: ${MASK}`);
  });
});
