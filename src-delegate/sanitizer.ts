/**
 * Masks every value the delegate has handled in every text it emits (logs and
 * error messages), in the forms a value takes when it is transformed on the
 * way out (`formsOf` below), under both Unicode normalizations.
 *
 * Matching is indexed, so a text costs about the same however many forms are
 * tracked: forms shorter than INDEX_PREFIX are kept in one set per length,
 * longer ones are bucketed by their first INDEX_PREFIX characters. At each
 * position of a text only those sets and one bucket are consulted. Every
 * match is masked, overlapping ones included, so a short form found first
 * cannot leave the rest of a longer one in the clear.
 */
export const MASK = '[redacted]';
/** Shorter fragments are not masked: they would shred ordinary text. The delegate logs a warning instead. */
export const MIN_MASKABLE_LENGTH = 4;
/** Bounded so a long session cannot grow memory without limit; the oldest values are forgotten first. */
const MAX_TRACKED_FORMS = 200_000;
const INDEX_PREFIX = 8;
/**
 * The last values tracked, up to this length, keep their forms for a repeated track. Bounded in count and
 * length, since a form evicted from the index stays in memory while its value is remembered.
 */
const MAX_RECENT_VALUES = 1024;
const MAX_RECENT_VALUE_CHARS = 1024;
/**
 * A longer value (a file) is tracked as is and line by line only: its
 * encodings would cost several times its size in memory, and no log line or
 * error message (at most 2,000 characters) can hold them whole.
 */
const MAX_ENCODED_SOURCE_CHARS = 64 * 1024;

export class Sanitizer {
  /** Every tracked form, oldest first (a Set keeps insertion order). */
  private readonly forms = new Set<string>();
  /**
   * The forms of the values tracked last, oldest first: a value handled again (a copy read back after its
   * write) is found here and its forms only refreshed, instead of being encoded all over again.
   */
  private readonly recent = new Map<string, { forms: string[]; tooShort: boolean }>();
  /** Forms of MIN_MASKABLE_LENGTH..INDEX_PREFIX-1 characters, by length. */
  private readonly short = new Map<number, Set<string>>();
  /** Longer forms, by their first INDEX_PREFIX characters. */
  private readonly long = new Map<string, Set<string>>();

  /**
   * Remembers a value. Returns false when the value, or one of its lines,
   * is too short to mask safely: that part is not masked, and the caller
   * warns.
   */
  track(value: string): boolean {
    const known = this.recent.get(value);
    if (known && known.forms.every((form) => this.forms.has(form))) {
      // Still tracked whole: the forms move to the newest end, where a fresh track would put them.
      for (const form of known.forms) {
        this.forms.delete(form);
        this.forms.add(form);
      }
      this.recent.delete(value);
      this.recent.set(value, known);
      return !known.tooShort;
    }
    const { forms, tooShort } = formsOf(value);
    for (const form of forms) {
      this.forget(form);
      this.remember(form);
    }
    while (this.forms.size > MAX_TRACKED_FORMS) this.forget(this.forms.values().next().value as string);
    this.recent.delete(value);
    if (value.length <= MAX_RECENT_VALUE_CHARS) this.recent.set(value, { forms: [...forms], tooShort });
    while (this.recent.size > MAX_RECENT_VALUES) this.recent.delete(this.recent.keys().next().value as string);
    return !tooShort;
  }

  mask(text: string): string {
    if (this.forms.size === 0 || text.length < MIN_MASKABLE_LENGTH) return text;
    // Covered ranges as [start, end) pairs, found left to right.
    const covered: number[] = [];
    for (let at = 0; at <= text.length - MIN_MASKABLE_LENGTH; at++) {
      const end = at + this.longestMatchAt(text, at);
      if (end === at) continue;
      const last = covered.length - 1;
      if (last > 0 && at <= covered[last]!) covered[last] = Math.max(covered[last]!, end);
      else covered.push(at, end);
    }
    if (covered.length === 0) return text;
    let out = '';
    let from = 0;
    for (let i = 0; i < covered.length; i += 2) {
      out += text.slice(from, covered[i]) + MASK;
      from = covered[i + 1]!;
    }
    return out + text.slice(from);
  }

  clear(): void {
    this.recent.clear();
    this.forms.clear();
    this.short.clear();
    this.long.clear();
  }

  private longestMatchAt(text: string, at: number): number {
    let longest = 0;
    const bucket = this.long.get(text.substr(at, INDEX_PREFIX));
    if (bucket) {
      for (const form of bucket) if (form.length > longest && text.startsWith(form, at)) longest = form.length;
    }
    if (longest > 0) return longest;
    for (let length = INDEX_PREFIX - 1; length >= MIN_MASKABLE_LENGTH; length--) {
      if (this.short.get(length)?.has(text.substr(at, length))) return length;
    }
    return 0;
  }

  private remember(form: string): void {
    this.forms.add(form);
    const [index, key] = form.length < INDEX_PREFIX ? [this.short, form.length] : [this.long, form.slice(0, INDEX_PREFIX)];
    let set = (index as Map<unknown, Set<string>>).get(key);
    if (!set) (index as Map<unknown, Set<string>>).set(key, (set = new Set()));
    set.add(form);
  }

  private forget(form: string): void {
    if (!this.forms.delete(form)) return;
    const [index, key] = form.length < INDEX_PREFIX ? [this.short, form.length] : [this.long, form.slice(0, INDEX_PREFIX)];
    const set = (index as Map<unknown, Set<string>>).get(key)!;
    set.delete(form);
    if (set.size === 0) (index as Map<unknown, Set<string>>).delete(key);
  }
}

/** Hex digits of %XX and \uXXXX escapes in lower case: many encoders write them so. */
const lowerEscapes = (text: string) => text.replace(/%[0-9A-F]{2}|\\u[0-9A-F]{4}/g, (escape) => escape.toLowerCase());
const upperEscapes = (text: string) => text.replace(/\\u[0-9a-f]{4}/g, (escape) => `\\u${escape.slice(2).toUpperCase()}`);
const jsonEscaped = (text: string) => JSON.stringify(text).slice(1, -1);
/** JSON with every non-ASCII character as \uxxxx (Python's json.dumps, many loggers). */
const asciiJson = (text: string) => jsonEscaped(text).replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
/** Every UTF-16 unit as \uxxxx. */
const allUnicodeEscaped = (text: string) => [...text].map((char) => [...char].map((unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')).join('');
const formEncoded = (text: string) => new URLSearchParams([['', text]]).toString().slice(1);

/**
 * The base64 characters that encode only the value's bytes when the value
 * sits at each of the three byte offsets of a longer encoded string, as in
 * `Authorization: Basic base64("root:" + secret)`. Characters that mix in
 * bits of neighbouring bytes are left out.
 */
function embeddedBase64(bytes: Buffer): string[] {
  const out: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const first = Math.ceil((offset * 8) / 6);
    const end = Math.floor(((offset + bytes.length) * 8) / 6);
    const core = encoded.slice(first, end);
    out.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return out;
}

/** The forms one spelling of a value takes on the way out. */
function transformsOf(value: string): string[] {
  const utf8 = Buffer.from(value, 'utf8');
  const base64 = utf8.toString('base64');
  const json = jsonEscaped(value);
  const forms = [
    value,
    base64,
    base64.replace(/=+$/, ''),
    utf8.toString('base64url'),
    ...embeddedBase64(utf8),
    utf8.toString('hex'),
    utf8.toString('hex').toUpperCase(),
    json,
    jsonEscaped(json),
    asciiJson(value),
    upperEscapes(asciiJson(value)),
    allUnicodeEscaped(value),
    upperEscapes(allUnicodeEscaped(value)),
  ];
  for (const encoded of [encodeURIComponent(value), encodeURI(value), formEncoded(value), encodeURIComponent(value).replace(/%20/g, '+')]) {
    forms.push(encoded, lowerEscapes(encoded));
  }
  return forms;
}

export function formsOf(value: string): { forms: Set<string>; tooShort: boolean } {
  const forms = new Set<string>();
  let tooShort = value.length < MIN_MASKABLE_LENGTH;
  for (const spelling of new Set([value, value.normalize('NFC'), value.normalize('NFD')])) {
    const spellingForms = spelling.length > MAX_ENCODED_SOURCE_CHARS ? [spelling] : transformsOf(spelling);
    for (const form of spellingForms) if (form.length >= MIN_MASKABLE_LENGTH) forms.add(form);
    if (/[\r\n]/.test(spelling)) {
      for (const line of spelling.split(/\r?\n/)) {
        const trimmed = line.trim();
        if (trimmed.length >= MIN_MASKABLE_LENGTH) forms.add(trimmed);
        else if (trimmed.length > 0) tooShort = true;
      }
    }
  }
  return { forms, tooShort };
}
