/**
 * Masks every value the delegate has handled in every text it emits (logs and
 * error messages). Beyond the exact value it masks the forms a value takes
 * when it is transformed on the way out: base64 (standard and URL-safe),
 * URL encoding, JSON string escaping, and each line of a multi-line value.
 */
export const MASK = '[redacted]';
/** Shorter fragments are not masked: they would shred ordinary text. The delegate logs a warning instead. */
export const MIN_MASKABLE_LENGTH = 4;
/** Bounded so a long session cannot grow memory without limit; the oldest values are forgotten first. */
const MAX_TRACKED_FORMS = 200_000;

export class Sanitizer {
  private readonly forms = new Set<string>();
  private sorted: string[] | null = null;

  /** Remembers a value; returns false when it is too short to mask safely. */
  track(value: string): boolean {
    if (value.length < MIN_MASKABLE_LENGTH) return false;
    for (const form of formsOf(value)) {
      if (form.length < MIN_MASKABLE_LENGTH) continue;
      this.forms.delete(form);
      this.forms.add(form);
    }
    while (this.forms.size > MAX_TRACKED_FORMS) {
      const oldest = this.forms.values().next().value as string;
      this.forms.delete(oldest);
    }
    this.sorted = null;
    return true;
  }

  mask(text: string): string {
    if (this.forms.size === 0) return text;
    // Longest first, so a value is masked whole before any of its lines is.
    this.sorted ??= [...this.forms].sort((a, b) => b.length - a.length);
    let out = text;
    for (const form of this.sorted) {
      if (out.includes(form)) out = out.split(form).join(MASK);
    }
    return out;
  }

  clear(): void {
    this.forms.clear();
    this.sorted = null;
  }
}

function formsOf(value: string): string[] {
  const utf8 = Buffer.from(value, 'utf8');
  const base64 = utf8.toString('base64');
  const forms = [
    value,
    base64,
    base64.replace(/=+$/, ''),
    utf8.toString('base64url'),
    encodeURIComponent(value),
    JSON.stringify(value).slice(1, -1),
  ];
  if (/[\r\n]/.test(value)) {
    for (const line of value.split(/\r?\n/)) forms.push(line.trim());
  }
  return forms;
}
