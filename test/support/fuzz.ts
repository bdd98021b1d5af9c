/**
 * Seeded hostile input for the fuzz tests. CI runs the fixed seed; a failure
 * prints its seed and message number so the same input can be replayed.
 *
 * STRONGROOM_FUZZ_SEED      the seed (default 1)
 * STRONGROOM_FUZZ_MESSAGES  messages per message-level fuzzer (default 2,000)
 * STRONGROOM_FUZZ_FRAMES    raw frames for the frame-level fuzzer (default 300)
 * STRONGROOM_FUZZ_IDLE_SECONDS  after the message fuzzer, stay idle this long and print
 *                           the bridge's memory every 5 s (a measurement, never asserted)
 */
export const FUZZ_SEED = Number(process.env.STRONGROOM_FUZZ_SEED ?? 1);
export const FUZZ_MESSAGES = Number(process.env.STRONGROOM_FUZZ_MESSAGES ?? 2_000);
export const FUZZ_FRAMES = Number(process.env.STRONGROOM_FUZZ_FRAMES ?? 300);
export const FUZZ_IDLE_SECONDS = Number(process.env.STRONGROOM_FUZZ_IDLE_SECONDS ?? 0);

/** mulberry32: small, fast and good enough to pick test cases; not for anything secret. */
export class FuzzRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  bool(probability = 0.5): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.int(0, 255);
    return out;
  }

  /** Any UTF-16 code units, lone surrogates and control characters included. */
  string(maxLength: number): string {
    const length = this.int(0, maxLength);
    let out = '';
    for (let i = 0; i < length; i++) {
      out += this.bool(0.7) ? String.fromCharCode(this.int(0x20, 0x7e)) : String.fromCharCode(this.int(0, 0xffff));
    }
    return out;
  }
}

/** Keys that have tripped JavaScript code before: prototype pollution and Object.prototype's own names. */
export const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'then'];

/** Numbers at the edges of every representation. */
const EDGE_NUMBERS = [0, -0, -1, 1, 0.5, 2 ** 31, -(2 ** 31), 2 ** 53, -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE, 1e308, -1e308];

/**
 * A hostile JSON text for one value: wrong types, huge strings, deep nesting,
 * prototype keys, edge numbers. Returned as text because some of it
 * (a literal "__proto__" key, nesting deeper than JSON.stringify can write)
 * cannot be built as an object first.
 */
export function hostileValueJson(random: FuzzRandom, depth = 0): string {
  // Huge and deep values only at the top, so one message stays one huge or deep value, not a tree of them.
  const kinds = depth === 0 ? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] : depth <= 3 ? [0, 1, 2, 3, 4, 5, 8, 9, 10] : [0, 1, 2, 3, 4, 5];
  switch (random.pick(kinds)) {
    case 0:
      return 'null';
    case 1:
      return random.bool() ? 'true' : 'false';
    case 2:
      return JSON.stringify(random.pick(EDGE_NUMBERS));
    case 3:
      return random.pick(['1e999', '-1e999', '1.0e-400', '123456789012345678901234567890']);
    case 4:
      return JSON.stringify(random.string(64));
    case 5:
      return JSON.stringify(random.pick(['', ' ', 'AAAA', '../../etc/passwd', '\u0000', '%00', '<script>', '${x}', 'app.status']));
    case 6:
      // Huge: up to 1 MiB of one character.
      return JSON.stringify('x'.repeat(random.int(64 * 1024, 1024 * 1024)));
    case 7: {
      // Deep: arrays or objects nested thousands of levels.
      const levels = random.int(1_000, 20_000);
      return random.bool() ? `${'['.repeat(levels)}${']'.repeat(levels)}` : `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    }
    case 8:
      return `[${Array.from({ length: random.int(0, 5) }, () => hostileValueJson(random, depth + 1)).join(',')}]`;
    default:
      return hostileObjectJson(random, depth + 1);
  }
}

/** A JSON object with at least one key no strict schema accepts, so it can never be a valid request. */
export function hostileObjectJson(random: FuzzRandom, depth = 0, plausibleKeys: readonly string[] = []): string {
  const entries = [`${JSON.stringify(random.bool() ? random.pick(HOSTILE_KEYS) : `x${random.string(8)}`)}:${hostileValueJson(random, depth + 1)}`];
  for (let i = random.int(0, 4); i > 0; i--) {
    const key = plausibleKeys.length > 0 && random.bool(0.7) ? random.pick(plausibleKeys) : random.bool() ? random.pick(HOSTILE_KEYS) : random.string(12);
    entries.push(`${JSON.stringify(key)}:${hostileValueJson(random, depth + 1)}`);
  }
  for (let i = entries.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  return `{${entries.join(',')}}`;
}
