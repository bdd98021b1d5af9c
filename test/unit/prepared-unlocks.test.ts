/** Keys derived ahead of an unlock: each is taken once, only with its own passphrase and parameters, and wiped otherwise. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deriveKek } from '../../src-delegate/keyring.js';
import { PreparedUnlocks } from '../../src-delegate/prepared-unlocks.js';

const kdf = { algorithm: 'scrypt' as const, N: 2 ** 14, r: 8, p: 1, salt: 'c2FsdHNhbHRzYWx0c2FsdA==' };
const otherSalt = { ...kdf, salt: 'b3RoZXJvdGhlcm90aGVyIQ==' };

describe('PreparedUnlocks', () => {
  afterEach(() => vi.useRealTimers());

  it('gives the key derived for the same passphrase and parameters, once', async () => {
    const prepared = new PreparedUnlocks();
    prepared.prepare('the passphrase', [kdf, otherSalt]);
    const taken = prepared.take('the passphrase', kdf);
    expect(taken).not.toBeNull();
    expect(await taken).toEqual(await deriveKek('the passphrase', kdf));
    expect(prepared.take('the passphrase', kdf)).toBeNull();
    expect(await prepared.take('the passphrase', otherSalt)).toEqual(await deriveKek('the passphrase', otherSalt));
  });

  it('gives nothing for another passphrase, and wipes the key so the right one finds nothing either', async () => {
    const prepared = new PreparedUnlocks();
    prepared.prepare('the passphrase', [kdf]);
    expect(prepared.take('a guess', kdf)).toBeNull();
    expect(prepared.take('the passphrase', kdf)).toBeNull();
  });

  it('gives nothing for parameters it did not prepare', () => {
    const prepared = new PreparedUnlocks();
    prepared.prepare('the passphrase', [kdf]);
    expect(prepared.take('the passphrase', { ...kdf, N: 2 ** 15 })).toBeNull();
    expect(prepared.take('the passphrase', otherSalt)).toBeNull();
  });

  it('wipes every prepared key at lock, and an unused one after a minute', async () => {
    const prepared = new PreparedUnlocks();
    prepared.prepare('the passphrase', [kdf]);
    prepared.wipe();
    expect(prepared.take('the passphrase', kdf)).toBeNull();

    vi.useFakeTimers();
    prepared.prepare('the passphrase', [kdf]);
    vi.advanceTimersByTime(59_999);
    const kept = prepared.take('the passphrase', kdf);
    expect(kept).not.toBeNull();
    await kept;
    prepared.prepare('the passphrase', [kdf]);
    vi.advanceTimersByTime(60_000);
    expect(prepared.take('the passphrase', kdf)).toBeNull();
  });
});
