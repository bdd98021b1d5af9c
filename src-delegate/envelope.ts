/**
 * Envelope encryption of secret versions: a fresh data key per version,
 * wrapped by the keyring. Both layers bind the secret's address (id, version,
 * type, manager) as AAD, so a ciphertext or a wrapped key moved to another row
 * or version fails to decrypt.
 */
import { randomBytes } from 'node:crypto';
import type { EncryptedVersion, SecretAddress } from '../src-shared/delegate-protocol.js';
import type { Keyring } from './keyring.js';
import { open, seal } from './aead.js';

function addressAad(label: string, address: SecretAddress): Buffer {
  return Buffer.from([label, address.secretId, String(address.version), address.type, address.managerId].join('\0'), 'utf8');
}

export const valueAad = (address: SecretAddress) => addressAad('strongroom/secret/v1', address);
export const dataKeyAad = (address: SecretAddress) => addressAad('strongroom/data-key/v1', address);

export function encryptVersion(keyring: Keyring, address: SecretAddress, plaintext: Buffer): EncryptedVersion {
  const dataKey = randomBytes(32);
  try {
    const keyringVersion = keyring.currentVersion;
    return {
      ciphertext: seal(dataKey, plaintext, valueAad(address)).toString('base64'),
      wrappedKey: seal(keyring.masterKey(keyringVersion), dataKey, dataKeyAad(address)).toString('base64'),
      keyringVersion,
    };
  } finally {
    dataKey.fill(0);
  }
}

export function decryptVersion(keyring: Keyring, address: SecretAddress, encrypted: EncryptedVersion): Buffer {
  const dataKey = open(keyring.masterKey(encrypted.keyringVersion), Buffer.from(encrypted.wrappedKey, 'base64'), dataKeyAad(address));
  try {
    return open(dataKey, Buffer.from(encrypted.ciphertext, 'base64'), valueAad(address));
  } finally {
    dataKey.fill(0);
  }
}

/** KMS managers: the value under its own data key; the data key is wrapped elsewhere (intermediate-keys.ts). */
export function sealValue(dataKey: Buffer, address: SecretAddress, plaintext: Buffer): string {
  return seal(dataKey, plaintext, valueAad(address)).toString('base64');
}

export function openValue(dataKey: Buffer, address: SecretAddress, ciphertext: string): Buffer {
  return open(dataKey, Buffer.from(ciphertext, 'base64'), valueAad(address));
}

/** A fresh 256-bit data key; the caller wipes it. */
export function newDataKey(): Buffer {
  return randomBytes(32);
}
