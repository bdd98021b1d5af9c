/**
 * Key derivations started ahead of an unlock, from the `prepareUnlock` frame
 * (src-shared/delegate-start-protocol.ts): the scrypt runs on the thread pool
 * while the delegate and its owner's core finish loading.
 *
 * A prepared key proves nothing and grants nothing by itself: only the
 * `keyring.unlock` that main sends after its own checks (the unlock delay,
 * the audit) can use it, and only when its passphrase and KDF parameters are
 * the same. Each is used once: taken by that unlock, or wiped when an unlock
 * with another passphrase asks for it, at lock, or after a minute unused.
 */
import { timingSafeEqual } from 'node:crypto';
import type { KdfParams } from '../src-shared/delegate-protocol.js';
import { deriveKek } from './keyring.js';

const UNUSED_FOR_MS = 60_000;

interface Prepared {
  passphrase: Buffer;
  kek: Promise<Buffer>;
  expiry: NodeJS.Timeout;
}

const kdfKey = (kdf: KdfParams) => `${kdf.algorithm}:${kdf.N}:${kdf.r}:${kdf.p}:${kdf.salt}`;
const passphraseBytes = (passphrase: string) => Buffer.from(passphrase.normalize('NFC'), 'utf8');

export class PreparedUnlocks {
  private readonly prepared = new Map<string, Prepared>();

  /** Starts one derivation per set of parameters; one already prepared for them is replaced. */
  prepare(passphrase: string, kdfs: KdfParams[]): void {
    for (const kdf of kdfs) {
      const key = kdfKey(kdf);
      this.discard(key);
      const kek = deriveKek(passphrase, kdf);
      // A failed derivation is reported by the unlock that takes it; unused, it has nothing to report.
      kek.catch(() => undefined);
      const expiry = setTimeout(() => this.discard(key), UNUSED_FOR_MS);
      expiry.unref();
      this.prepared.set(key, { passphrase: passphraseBytes(passphrase), kek, expiry });
    }
  }

  /**
   * The key derived ahead for this passphrase and these parameters, now owned by the caller (who wipes it),
   * or null: none was prepared, or it was prepared for another passphrase (and is wiped).
   */
  take(passphrase: string, kdf: KdfParams): Promise<Buffer> | null {
    const key = kdfKey(kdf);
    const prepared = this.prepared.get(key);
    if (!prepared) return null;
    this.prepared.delete(key);
    clearTimeout(prepared.expiry);
    const given = passphraseBytes(passphrase);
    const same = given.length === prepared.passphrase.length && timingSafeEqual(given, prepared.passphrase);
    given.fill(0);
    prepared.passphrase.fill(0);
    if (same) return prepared.kek;
    void prepared.kek.then((kek) => kek.fill(0), () => undefined);
    return null;
  }

  /** Wipes every prepared key (at lock). */
  wipe(): void {
    for (const key of [...this.prepared.keys()]) this.discard(key);
  }

  private discard(key: string): void {
    const prepared = this.prepared.get(key);
    if (!prepared) return;
    this.prepared.delete(key);
    clearTimeout(prepared.expiry);
    prepared.passphrase.fill(0);
    void prepared.kek.then((kek) => kek.fill(0), () => undefined);
  }
}
