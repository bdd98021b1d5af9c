/**
 * The master keyring. It exists only in the delegate and only while the store
 * is unlocked. Each version is 256 random bits wrapped by a key derived from
 * the passphrase with scrypt; the KDF parameters live beside the wrapped key
 * so they can be raised later without breaking old stores.
 */
import { randomBytes, scrypt as scryptCallback } from 'node:crypto';
import { promisify } from 'node:util';
import type { KdfParams, KeyringEntry, WrappedByKeyring } from '../src-shared/delegate-protocol.js';
import { AeadError, AeadFormatError, open, seal } from './aead.js';
import { rowMacKey } from './row-mac.js';

const scrypt = promisify(scryptCallback) as (password: Buffer, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;

/** scrypt N=2^17, r=8, p=1: the floor the architecture sets (about 128 MiB, 0.5 s here). */
export const DEFAULT_KDF: Omit<KdfParams, 'salt'> = { algorithm: 'scrypt', N: 2 ** 17, r: 8, p: 1 };

export class WrongPassphraseError extends Error {}

/**
 * A stored key blob is malformed, or fails authentication under a key the
 * passphrase did open: the passphrase is right and the store is damaged.
 */
export class DamagedKeyringError extends Error {}

/** Whether parameters cost an attacker less than today's defaults do. */
export function belowDefaults(kdf: KdfParams): boolean {
  return kdf.N < DEFAULT_KDF.N || kdf.r < DEFAULT_KDF.r || kdf.p < DEFAULT_KDF.p;
}

export async function deriveKek(passphrase: string, kdf: KdfParams): Promise<Buffer> {
  // NFC so the same passphrase typed on different platforms derives the same key.
  const password = Buffer.from(passphrase.normalize('NFC'), 'utf8');
  try {
    return await scrypt(password, Buffer.from(kdf.salt, 'base64'), 32, {
      N: kdf.N,
      r: kdf.r,
      p: kdf.p,
      maxmem: 256 * kdf.N * kdf.r + 16 * 1024 * 1024,
    });
  } finally {
    password.fill(0);
  }
}

/** Derives a version's key-encryption key; an unlock may take one derived ahead (prepared-unlocks.ts). The caller wipes it. */
export type KekDerivation = (passphrase: string, kdf: KdfParams) => Promise<Buffer>;

const keyringAad = (version: number) => Buffer.from(`strongroom/keyring/v1\0${version}`, 'utf8');
const auditKeyAad = Buffer.from('strongroom/audit-key/v1', 'utf8');

/** The unlocked keyring: master keys by version, and the audit MAC key. */
export class Keyring {
  private rowMacKeyBytes: Buffer;

  private constructor(
    private readonly masterKeys: Map<number, Buffer>,
    private auditKeyBytes: Buffer,
  ) {
    this.rowMacKeyBytes = rowMacKey(auditKeyBytes);
  }

  /** Creates a new keyring at version 1, with a fresh audit MAC key. */
  static async create(passphrase: string): Promise<{ keyring: Keyring; entry: KeyringEntry; auditKey: WrappedByKeyring }> {
    const kdf: KdfParams = { ...DEFAULT_KDF, salt: randomBytes(16).toString('base64') };
    const kek = await deriveKek(passphrase, kdf);
    const masterKey = randomBytes(32);
    const auditKeyBytes = randomBytes(32);
    try {
      const entry: KeyringEntry = { version: 1, kdf, wrappedKey: seal(kek, masterKey, keyringAad(1)).toString('base64') };
      const auditKey: WrappedByKeyring = { keyringVersion: 1, wrapped: seal(masterKey, auditKeyBytes, auditKeyAad).toString('base64') };
      return { keyring: new Keyring(new Map([[1, masterKey]]), auditKeyBytes), entry, auditKey };
    } finally {
      kek.fill(0);
    }
  }

  /**
   * Unwraps every keyring version, then the audit key. Only the oldest
   * version failing authentication means a wrong passphrase: once it opened,
   * the passphrase is proven right, so any later failure, and any blob that
   * is not a blob at all, is damage and is named as such.
   */
  static async unlock(passphrase: string, entries: KeyringEntry[], auditKey: WrappedByKeyring, derive: KekDerivation = deriveKek): Promise<Keyring> {
    const masterKeys = new Map<number, Buffer>();
    try {
      const ordered = [...entries].sort((a, b) => a.version - b.version);
      for (const [index, entry] of ordered.entries()) {
        const kek = await derive(passphrase, entry.kdf);
        try {
          masterKeys.set(entry.version, open(kek, Buffer.from(entry.wrappedKey, 'base64'), keyringAad(entry.version)));
        } catch (error) {
          if (!(error instanceof AeadError)) throw error;
          if (index === 0 && !(error instanceof AeadFormatError)) throw new WrongPassphraseError('wrong passphrase');
          throw new DamagedKeyringError(`The stored keyring version ${entry.version} is damaged (${error.message}): the passphrase is right, but this key cannot be opened.`);
        } finally {
          kek.fill(0);
        }
      }
      const auditMaster = masterKeys.get(auditKey.keyringVersion);
      if (!auditMaster) throw new DamagedKeyringError(`The stored audit key names keyring version ${auditKey.keyringVersion}, which the store does not have.`);
      try {
        return new Keyring(masterKeys, open(auditMaster, Buffer.from(auditKey.wrapped, 'base64'), auditKeyAad));
      } catch (error) {
        if (!(error instanceof AeadError)) throw error;
        throw new DamagedKeyringError(`The stored audit key is damaged (${error.message}): the passphrase is right, but the audit trail's key cannot be opened.`);
      }
    } catch (error) {
      for (const key of masterKeys.values()) key.fill(0);
      throw error;
    }
  }

  /**
   * Adds keyring version `version` (a new master key under the passphrase, with
   * today's KDF parameters) and re-wraps the audit key under it. The passphrase
   * must open the current version. A version of that number held from an
   * attempt main never stored is replaced.
   */
  async addVersion(passphrase: string, current: KeyringEntry, version: number): Promise<{ entry: KeyringEntry; auditKey: WrappedByKeyring }> {
    const check = await deriveKek(passphrase, current.kdf);
    try {
      open(check, Buffer.from(current.wrappedKey, 'base64'), keyringAad(current.version));
    } catch (error) {
      if (error instanceof AeadError) throw new WrongPassphraseError('wrong passphrase');
      throw error;
    } finally {
      check.fill(0);
    }
    const kdf: KdfParams = { ...DEFAULT_KDF, salt: randomBytes(16).toString('base64') };
    const kek = await deriveKek(passphrase, kdf);
    const masterKey = randomBytes(32);
    try {
      const entry: KeyringEntry = { version, kdf, wrappedKey: seal(kek, masterKey, keyringAad(version)).toString('base64') };
      this.masterKeys.get(version)?.fill(0);
      this.masterKeys.set(version, masterKey);
      return { entry, auditKey: { keyringVersion: version, wrapped: seal(masterKey, this.auditKeyBytes, auditKeyAad).toString('base64') } };
    } finally {
      kek.fill(0);
    }
  }

  /**
   * Keyring versions whose KDF parameters are below today's defaults (the
   * defaults rose since they were written), re-wrapped under one key derived
   * with the defaults and a fresh salt. The master keys do not change, so
   * nothing wrapped by them does. Empty when every version is up to date.
   */
  async raiseKdf(passphrase: string, entries: KeyringEntry[]): Promise<KeyringEntry[]> {
    const weak = entries.filter((entry) => belowDefaults(entry.kdf));
    if (weak.length === 0) return [];
    const kdf: KdfParams = { ...DEFAULT_KDF, salt: randomBytes(16).toString('base64') };
    const kek = await deriveKek(passphrase, kdf);
    try {
      return weak.map((entry) => ({ version: entry.version, kdf, wrappedKey: seal(kek, this.masterKey(entry.version), keyringAad(entry.version)).toString('base64') }));
    } finally {
      kek.fill(0);
    }
  }

  get currentVersion(): number {
    return Math.max(...this.masterKeys.keys());
  }

  masterKey(version: number): Buffer {
    const key = this.masterKeys.get(version);
    if (!key) throw new AeadError(`keyring version ${version} is not in this keyring`);
    return key;
  }

  get auditKey(): Buffer {
    return this.auditKeyBytes;
  }

  /** The key of the `secrets` row MACs, derived from the audit key. */
  get rowMacKey(): Buffer {
    return this.rowMacKeyBytes;
  }

  /** Overwrites every key byte; the object is unusable afterwards. */
  wipe(): void {
    for (const key of this.masterKeys.values()) key.fill(0);
    this.masterKeys.clear();
    this.auditKeyBytes.fill(0);
    this.auditKeyBytes = Buffer.alloc(0);
    this.rowMacKeyBytes.fill(0);
    this.rowMacKeyBytes = Buffer.alloc(0);
  }
}
