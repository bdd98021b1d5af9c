import { describe, expect, it } from 'vitest';
import { MASK, Sanitizer } from '../../src-delegate/sanitizer.js';

describe('Sanitizer', () => {
  const value = 'p@ss word/with+symbols';

  it.each([
    ['the exact value', value],
    ['its base64', Buffer.from(value).toString('base64')],
    ['its base64 without padding', Buffer.from(value).toString('base64').replace(/=+$/, '')],
    ['its URL-safe base64', Buffer.from(value).toString('base64url')],
    ['its URL encoding', encodeURIComponent(value)],
    ['its JSON escaping', JSON.stringify(value).slice(1, -1)],
  ])('masks %s', (_name, form) => {
    const sanitizer = new Sanitizer();
    sanitizer.track(value);
    const out = sanitizer.mask(`before ${form} after`);
    expect(out).toBe(`before ${MASK} after`);
  });

  it('masks a JSON-escaped value with quotes and backslashes', () => {
    const sanitizer = new Sanitizer();
    const tricky = 'say "hi"\\now';
    sanitizer.track(tricky);
    expect(sanitizer.mask(JSON.stringify({ error: tricky }))).not.toContain('hi"');
  });

  it('masks each line of a multi-line value', () => {
    const sanitizer = new Sanitizer();
    sanitizer.track('-----BEGIN KEY-----\nMIIEabcdefgh\n-----END KEY-----');
    const out = sanitizer.mask('parse error near MIIEabcdefgh');
    expect(out).not.toContain('MIIEabcdefgh');
  });

  it('reports values too short to mask, and leaves ordinary text alone', () => {
    const sanitizer = new Sanitizer();
    expect(sanitizer.track('abc')).toBe(false);
    expect(sanitizer.mask('abc def')).toBe('abc def');
  });

  it('forgets everything on clear', () => {
    const sanitizer = new Sanitizer();
    sanitizer.track(value);
    sanitizer.clear();
    expect(sanitizer.mask(value)).toBe(value);
  });
});
