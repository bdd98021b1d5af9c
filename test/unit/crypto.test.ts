import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { Keyring, WrongPassphraseError } from '../../src-delegate/keyring.js';
import { decryptVersion, encryptVersion } from '../../src-delegate/envelope.js';
import { AeadError, open, seal } from '../../src-delegate/aead.js';
import { createSealRecipient, sealBindings, sealValues } from '../../src-shared/sealed-box.js';
import type { EncryptedVersion, SecretAddress } from '../../src-shared/delegate-protocol.js';

const PASSPHRASE = 'correct horse battery staple';

function flipBit(base64: string, byteIndex: number): string {
  const bytes = Buffer.from(base64, 'base64');
  const index = byteIndex < 0 ? bytes.length + byteIndex : byteIndex;
  bytes[index] = bytes[index]! ^ 0x01;
  return bytes.toString('base64');
}

describe('AES-256-GCM blobs', () => {
  const key = Buffer.alloc(32, 7);
  const aad = Buffer.from('context');

  it('round-trips and starts with the format version byte', () => {
    const blob = seal(key, Buffer.from('hello'), aad);
    expect(blob[0]).toBe(0x01);
    expect(blob.length).toBe(1 + 12 + 5 + 16);
    expect(open(key, blob, aad).toString()).toBe('hello');
  });

  it('rejects a wrong AAD, a wrong key and an unknown format version', () => {
    const blob = seal(key, Buffer.from('hello'), aad);
    expect(() => open(key, blob, Buffer.from('other'))).toThrow(AeadError);
    expect(() => open(Buffer.alloc(32, 8), blob, aad)).toThrow(AeadError);
    const wrongVersion = Buffer.from(blob);
    wrongVersion[0] = 0x02;
    expect(() => open(key, wrongVersion, aad)).toThrow(AeadError);
    expect(() => open(key, blob.subarray(0, 20), aad)).toThrow(AeadError);
  });
});

describe('keyring and envelope encryption', () => {
  let keyring: Keyring;
  let created: Awaited<ReturnType<typeof Keyring.create>>;
  const address = (overrides: Partial<SecretAddress> = {}): SecretAddress => ({
    secretId: '2f0c3a57-5d0e-4d7a-9a43-3f7f0b1c9a10',
    version: 1,
    type: 'text',
    managerId: 'local',
    ...overrides,
  });

  beforeAll(async () => {
    created = await Keyring.create(PASSPHRASE);
    keyring = created.keyring;
  });

  it('stores scrypt parameters at or above N=2^17 beside the wrapped key', () => {
    expect(created.entry.kdf).toMatchObject({ algorithm: 'scrypt', r: 8, p: 1 });
    expect(created.entry.kdf.N).toBeGreaterThanOrEqual(2 ** 17);
    expect(Buffer.from(created.entry.kdf.salt, 'base64')).toHaveLength(16);
  });

  it('unlocks with the right passphrase and refuses a wrong one', async () => {
    const unlocked = await Keyring.unlock(PASSPHRASE, [created.entry], created.auditKey);
    expect(unlocked.auditKey.equals(keyring.auditKey)).toBe(true);
    expect(unlocked.masterKey(1).equals(keyring.masterKey(1))).toBe(true);
    await expect(Keyring.unlock('not the passphrase', [created.entry], created.auditKey)).rejects.toThrow(WrongPassphraseError);
  });

  it('treats a tampered wrapped master key as a wrong passphrase, never as a key', async () => {
    const tampered = { ...created.entry, wrappedKey: flipBit(created.entry.wrappedKey, 20) };
    await expect(Keyring.unlock(PASSPHRASE, [tampered], created.auditKey)).rejects.toThrow(WrongPassphraseError);
  });

  it('round-trips a value with a fresh data key per version', () => {
    const a = encryptVersion(keyring, address(), Buffer.from('s3cret'));
    const b = encryptVersion(keyring, address(), Buffer.from('s3cret'));
    expect(a.wrappedKey).not.toBe(b.wrappedKey);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a.keyringVersion).toBe(1);
    expect(decryptVersion(keyring, address(), a).toString()).toBe('s3cret');
  });

  describe('tampering is rejected', () => {
    let encrypted: EncryptedVersion;
    beforeAll(() => {
      encrypted = encryptVersion(keyring, address(), Buffer.from('the value'));
    });

    it.each([
      ['a bit flip in the ciphertext body', () => ({ ...encrypted, ciphertext: flipBit(encrypted.ciphertext, 14) })],
      ['a bit flip in the nonce', () => ({ ...encrypted, ciphertext: flipBit(encrypted.ciphertext, 3) })],
      ['a bit flip in the tag', () => ({ ...encrypted, ciphertext: flipBit(encrypted.ciphertext, -1) })],
      ['a bit flip in the wrapped data key', () => ({ ...encrypted, wrappedKey: flipBit(encrypted.wrappedKey, 15) })],
      ['an unknown keyring version', () => ({ ...encrypted, keyringVersion: 2 })],
    ])('%s', (_name, mutate) => {
      expect(() => decryptVersion(keyring, address(), mutate())).toThrow(AeadError);
    });

    it.each([
      ['another secret id (row swapped)', { secretId: randomUUID() }],
      ['another version', { version: 2 }],
      ['another manager', { managerId: 'aws-kms-1' }],
    ])('a ciphertext moved to %s', (_name, overrides) => {
      expect(() => decryptVersion(keyring, address(overrides as Partial<SecretAddress>), encrypted)).toThrow(AeadError);
    });

    it('data keys swapped between two secrets', () => {
      const other = address({ secretId: randomUUID() });
      const otherEncrypted = encryptVersion(keyring, other, Buffer.from('other value'));
      expect(() => decryptVersion(keyring, address(), { ...encrypted, wrappedKey: otherEncrypted.wrappedKey })).toThrow(AeadError);
      expect(() => decryptVersion(keyring, other, { ...otherEncrypted, wrappedKey: encrypted.wrappedKey })).toThrow(AeadError);
    });
  });

  it('wipe zeroes every key', async () => {
    const temporary = await Keyring.unlock(PASSPHRASE, [created.entry], created.auditKey);
    const master = temporary.masterKey(1);
    temporary.wipe();
    expect(master.every((byte) => byte === 0)).toBe(true);
    expect(() => temporary.masterKey(1)).toThrow();
  });
});

describe('HPKE sealed values', () => {
  it('round-trips a batch bound to its operation', async () => {
    const recipient = await createSealRecipient();
    const sealed = await sealValues(recipient.publicKey, sealBindings.secretCreate(['a', 'b']), ['one', 'two']);
    await expect(recipient.open(sealed, sealBindings.secretCreate(['a', 'b']))).resolves.toEqual(['one', 'two']);
  });

  it('refuses a value replayed into another operation or for other names', async () => {
    const recipient = await createSealRecipient();
    const sealed = await sealValues(recipient.publicKey, sealBindings.secretCreate(['a']), ['one']);
    await expect(recipient.open(sealed, sealBindings.secretCreate(['b']))).rejects.toThrow();
    await expect(recipient.open(sealed, sealBindings.vaultUnlock())).rejects.toThrow();
  });

  it('cannot be opened by another recipient', async () => {
    const intended = await createSealRecipient();
    const other = await createSealRecipient();
    const sealed = await sealValues(intended.publicKey, sealBindings.vaultUnlock(), ['pw']);
    await expect(other.open(sealed, sealBindings.vaultUnlock())).rejects.toThrow();
  });
});
